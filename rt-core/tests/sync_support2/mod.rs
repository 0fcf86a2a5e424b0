//! Helpers for the `oneshot` / `Notify` tests: a `block_on` that parks the (loom or
//! std) thread until woken, a drop-counting value, and one-shot polling with a waker
//! that counts its wakes.
//!
//! The counters use `std` atomics: they are test bookkeeping, not part of what is
//! checked, and loom runs every model thread on one OS thread, so they are exact.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, missing_docs, missing_debug_implementations)]

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

#[cfg(loom)]
use loom::thread;
#[cfg(not(loom))]
use std::thread;

/// Drives `future` on the current thread, parking until its waker unparks it. Under
/// loom a lost wake-up leaves the thread parked forever, which loom reports as a
/// deadlock.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Like [`block_on`], but also says whether the future was ready at its first poll
/// (`true`) or had to wait for a wake-up.
pub fn block_on_first<F: Future>(future: F) -> (F::Output, bool) {
    let mut polls = 0;
    let mut future = pin!(future);
    let out = block_on(std::future::poll_fn(|cx| {
        polls += 1;
        future.as_mut().poll(cx)
    }));
    (out, polls == 1)
}

/// Spawns a model thread; in the second pass of [`model_covering`], also yields the
/// spawning thread right after.
///
/// Without the yield, loom 0.7's DPOR misses the interleavings in which the new
/// thread's first operations (a load followed by a compare-and-swap, say) run before
/// the spawner's next access to the same atomic (tokio-rs/loom#392): a model racing
/// `send` against `try_recv` then only ever sees `Empty`. With it, loom runs the new
/// thread first by default and explores fewer of the orders in which the spawner runs
/// ahead. So every model runs both ways, and asserts the outcomes it must observe.
#[cfg(loom)]
pub fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> thread::JoinHandle<T> {
    let handle = thread::spawn(f);
    if YIELD_AFTER_SPAWN.get() {
        thread::yield_now();
    }
    handle
}

#[cfg(loom)]
std::thread_local! {
    /// Whether [`spawn`] yields (set per pass by [`model_covering`]). Thread-local, as
    /// tests run in parallel; loom runs a model's threads on the test's own OS thread.
    static YIELD_AFTER_SPAWN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The set of outcomes a loom model observed across all its executions.
#[derive(Clone, Default)]
pub struct Outcomes(Arc<std::sync::Mutex<std::collections::BTreeSet<&'static str>>>);

impl Outcomes {
    pub fn new() -> Outcomes {
        Outcomes::default()
    }

    pub fn record(&self, outcome: &'static str) {
        self.0.lock().unwrap().insert(outcome);
    }

    /// Asserts that every outcome in `expected` was observed in some execution: the
    /// model explored the interleavings that produce them.
    pub fn assert_all_seen(&self, expected: &[&'static str]) {
        let seen = self.0.lock().unwrap();
        for outcome in expected {
            assert!(
                seen.contains(outcome),
                "outcome {outcome:?} never observed; seen: {seen:?}"
            );
        }
    }
}

/// Runs a loom model twice (with and without [`spawn`] yielding), then asserts that its
/// executions produced every outcome in `expected` (recorded by the model through the
/// `Outcomes` it is given).
#[cfg(loom)]
pub fn model_covering<F>(expected: &'static [&'static str], f: F)
where
    F: Fn(&Outcomes) + Sync + Send + 'static,
{
    let outcomes = Outcomes::new();
    let f = Arc::new(f);
    for yield_after_spawn in [false, true] {
        YIELD_AFTER_SPAWN.set(yield_after_spawn);
        let (f, recorder) = (f.clone(), outcomes.clone());
        loom::model(move || f(&recorder));
    }
    outcomes.assert_all_seen(expected);
}

/// A value that counts how often it is dropped.
#[derive(Debug)]
pub struct Counted {
    pub value: u32,
    drops: Arc<AtomicUsize>,
}

impl Counted {
    /// A value and the counter of its drops.
    pub fn new(value: u32) -> (Counted, Arc<AtomicUsize>) {
        let drops = Arc::new(AtomicUsize::new(0));
        (
            Counted {
                value,
                drops: drops.clone(),
            },
            drops,
        )
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
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

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Polls `future` once with a waker that does nothing.
pub fn poll_noop<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    poll_once(future, &futures::task::noop_waker())
}
