//! What `TcpListener::accept` does when `accept(2)` fails.
//!
//! Three kinds of failure (see [`classify`]):
//!
//! - **Per connection** (`ECONNABORTED`, `EPROTO`, `EPERM`, the network errors Linux
//!   passes on from the new socket, `EINTR`): that one connection is gone, the listener
//!   is fine. Skipped: the loop tries the next connection at once.
//! - **Resource exhaustion** (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): the connection
//!   is still in the kernel's queue and the listener is still readable, so retrying at
//!   once would spin the CPU until a descriptor is freed. The loop backs off instead:
//!   it waits a growing delay ([`Backoff`]: 1 ms, doubling, at most 256 ms; reset by
//!   the next successful accept), then tries again. Outside a runtime (nothing to wait
//!   on) it clears the listener's readiness and waits for its next readiness event
//!   (the next incoming connection), which never spins but may leave queued
//!   connections waiting longer. Either way the error is not returned: a server's
//!   accept loop keeps running and the connections it already has keep being served.
//!
//! How the delay is waited: `rt-core` has no timer yet (`rt_core::time` is being
//! written), so [`delay`] sleeps a blocking-pool thread for it. That costs a thread
//! while the process is out of descriptors, which is rare and short; once
//! `rt_core::time::sleep` exists, [`delay`] switches to it when the runtime has time
//! enabled, and nothing else here changes.
//! - Anything else (`EBADF`, `EINVAL`, a runtime that shut down, ...) ends the accept
//!   and is returned to the caller.

use std::future::Future;
use std::io;
use std::task::Waker;
use std::time::Duration;

use rt_core::loom::sync::atomic::{AtomicU32, Ordering};

/// How an `accept(2)` error is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// The pending connection failed; try the next one at once.
    Skip,
    /// Out of descriptors or memory; back off, then try again.
    Exhausted,
    /// The listener itself is broken; return the error.
    Fatal,
}

/// Sorts an error returned by `accept(2)`.
pub(super) fn classify(err: &io::Error) -> Failure {
    match err.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => Failure::Exhausted,
        // accept(2), "Error handling": Linux passes on pending network errors of the
        // new socket; they concern that connection only and should be retried.
        Some(
            libc::ECONNABORTED
            | libc::ECONNRESET
            | libc::EINTR
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP,
        ) => Failure::Skip,
        _ => Failure::Fatal,
    }
}

/// The growing retry delay of a listener that ran out of resources, in milliseconds
/// (0: not backing off). Shared by every task accepting on the listener; only a
/// heuristic, so relaxed ordering is enough.
#[derive(Debug)]
pub(super) struct Backoff {
    delay_ms: AtomicU32,
}

impl Backoff {
    /// The first delay.
    const FIRST_MS: u32 = 1;
    /// The longest delay: how late, at worst, accepting resumes once a descriptor is free.
    const MAX_MS: u32 = 256;

    pub(super) fn new() -> Backoff {
        Backoff {
            delay_ms: AtomicU32::new(0),
        }
    }

    /// Doubles the delay (starting at 1 ms, capped at 256 ms) and returns the new one.
    pub(super) fn next_delay(&self) -> Duration {
        let grow = |ms: u32| ms.saturating_mul(2).clamp(Self::FIRST_MS, Self::MAX_MS);
        let prev = self
            .delay_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ms| Some(grow(ms)))
            .unwrap_or_else(|ms| ms);
        Duration::from_millis(u64::from(grow(prev)))
    }

    /// An accept succeeded: the next exhaustion starts from the first delay again.
    pub(super) fn reset(&self) {
        // Load first: the common case (not backing off) does not write the shared line.
        if self.delay_ms.load(Ordering::Relaxed) != 0 {
            self.delay_ms.store(0, Ordering::Relaxed);
        }
    }
}

/// A future that completes after `delay`, or `None` when there is no runtime to wait
/// on (see the module docs for why it uses the blocking pool).
pub(super) fn delay(delay: Duration) -> Option<impl Future<Output = ()> + Send + 'static> {
    let runtime = rt_sched::Handle::try_current().ok()?;
    Some(async move {
        // An error means the runtime is shutting down: the accept fails next anyway.
        let _ = runtime.spawn_blocking(move || std::thread::sleep(delay)).await;
    })
}

/// Wakes `waker` after `delay`, from a small task on the current runtime.
///
/// For the poll-based accept, which has nowhere to keep a delay future of its own.
/// Returns `false` (and does nothing) when there is no runtime.
pub(super) fn wake_after(delay: Duration, waker: &Waker) -> bool {
    let (Ok(runtime), Some(delay)) = (rt_sched::Handle::try_current(), self::delay(delay)) else {
        return false;
    };
    let waker = waker.clone();
    // Detached: dropping the join handle does not cancel the task.
    drop(runtime.spawn(async move {
        delay.await;
        waker.wake();
    }));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exhaustion_backs_off_and_connection_errors_are_skipped() {
        for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert_eq!(classify(&io::Error::from_raw_os_error(code)), Failure::Exhausted);
        }
        for code in [libc::ECONNABORTED, libc::EPROTO, libc::EINTR] {
            assert_eq!(classify(&io::Error::from_raw_os_error(code)), Failure::Skip);
        }
        assert_eq!(classify(&io::Error::from_raw_os_error(libc::EBADF)), Failure::Fatal);
        assert_eq!(classify(&io::Error::other("runtime shut down")), Failure::Fatal);
    }

    #[test]
    fn delay_doubles_up_to_the_cap_and_resets() {
        let backoff = Backoff::new();
        let delays: Vec<u128> = (0..12).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256, 256]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(1));
    }
}
