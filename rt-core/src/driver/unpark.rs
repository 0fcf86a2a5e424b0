//! The waking side of parking: an [`Unparker`] wakes the thread parked on a driver.
//!
//! # Protocol
//!
//! One atomic `state` (`EMPTY`, `PARKED`, `NOTIFIED`) decides whether an unpark has to
//! reach the OS at all:
//!
//! - The parking thread (there is at most one: the driver is `&mut`) moves
//!   `EMPTY -> PARKED` before it blocks and swaps `EMPTY` back after it wakes. If it
//!   finds `NOTIFIED` instead, it consumes it and does not block.
//! - `unpark` swaps in `NOTIFIED`. Only when it replaced `PARKED` does it wake the
//!   thread: through the `mio::Waker` when the thread waits in `epoll`, or through the
//!   condvar otherwise. An unpark of a thread that is not parked costs one atomic swap,
//!   and is not lost: the next park returns at once.
//!
//! Condvar path: the parker moves to `PARKED` while holding `lock` and releases it only
//! inside `Condvar::wait`; `unpark` takes `lock` before notifying, so a notification can
//! never fall between the parker's state change and its wait.

use std::fmt;
use std::time::{Duration, Instant};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Condvar, Mutex};

/// Nobody is parked and no unpark is pending.
const EMPTY: usize = 0;
/// A thread is parked (or about to block).
const PARKED: usize = 1;
/// An unpark arrived; the next park returns at once.
const NOTIFIED: usize = 2;

/// Wakes the thread parked on a driver.
pub(crate) struct Unparker {
    state: AtomicUsize,
    lock: Mutex<()>,
    condvar: Condvar,
    /// Set when the driver waits in `mio::Poll::poll` instead of on the condvar.
    io_waker: Option<mio::Waker>,
}

impl Unparker {
    /// An unparker for a thread that parks on the condvar.
    pub(crate) fn new() -> Unparker {
        Unparker {
            state: AtomicUsize::new(EMPTY),
            lock: Mutex::new(()),
            condvar: Condvar::new(),
            io_waker: None,
        }
    }

    /// An unparker for a thread that waits in the `mio::Poll` that `waker` belongs to.
    pub(crate) fn with_io_waker(waker: mio::Waker) -> Unparker {
        Unparker {
            io_waker: Some(waker),
            ..Unparker::new()
        }
    }

    /// Wakes the parked thread, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        if self.state.swap(NOTIFIED, Ordering::AcqRel) != PARKED {
            return;
        }
        if let Some(waker) = &self.io_waker {
            // A failed wake (the eventfd is gone) leaves nothing to wake.
            let _ = waker.wake();
            return;
        }
        // Taking the lock waits until the parker is inside `wait` (see the module docs).
        drop(self.lock.lock());
        self.condvar.notify_one();
    }

    /// Consumes a pending unpark, if any; returns whether there was one.
    pub(crate) fn take_notification(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Announces that the caller is about to block in `epoll`; returns `false` (and
    /// consumes the notification) if an unpark is already pending.
    pub(crate) fn transition_to_parked(&self) -> bool {
        match self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(actual) => {
                debug_assert_eq!(actual, NOTIFIED, "two threads parked on one driver");
                self.state.store(EMPTY, Ordering::Release);
                false
            }
        }
    }

    /// Marks the end of a park (consuming any unpark that arrived meanwhile).
    pub(crate) fn transition_to_empty(&self) -> bool {
        self.state.swap(EMPTY, Ordering::AcqRel) == NOTIFIED
    }

    /// Blocks on the condvar until unparked or until `timeout` has passed (`None`: no
    /// limit). May return spuriously. Returns whether an unpark ended the wait.
    pub(crate) fn park_thread(&self, timeout: Option<Duration>) -> bool {
        if self.take_notification() {
            return true;
        }
        if timeout == Some(Duration::ZERO) {
            return false;
        }
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut guard = self.lock.lock();
        match self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(actual) => {
                debug_assert_eq!(actual, NOTIFIED, "two threads parked on one driver");
                self.state.store(EMPTY, Ordering::Release);
                return true;
            }
        }
        loop {
            let timed_out = match (timeout, deadline) {
                (None, _) => {
                    guard = self.condvar.wait(guard);
                    false
                }
                (Some(_), Some(deadline)) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let (g, timed_out) = self.condvar.wait_timeout(guard, left);
                    guard = g;
                    timed_out || Instant::now() >= deadline
                }
                // A timeout too large for an `Instant`: wait in long slices.
                (Some(_), None) => {
                    let (g, _) = self.condvar.wait_timeout(guard, Duration::from_secs(60 * 60));
                    guard = g;
                    false
                }
            };
            if self.take_notification() {
                return true;
            }
            if timed_out {
                return self.transition_to_empty();
            }
            // A spurious condvar wake-up: wait again.
        }
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker")
            .field("state", &self.state.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}
