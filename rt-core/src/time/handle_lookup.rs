//! How timers find the time handle of the runtime they run in.
//!
//! This file is the only place the `time` module looks up "the current runtime": the
//! runtime context's driver handle (`context::with_current_handle`, set by the
//! scheduler), after a thread-local *test override* that tests install with
//! [`ManualTimer::enter`](super::manual::ManualTimer::enter) to drive a wheel by hand.
//! The override's TLS read is skipped while no override is installed anywhere in the
//! process (a global count): a server reads the coarse clock a few times per request.
//!
//! Everything else in `time` calls [`with_current`] or [`current_time_handle`].

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
// Plain `std` on purpose, under loom too: a thread only needs to see its own updates
// (program order), and a stale non-zero count only takes the slower path.
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use super::TimeHandle;

#[cfg(not(loom))]
thread_local! {
    static OVERRIDE: RefCell<Option<TimeHandle>> = const { RefCell::new(None) };
}

#[cfg(loom)]
loom::thread_local! {
    static OVERRIDE: RefCell<Option<TimeHandle>> = RefCell::new(None);
}

/// Test overrides installed and not yet dropped, in any thread. A thread that installed
/// one sees its own increment, so a zero count means this thread has none.
static OVERRIDES: AtomicUsize = AtomicUsize::new(0);

/// Runs `f` with the current runtime's time handle (`None`: not in a runtime with time
/// enabled).
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&TimeHandle>) -> R) -> R {
    if OVERRIDES.load(Relaxed) == 0 {
        return crate::context::with_current_handle(|h| f(h.and_then(|h| h.time())));
    }
    let mut f = Some(f);
    let overridden = OVERRIDE.try_with(|cell| {
        let handle = cell.borrow();
        handle
            .as_ref()
            .map(|h| (f.take().expect("`f` not called yet"))(Some(h)))
    });
    if let Ok(Some(out)) = overridden {
        return out;
    }
    let f = f.take().expect("`f` not called yet");
    crate::context::with_current_handle(|h| f(h.and_then(|h| h.time())))
}

/// A clone of the current runtime's time handle, if there is one.
pub(crate) fn current_time_handle() -> Option<TimeHandle> {
    with_current(|handle| handle.cloned())
}

/// Makes `handle` the current time handle of this thread until the guard is dropped
/// (the previous one is restored then; guards nest).
pub(crate) fn set_test_handle(handle: TimeHandle) -> TestHandleGuard {
    OVERRIDES.fetch_add(1, Relaxed);
    let prev = OVERRIDE.with(|cell| cell.replace(Some(handle)));
    TestHandleGuard {
        prev,
        _not_send: PhantomData,
    }
}

/// Restores the previous test time handle when dropped; see
/// [`ManualTimer::enter`](super::manual::ManualTimer::enter).
#[doc(hidden)]
#[must_use = "the time handle is unset again when the guard is dropped"]
pub struct TestHandleGuard {
    prev: Option<TimeHandle>,
    _not_send: PhantomData<*const ()>,
}

impl Drop for TestHandleGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let replaced = OVERRIDE.try_with(|cell| cell.replace(prev));
        drop(replaced);
        OVERRIDES.fetch_sub(1, Relaxed);
    }
}

impl fmt::Debug for TestHandleGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestHandleGuard").finish_non_exhaustive()
    }
}
