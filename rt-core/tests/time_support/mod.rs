//! Helpers for the `time_*` tests: a hand-driven timer made current on the test thread,
//! a waker that counts its wakes, and one-shot polling.
//!
//! There is no runtime here: the test plays the driver. It polls futures, moves the
//! paused clock and calls `process()` where a driver would park.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, missing_docs, missing_debug_implementations)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use rt_core::time::manual::{ManualTimer, TestHandleGuard};

/// A paused timer, current on this thread while the value lives.
pub struct Timer {
    pub timer: ManualTimer,
    _guard: TestHandleGuard,
}

impl Timer {
    /// A timer whose clock starts paused.
    pub fn paused() -> Timer {
        Timer::from(ManualTimer::new(true))
    }

    /// A timer on the system clock.
    pub fn real() -> Timer {
        Timer::from(ManualTimer::new(false))
    }

    pub fn from(timer: ManualTimer) -> Timer {
        let guard = timer.enter();
        Timer { timer, _guard: guard }
    }

    /// Moves the paused clock and fires what is due (what `time::advance` does, minus
    /// the yield), then checks the wheel.
    pub fn advance(&self, by: Duration) {
        self.timer.advance(by);
        self.timer.process();
        self.timer.check_invariants();
    }
}

impl std::ops::Deref for Timer {
    type Target = ManualTimer;

    fn deref(&self) -> &ManualTimer {
        &self.timer
    }
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// A waker that counts its wakes.
#[derive(Clone, Default)]
pub struct CountingWaker(Arc<AtomicUsize>);

impl CountingWaker {
    pub fn new() -> CountingWaker {
        CountingWaker::default()
    }

    pub fn wakes(&self) -> usize {
        self.0.load(SeqCst)
    }

    pub fn waker(&self) -> Waker {
        struct Count(Arc<AtomicUsize>);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        Waker::from(Arc::new(Count(self.0.clone())))
    }
}

/// A waker that logs its id into a shared list when woken (for ordering checks).
pub fn logging_waker(id: usize, log: &Arc<std::sync::Mutex<Vec<usize>>>) -> Waker {
    struct Log(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Log {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    Waker::from(Arc::new(Log(id, log.clone())))
}

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_noop<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    poll_once(future, &futures::task::noop_waker())
}
