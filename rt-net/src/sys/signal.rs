//! The process-wide signal handler: it records a delivery and wakes the reactor.
//!
//! # Protocol
//!
//! A signal handler may only do async-signal-safe work: no allocation, no locks, no
//! wakers. Ours does three things, in this order:
//!
//! 1. sets [`PENDING`]`[signum]` (an atomic store);
//! 2. writes one byte to the non-blocking self-pipe whose write end is [`WAKE_FD`]
//!    (`write(2)` is async-signal-safe; when the pipe is full the byte is dropped, which
//!    is fine: the flag is already set and a byte is already waiting);
//! 3. calls the handler that was installed before ours, if it was a real function (not
//!    `SIG_DFL` / `SIG_IGN`), so that we do not silently steal another library's signal.
//!
//! and it saves and restores `errno` around all of it. The read end of the pipe is
//! registered with the reactor by `crate::signal`; whoever reads a byte then calls
//! [`take_pending`] for each signal and broadcasts. Because the flag is set before the
//! byte is written, a reader that saw the byte also sees the flag.
//!
//! A handler, once installed, stays for the life of the process (like tokio's): the
//! default action of the signal (for most, terminating the process) no longer runs, and
//! a signal that was ignored (`SIG_IGN`) is now caught, so what ignoring it implied is
//! gone too (for `SIGCHLD`, the kernel no longer reaps exited children by itself).
//!
//! A chained handler runs inside ours, so with our `sa_mask` (empty) and flags rather
//! than the ones it was installed with.

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};

use libc::{c_int, c_void, siginfo_t};

/// The highest signal number the tables hold (Linux's `SIGRTMAX`; other platforms have
/// fewer signals and refuse the rest in `sigaction`).
pub(crate) const MAX_SIGNUM: c_int = 64;

const TABLE_LEN: usize = MAX_SIGNUM as usize + 1;

/// Set by the handler for each delivery, cleared by [`take_pending`].
static PENDING: [AtomicBool; TABLE_LEN] = [const { AtomicBool::new(false) }; TABLE_LEN];

/// The write end of the self-pipe, or -1 before [`set_wake_fd`].
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// The disposition each signal had before ours, to chain to (see the module docs).
static PREVIOUS: [Previous; TABLE_LEN] = [const { Previous::new() }; TABLE_LEN];

/// A previous disposition: the `sa_sigaction` word and whether it takes three arguments.
struct Previous {
    handler: AtomicUsize,
    siginfo: AtomicBool,
}

impl Previous {
    const fn new() -> Previous {
        Previous {
            handler: AtomicUsize::new(libc::SIG_DFL),
            siginfo: AtomicBool::new(false),
        }
    }
}

/// Sets the descriptor the handler writes to. Must be the write end of a non-blocking
/// pipe or socket that stays open for the life of the process, and so must its read end
/// (else the handler's `write` raises `SIGPIPE`); called once, before the first
/// [`install`]. `signal::registry` keeps both ends in a `static` that is never dropped.
pub(crate) fn set_wake_fd(fd: RawFd) {
    WAKE_FD.store(fd, Ordering::SeqCst);
}

/// Whether `signum` was delivered since the last call; clears the flag.
pub(crate) fn take_pending(signum: c_int) -> bool {
    slot(signum).is_some_and(|i| PENDING[i].swap(false, Ordering::SeqCst))
}

/// The table index of `signum`, if it is in range.
fn slot(signum: c_int) -> Option<usize> {
    usize::try_from(signum).ok().filter(|&i| (1..TABLE_LEN).contains(&i))
}

