//! Helpers shared by the rt-sched loom models: a runtime builder, an event counter a
//! task can await, a latch a plain thread can block on, and drop probes.
//!
//! Everything here is built from `rt_core::loom` types, so under `--cfg loom` loom sees
//! (and checks) every synchronisation the models rely on: a count read with `Acquire`
//! after a shutdown must have been made visible by that shutdown, not merely have
//! happened earlier on the one OS thread loom runs the model on. Counters live in loom
//! `Arc`s, so a future or closure that is never dropped fails the model with loom's
//! "Arc leaked" check.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, missing_docs, missing_debug_implementations)]

use std::future::Future;
use std::task::{Poll, Waker};

use rt_core::loom::sync::atomic::{AtomicUsize, Ordering::AcqRel, Ordering::Acquire, Ordering::Release};
use rt_core::loom::sync::{Arc, Condvar, Mutex};

/// Explores `f` like `loom::model`, with at most `max` preemptions per execution (fewer
/// when `LOOM_MAX_PREEMPTIONS` says fewer).
///
/// For the models whose full bound-2 exploration takes many minutes: a runtime with
/// two workers, a `block_on` thread and a task that completes has millions of bound-2
/// interleavings (each worker searches, steals and parks at least once, and shutdown
/// races all of it), while bound 1 keeps them to tens or hundreds of thousands.
pub fn model_with_preemptions<F>(max: usize, f: F)
where
    F: Fn() + Sync + Send + 'static,
{
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(builder.preemption_bound.map_or(max, |bound| bound.min(max)));
    builder.check(f);
}

/// A multi-thread runtime with `workers` workers and otherwise default settings.
pub fn runtime(workers: usize) -> rt_sched::Runtime {
    rt_sched::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// Counts events (closure runs, drops) that nobody waits for: one atomic, so it adds
/// as little as possible to the model. See [`Counter`] for a count a task can await.
#[derive(Clone)]
pub struct Tally(Arc<AtomicUsize>);

impl Tally {
    pub fn new() -> Tally {
        Tally(Arc::new(AtomicUsize::new(0)))
    }

    /// The count. `Acquire`: an event counted on another thread is only seen once
    /// something (a join handle, the runtime's shutdown) has synchronised with it.
    pub fn get(&self) -> usize {
        self.0.load(Acquire)
    }

    pub fn add(&self) {
        self.0.fetch_add(1, Release);
    }

    /// A value that adds one to this tally when it is dropped.
    pub fn probe(&self) -> TallyProbe {
        TallyProbe(self.clone())
    }
}

/// Adds one to its tally when dropped: move one into a future or closure to count how
/// often that future or closure is dropped.
pub struct TallyProbe(Tally);

impl Drop for TallyProbe {
    fn drop(&mut self) {
        self.0.add();
    }
}

/// Counts events and wakes one task waiting for a count.
///
/// `bump` increments, then takes the waker under the lock; `wait_for` stores its waker
/// under the lock, then re-reads the count. Either the bump's lock comes second (it
/// finds the waker) or first (the waiter's lock acquires the increment): no lost wake.
#[derive(Clone)]
pub struct Counter(Arc<CounterInner>);

struct CounterInner {
    count: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

impl Counter {
    pub fn new() -> Counter {
        Counter(Arc::new(CounterInner {
            count: AtomicUsize::new(0),
            waker: Mutex::new(None),
        }))
    }

    pub fn get(&self) -> usize {
        self.0.count.load(Acquire)
    }

    /// Counts one event and wakes the waiter, if any.
    pub fn bump(&self) {
        self.0.count.fetch_add(1, AcqRel);
        let waker = self.0.waker.lock().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Completes once the count reaches `n`.
    pub fn wait_for(&self, n: usize) -> impl Future<Output = ()> + Send + '_ {
        std::future::poll_fn(move |cx| {
            if self.get() >= n {
                return Poll::Ready(());
            }
            let old = self.0.waker.lock().replace(cx.waker().clone());
            // Dropping a waker can run task code: never under our lock.
            drop(old);
            if self.get() >= n {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }

    /// A value that bumps this counter when it is dropped.
    pub fn probe(&self) -> DropProbe {
        DropProbe(self.clone())
    }
}

/// Bumps its counter when dropped (and wakes the task waiting on it).
pub struct DropProbe(Counter);

impl Drop for DropProbe {
    fn drop(&mut self) {
        self.0.bump();
    }
}

/// A count that a plain (non-async) thread can block on.
#[derive(Clone)]
pub struct Latch(Arc<(Mutex<usize>, Condvar)>);

impl Latch {
    pub fn new() -> Latch {
        Latch(Arc::new((Mutex::new(0), Condvar::new())))
    }

    pub fn bump(&self) {
        *self.0 .0.lock() += 1;
        self.0 .1.notify_all();
    }

    /// Blocks the calling thread until the count reaches `n`.
    pub fn wait_for(&self, n: usize) {
        let mut count = self.0 .0.lock();
        while *count < n {
            count = self.0 .1.wait(count);
        }
    }
}

/// A future that never completes (until dropped).
pub async fn pending_forever() {
    std::future::pending::<()>().await;
}
