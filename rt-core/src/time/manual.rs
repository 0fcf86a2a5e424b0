//! A time driver driven by hand, for tests and loom models (not a public API).
//!
//! Until the runtime's driver exists, this is how the `time` tests run timers: create a
//! [`ManualTimer`], make it current with [`enter`](ManualTimer::enter), poll futures,
//! move the (paused) clock and call [`process`](ManualTimer::process) where a driver
//! would park.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::handle_lookup::set_test_handle;
pub use super::handle_lookup::TestHandleGuard;
use super::{Clock, Instant, Sleep, TimeHandle};

/// A time handle with a clock, processed by hand.
#[derive(Debug)]
pub struct ManualTimer {
    handle: TimeHandle,
    /// Calls of the handle's `unpark` (std atomics: test bookkeeping, outside the model).
    unparks: std::sync::Arc<AtomicUsize>,
}

impl ManualTimer {
    /// A timer whose clock starts paused (`start_paused`) or follows the system clock;
    /// pausing is allowed.
    pub fn new(start_paused: bool) -> ManualTimer {
        ManualTimer::with_options(start_paused, true)
    }

    /// A timer with the two clock options of the driver's configuration.
    pub fn with_options(start_paused: bool, allow_pause: bool) -> ManualTimer {
        let unparks = std::sync::Arc::new(AtomicUsize::new(0));
        let counter = unparks.clone();
        let unpark = std::sync::Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        ManualTimer {
            handle: TimeHandle::new(Clock::new(start_paused, allow_pause), unpark),
            unparks,
        }
    }

    /// Makes this the current thread's time handle (what a runtime's context would
    /// provide) until the guard is dropped.
    pub fn enter(&self) -> TestHandleGuard {
        set_test_handle(self.handle.clone())
    }

    /// The clock's current time.
    pub fn now(&self) -> Instant {
        self.handle.clock().now()
    }

    /// Moves the paused clock forward (without processing timers).
    pub fn advance(&self, duration: Duration) {
        self.handle.clock().advance(duration);
    }

    /// Pauses the clock (the driver-facing call: same checks as `time::pause`).
    pub fn pause(&self) {
        self.handle.clock().pause();
    }

    /// Resumes the clock.
    pub fn resume(&self) {
        self.handle.clock().resume();
    }

    /// Whether the clock is paused.
    pub fn is_paused(&self) -> bool {
        self.handle.clock().is_paused()
    }

    /// Whether pausing is allowed.
    pub fn allows_pause(&self) -> bool {
        self.handle.clock().allows_pause()
    }

    /// What a driver does before parking: from now until [`process`](Self::process),
    /// `Instant::recent` reads the clock.
    pub fn begin_wait(&self) {
        self.handle.begin_wait();
    }

    /// What a driver does after parking: fires due timers (and records the time it read
    /// for `Instant::recent`).
    pub fn process(&self) {
        self.handle.process();
    }

    /// What a driver asks before parking.
    pub fn next_timeout(&self) -> Option<Duration> {
        self.handle.next_timeout()
    }

    /// Shuts the timer down.
    pub fn shutdown(&self) {
        self.handle.shutdown();
    }

    /// Timers waiting in the wheel.
    pub fn pending(&self) -> usize {
        self.handle.pending_timers()
    }

    /// Calls of `unpark` so far.
    pub fn unparks(&self) -> usize {
        self.unparks.load(Ordering::SeqCst)
    }

    /// Panics if the wheel's structure is broken.
    pub fn check_invariants(&self) {
        self.handle.check_invariants();
    }

    /// A `Sleep` on this timer (without entering it).
    pub fn sleep_until(&self, deadline: Instant) -> Sleep {
        Sleep::new(Some(self.handle.clone()), self.now(), deadline)
    }

    /// A `Sleep` on this timer for `duration` from its clock's now.
    pub fn sleep(&self, duration: Duration) -> Sleep {
        self.sleep_until(self.now().saturating_add(duration))
    }
}