/// Installs the handler for `signum`, remembering the previous disposition to chain to.
///
/// The caller serialises calls and calls this at most once per signal: a second call
/// would record our own handler as the previous one, which would then call itself
/// forever. The previous disposition is read, then replaced, in two calls: one that
/// other code in the process sets in between is replaced without being chained to.
pub(crate) fn install(signum: c_int) -> io::Result<()> {
    let index = slot(signum).ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))?;

    // SAFETY: `sigaction` is a plain C struct for which all-zeroes is a valid value (no
    // handler, empty mask, no flags).
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; `old` is a valid, writable sigaction.
    if unsafe { libc::sigaction(signum, std::ptr::null(), &mut old) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let previous = &PREVIOUS[index];
    previous.handler.store(old.sa_sigaction, Ordering::SeqCst);
    previous
        .siginfo
        .store(old.sa_flags & libc::SA_SIGINFO != 0, Ordering::SeqCst);

    // SAFETY: as above, all-zeroes is a valid starting value.
    let mut new: libc::sigaction = unsafe { std::mem::zeroed() };
    new.sa_sigaction = handler as extern "C" fn(c_int, *mut siginfo_t, *mut c_void) as libc::sighandler_t;
    new.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART | libc::SA_ONSTACK;
    // SAFETY: `new.sa_mask` is a valid, writable sigset_t.
    unsafe { libc::sigemptyset(&mut new.sa_mask) };
    // SAFETY: `new` is fully initialised, its handler is an `extern "C"` function with the
    // three-argument signature `SA_SIGINFO` requires, and that handler only does
    // async-signal-safe work (see the module docs). A null old action is allowed.
    if unsafe { libc::sigaction(signum, &new, std::ptr::null_mut()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The signal handler. Async-signal-safe: atomics, `write(2)` and the previous handler.
extern "C" fn handler(signum: c_int, info: *mut siginfo_t, context: *mut c_void) {
    let saved = Errno::save();
    if let Some(index) = slot(signum) {
        PENDING[index].store(true, Ordering::SeqCst);
        wake();
        chain(index, signum, info, context);
    }
    saved.restore();
}

/// Writes one byte to the self-pipe; a full pipe or a missing descriptor are ignored.
fn wake() {
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd < 0 {
        return;
    }
    let byte = 1u8;
    // SAFETY: `fd` is the write end of the self-pipe, which stays open (and so is never
    // reused for another file) for the life of the process once set (see
    // `set_wake_fd`); the buffer is a live local of length 1. `write` is
    // async-signal-safe, and the descriptor is non-blocking, so this never blocks inside
    // the handler; its errno on failure is undone by the caller's `Errno::restore`.
    let _ = unsafe { libc::write(fd, std::ptr::addr_of!(byte).cast(), 1) };
}

/// Calls the handler that was installed before ours, if it was a function.
fn chain(index: usize, signum: c_int, info: *mut siginfo_t, context: *mut c_void) {
    let previous = &PREVIOUS[index];
    let action = previous.handler.load(Ordering::SeqCst);
    if action == libc::SIG_DFL || action == libc::SIG_IGN || action == libc::SIG_ERR {
        return;
    }
    if previous.siginfo.load(Ordering::SeqCst) {
        // SAFETY: the OS reported this word as the `sa_sigaction` of an action with
        // `SA_SIGINFO`, so it is the address of a function of this signature, installed by
        // code that expects it to be called from a signal handler with these arguments.
        let f: extern "C" fn(c_int, *mut siginfo_t, *mut c_void) = unsafe { std::mem::transmute(action) };
        f(signum, info, context);
    } else {
        // SAFETY: the OS reported this word as the `sa_handler` of an action without
        // `SA_SIGINFO`, so it is the address of a one-argument handler function.
        let f: extern "C" fn(c_int) = unsafe { std::mem::transmute(action) };
        f(signum);
    }
}

/// `errno` at handler entry, restored on exit so the interrupted code never sees ours.
struct Errno(c_int);

impl Errno {
    fn save() -> Errno {
        Errno(errno_location().map_or(0, |p| {
            // SAFETY: `p` is this thread's errno location, valid for the thread's life.
            unsafe { *p }
        }))
    }

    fn restore(self) {
        if let Some(p) = errno_location() {
            // SAFETY: as in `save`.
            unsafe { *p = self.0 };
        }
    }
}

/// This thread's `errno`, where the platform names it.
///
/// Each libc names the accessor differently, and `libc` only binds the one the platform
/// has: Android, OpenBSD and NetBSD call it `__errno`, DragonFly `__errno_location`
/// (like glibc and musl), not `__error` (FreeBSD's and Apple's).
fn errno_location() -> Option<*mut c_int> {
    #[cfg(any(
        target_os = "linux",
        target_os = "emscripten",
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "hurd",
        target_os = "dragonfly"
    ))]
    {
        // SAFETY: `__errno_location` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::__errno_location() })
    }
    #[cfg(any(target_os = "android", target_os = "openbsd", target_os = "netbsd"))]
    {
        // SAFETY: `__errno` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::__errno() })
    }
    #[cfg(any(target_vendor = "apple", target_os = "freebsd"))]
    {
        // SAFETY: `__error` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::__error() })
    }
    #[cfg(any(target_os = "solaris", target_os = "illumos"))]
    {
        // SAFETY: `___errno` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::___errno() })
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "emscripten",
        target_os = "fuchsia",
        target_os = "redox",
        target_os = "hurd",
        target_os = "dragonfly",
        target_os = "android",
        target_os = "openbsd",
        target_os = "netbsd",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "solaris",
        target_os = "illumos"
    )))]
    {
        // Unknown platform: errno is not saved, so a failing `write` in the handler may
        // change the errno the interrupted code sees.
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_signals_have_no_slot() {
        assert_eq!(slot(0), None);
        assert_eq!(slot(-1), None);
        assert_eq!(slot(MAX_SIGNUM + 1), None);
        assert_eq!(slot(libc::SIGHUP), Some(libc::SIGHUP as usize));
        assert!(!take_pending(0));
    }

    #[test]
    fn errno_is_saved_and_restored() {
        // Before this platform's accessor was named right, `save` read 0 and `restore`
        // did nothing (OpenBSD, NetBSD), or the crate did not build (Android, DragonFly).
        let p = errno_location().expect("this platform's errno accessor");
        // SAFETY: `p` is this thread's errno location.
        unsafe { *p = libc::EINTR };
        let saved = Errno::save();
        // SAFETY: as above.
        unsafe { *p = libc::EAGAIN };
        saved.restore();
        // SAFETY: as above.
        assert_eq!(unsafe { *p }, libc::EINTR);
    }

    static SIGINFO_CALLS: AtomicUsize = AtomicUsize::new(0);
    static PLAIN_CALLS: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn previous_siginfo(_: c_int, info: *mut siginfo_t, _: *mut c_void) {
        assert!(!info.is_null());
        SIGINFO_CALLS.fetch_add(1, Ordering::SeqCst);
    }

    extern "C" fn previous_plain(_: c_int) {
        PLAIN_CALLS.fetch_add(1, Ordering::SeqCst);
    }

    /// Sets the disposition of `signum` to `handler`, with `flags`.
    fn set_disposition(signum: c_int, handler: libc::sighandler_t, flags: c_int) {
        // SAFETY: all-zeroes is a valid sigaction; the handlers passed are `SIG_IGN` or
        // `extern "C"` functions of the signature `flags` says, doing only atomics.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler;
            action.sa_flags = flags;
            libc::sigemptyset(&mut action.sa_mask);
            assert_eq!(libc::sigaction(signum, &action, std::ptr::null_mut()), 0);
        }
    }

    fn raise(signum: c_int) {
        // SAFETY: our handler is installed for `signum`, so raising it only runs it (on
        // this thread, before `raise` returns).
        assert_eq!(unsafe { libc::raise(signum) }, 0);
    }

    fn errno() -> c_int {
        // SAFETY: this thread's errno location.
        unsafe { *errno_location().unwrap() }
    }

    fn set_errno(value: c_int) {
        // SAFETY: this thread's errno location.
        unsafe { *errno_location().unwrap() = value };
    }

    /// The only test of this binary that installs handlers or sets the wake fd (no other
    /// code in this binary raises or handles these signals).
    #[test]
    fn the_handler_wakes_chains_and_keeps_errno() {
        use std::io::{Read, Write};
        use std::os::fd::AsRawFd;
        use std::os::unix::net::UnixStream;

        let (mut receiver, sender) = UnixStream::pair().unwrap();
        receiver.set_nonblocking(true).unwrap();
        sender.set_nonblocking(true).unwrap();
        set_wake_fd(sender.as_raw_fd());

        let (with_info, plain, ignored) = (libc::SIGUSR1, libc::SIGUSR2, libc::SIGWINCH);
        let previous_siginfo = previous_siginfo as extern "C" fn(c_int, *mut siginfo_t, *mut c_void);
        set_disposition(with_info, previous_siginfo as libc::sighandler_t, libc::SA_SIGINFO);
        set_disposition(plain, previous_plain as extern "C" fn(c_int) as libc::sighandler_t, 0);
        set_disposition(ignored, libc::SIG_IGN, 0);
        for signum in [with_info, plain, ignored] {
            install(signum).unwrap();
        }

        raise(with_info);
        raise(plain);
        raise(ignored);
        assert!(take_pending(with_info) && take_pending(plain) && take_pending(ignored));
        assert_eq!(SIGINFO_CALLS.load(Ordering::SeqCst), 1, "chained with siginfo");
        assert_eq!(PLAIN_CALLS.load(Ordering::SeqCst), 1, "chained without siginfo");
        let mut buf = [0u8; 16];
        assert_eq!(receiver.read(&mut buf).unwrap(), 3, "one byte per delivery");

        // A full socket: the handler's `write` fails with `EAGAIN`, which the interrupted
        // code must not see in its errno.
        let filler = [0u8; 4096];
        while (&sender).write(&filler).is_ok() {}
        set_errno(libc::EINTR);
        raise(plain);
        assert_eq!(errno(), libc::EINTR, "the handler leaked its errno");
        assert!(take_pending(plain));
        assert_eq!(PLAIN_CALLS.load(Ordering::SeqCst), 2);

        // The handlers stay installed (nothing else raises these signals); the wake fd
        // must stay open with them.
        std::mem::forget((receiver, sender));
    }

    #[test]
    fn take_pending_clears_the_flag() {
        // SIGRTMIN-range numbers are not used by other tests of this crate.
        let signum = 40;
        PENDING[signum as usize].store(true, Ordering::SeqCst);
        assert!(take_pending(signum));
        assert!(!take_pending(signum));
    }
}
