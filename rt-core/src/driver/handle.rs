//! `Handle`: the shared, cloneable side of a driver.

use std::fmt;

use super::unpark::Unparker;
use crate::loom::sync::Arc;

/// A cheap, cloneable reference to a [`Driver`](super::Driver): wakes the thread parked
/// on it and gives I/O sources and timers access to the reactor and the timer wheel.
///
/// `Send + Sync`; cloning it clones an `Arc`.
#[derive(Clone)]
pub struct Handle {
    pub(super) shared: Arc<Shared>,
}

/// What the handle shares with the driver.
pub(super) struct Shared {
    /// Wakes the parked thread. An `Arc` of its own so that the timer wheel can hold
    /// it without a reference cycle through the handle.
    pub(super) unparker: Arc<Unparker>,
    /// The reactor's registration table and mio registry; `None` when I/O is disabled.
    pub(super) io: Option<crate::io::ReactorHandle>,
    /// The timer wheel and the clock; `None` when time is disabled.
    pub(super) time: Option<crate::time::TimeHandle>,
}

impl Handle {
    /// Wakes the thread parked on the driver (in `park`), or, if none is parked, makes
    /// the next `park` return at once.
    ///
    /// With I/O enabled this writes to the reactor's `mio::Waker`, but only when a
    /// thread is actually parked: an unpark of a running driver costs one atomic swap.
    pub fn unpark(&self) {
        self.shared.unparker.unpark();
    }

    /// Whether the driver runs the I/O reactor.
    pub fn io_enabled(&self) -> bool {
        self.shared.io.is_some()
    }

    /// Whether the driver runs the timers.
    pub fn time_enabled(&self) -> bool {
        self.shared.time.is_some()
    }

    /// Keeps a paused clock from auto-advancing while the returned guard lives.
    ///
    /// For schedulers: wrap work the driver cannot see (a closure on a blocking pool)
    /// in it, so that a test on a paused clock does not jump over the time that work
    /// takes and, say, time out the future waiting for it. Dropping the guard wakes the
    /// driver to look again. Does nothing when time is disabled.
    pub fn inhibit_auto_advance(&self) -> AutoAdvanceGuard {
        let time = self.shared.time.clone();
        if let Some(time) = &time {
            time.clock().inhibit_auto_advance();
        }
        AutoAdvanceGuard {
            time,
            unparker: self.shared.unparker.clone(),
        }
    }

    /// The timer wheel, when time is enabled.
    pub(crate) fn time(&self) -> Option<&crate::time::TimeHandle> {
        self.shared.time.as_ref()
    }

    /// The reactor, when I/O is enabled.
    pub(crate) fn io(&self) -> Option<&crate::io::ReactorHandle> {
        self.shared.io.as_ref()
    }
}

#[cfg(all(test, not(loom)))]
impl Handle {
    /// The address of the shared state, to tell drivers apart in tests.
    pub(crate) fn shared_ptr(&self) -> *const () {
        Arc::as_ptr(&self.shared).cast()
    }
}

/// Returned by [`Handle::inhibit_auto_advance`]; lets the paused clock auto-advance again
/// when dropped.
#[must_use = "auto-advance is allowed again as soon as the guard is dropped"]
pub struct AutoAdvanceGuard {
    time: Option<crate::time::TimeHandle>,
    unparker: Arc<Unparker>,
}

impl Drop for AutoAdvanceGuard {
    fn drop(&mut self) {
        if let Some(time) = &self.time {
            if time.clock().allow_auto_advance() {
                // The driver may be waiting on a paused clock: let it look again.
                self.unparker.unpark();
            }
        }
    }
}

impl fmt::Debug for AutoAdvanceGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoAdvanceGuard").finish_non_exhaustive()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("io_enabled", &self.io_enabled())
            .field("time_enabled", &self.time_enabled())
            .finish_non_exhaustive()
    }
}
