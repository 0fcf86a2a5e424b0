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
//! default action of the signal (for most, terminating the process) no longer runs.

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

/// Sets the descriptor the handler writes to. Must be a non-blocking pipe or socket
/// whose read end stays open for the life of the process; called once, before the
/// first [`install`].
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
/// The caller serialises calls and calls this at most once per signal.
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
    // SAFETY: `fd` is the write end of the self-pipe, which is never closed once set; the
    // buffer is a live local of length 1. `write` is async-signal-safe, and the descriptor
    // is non-blocking, so this never blocks inside the handler.
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
fn errno_location() -> Option<*mut c_int> {
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
    {
        // SAFETY: `__errno_location` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::__errno_location() })
    }
    #[cfg(any(
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    {
        // SAFETY: `__error` has no preconditions and is async-signal-safe.
        Some(unsafe { libc::__error() })
    }
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "emscripten",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "dragonfly"
    )))]
    {
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
    fn take_pending_clears_the_flag() {
        // SIGRTMIN-range numbers are not used by other tests of this crate.
        let signum = 40;
        PENDING[signum as usize].store(true, Ordering::SeqCst);
        assert!(take_pending(signum));
        assert!(!take_pending(signum));
    }
}
