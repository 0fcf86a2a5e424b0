//! Growing the process's descriptor table ahead of need, on a blocking-pool thread.
//!
//! Linux keeps a process's open files in one table that is replaced by a table twice as
//! large when a new descriptor does not fit (`alloc_fd` → `expand_files`). In a
//! multithreaded process the replacement first waits for an RCU grace period
//! (`synchronize_rcu`), inside the `accept(2)` or `socket(2)` that needed the slot. On
//! two busy cores a grace period takes 5 to 30 ms, so a server accepting a burst of
//! connections stops draining its listen queue for that long at descriptors 256, 512,
//! ..., 8192; a backlog of 1,024 fills in about 15 ms of a fast client, and every
//! connection dropped then costs its client a one-second SYN retransmission. (A
//! single-threaded process skips the wait, which is why a plain blocking accept thread
//! does not see it; tokio pays it like us.)
//!
//! So the table is grown ahead of need, by a blocking-pool thread (`F_DUPFD` at the
//! wanted size, then `close`: the kernel never shrinks the table):
//!
//! - a listener, once listening, reserves room for twice its backlog beyond its own
//!   descriptor, before its first connection arrives ([`reserve_for_listener`]);
//! - a new stream whose descriptor reaches half the table size known so far has the
//!   table grown to four times the descriptor's power of two ([`reserve_beyond`]).
//!
//! The grace period is waited on that thread; meanwhile the accepting thread keeps
//! allocating from the old table, which the kernel allows as long as the old table has
//! room (it waits for a resize in progress only when the descriptor it needs is beyond
//! the old table). The table costs 8 bytes of kernel memory per slot: at most four
//! slots per open descriptor, or 32 KiB for a listener with the default backlog, next
//! to the kilobytes of kernel memory a socket takes.
//!
//! Only Linux and Android; elsewhere both functions do nothing.

use std::os::fd::RawFd;

/// Grows the descriptor table ahead of `fd`, a stream's descriptor just created, when
/// `fd` is past half of the table size known so far. Returns at once: the growing, if
/// any, is done by a blocking-pool thread of the current runtime (nothing happens
/// outside a runtime). At most one grow is in flight at a time.
pub(crate) fn reserve_beyond(fd: RawFd) {
    reserve(fd, 0);
}

/// Grows the descriptor table to hold twice `backlog` descriptors beyond `fd`, the
/// descriptor of a listener that just started listening, like [`reserve_beyond`].
/// The backlog counts up to [`MAX_BACKLOG`], the kernel's usual cap.
pub(crate) fn reserve_for_listener(fd: RawFd, backlog: u32) {
    let backlog = usize::try_from(backlog.min(MAX_BACKLOG)).unwrap_or(0);
    reserve(fd, 2 * backlog);
}

/// The largest backlog [`reserve_for_listener`] makes room for: Linux's default
/// `net.core.somaxconn`, to which it truncates larger backlogs. (At most 16,384 slots,
/// 128 KiB, then.)
const MAX_BACKLOG: u32 = 4096;

fn reserve(fd: RawFd, headroom: usize) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    linux::reserve(fd, headroom);
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = (fd, headroom);
}

#[cfg(any(target_os = "linux", target_os = "android"))]
mod linux {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
    // Process-wide, like the table itself; plain `std` atomics (a static cannot be a
    // loom atomic, and this is only a heuristic).
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};

    /// The table size known to be reached, by a grow of ours. Starts at 128 so that the
    /// first grow happens at descriptor 64: below that the table is the one embedded in
    /// the process (64 slots) and small programs never pay for a blocking task.
    static KNOWN_SIZE: AtomicUsize = AtomicUsize::new(128);

    /// Whether a grow is queued or running.
    static GROWING: AtomicBool = AtomicBool::new(false);

    /// How far ahead a stream's grow goes, as a multiple of its descriptor's power of two.
    const AHEAD: usize = 4;

    pub(super) fn reserve(fd: RawFd, headroom: usize) {
        let Ok(fd) = usize::try_from(fd) else { return };
        let known = KNOWN_SIZE.load(Relaxed);
        let mut size = fd.saturating_add(headroom).saturating_add(1).next_power_of_two();
        if fd >= known / 2 {
            size = size.max((fd + 1).next_power_of_two().saturating_mul(AHEAD));
        }
        if size <= known || GROWING.load(Relaxed) {
            return;
        }
        let Ok(runtime) = rt_sched::Handle::try_current() else {
            return;
        };
        if GROWING.swap(true, Relaxed) {
            return;
        }
        // Clears `GROWING` when the closure is dropped, run or not (a runtime shutting
        // down drops it unrun).
        let guard = Growing;
        // Detached: nobody waits for the grow.
        drop(runtime.spawn_blocking(move || {
            let _guard = guard;
            grow(size);
            // Whether or not it worked (an open-file limit below `size`), do not try
            // again before descriptors reach half of `size`.
            KNOWN_SIZE.fetch_max(size, Relaxed);
        }));
    }

    /// Resets [`GROWING`] on drop.
    struct Growing;

    impl Drop for Growing {
        fn drop(&mut self) {
            GROWING.store(false, Relaxed);
        }
    }

    /// Makes the table at least `size` slots (capped by the open-file limit) by
    /// duplicating a descriptor of ours at `size - 1` and closing the duplicate.
    fn grow(size: usize) {
        let limit = open_file_limit();
        let highest = size.min(limit).saturating_sub(1);
        if highest == 0 {
            return;
        }
        // A descriptor of our own to duplicate (never one the program may be using).
        let Ok(socket) = std::os::unix::net::UnixDatagram::unbound() else {
            return;
        };
        let Ok(highest) = libc::c_int::try_from(highest) else {
            return;
        };
        // SAFETY: `F_DUPFD_CLOEXEC` takes an int argument and only reads the descriptor
        // table; `socket` is open for the duration of the call.
        let duplicate = unsafe { libc::fcntl(socket.as_raw_fd(), libc::F_DUPFD_CLOEXEC, highest) };
        if duplicate >= 0 {
            // SAFETY: `duplicate` was just returned by `fcntl`, is open, and is owned by
            // nobody else; closing it once is sound.
            drop(unsafe { OwnedFd::from_raw_fd(duplicate) });
        }
    }

    /// The soft open-file limit: no descriptor can be at or above it (0 if unknown).
    fn open_file_limit() -> usize {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `getrlimit` writes one `rlimit` through a valid, exclusive pointer.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
            return 0;
        }
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    }
}
