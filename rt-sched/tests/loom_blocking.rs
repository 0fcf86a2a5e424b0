//! Loom models of the blocking pool's shutdown: a closure that may or may not have
//! started when the runtime goes away runs at most once, what it captured is dropped
//! exactly once, and shutdown never hangs on work that cannot finish.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-sched --test loom_blocking`.
//!
//! The runtimes here have one worker: the workers take no part in the blocking pool,
//! and a second one would only multiply the interleavings of its own start and park.
//!
//! Under loom a timed condvar wait returns at once as timed out (loom has no clock; see
//! `rt_core::loom`), so `shutdown_timeout` never waits for a thread there: the models
//! check what holds however short the timeout turns out to be.
#![cfg(loom)]

mod loom_support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use loom_support::{Latch, Tally};
use rt_sched::task::JoinHandle;

/// The result of a finished task, without waiting (the runtime is gone by then):
/// `Some(true)` when it completed, `Some(false)` when it was cancelled.
fn finished_ok<T>(handle: JoinHandle<T>) -> Option<bool> {
    let waker = futures::task::noop_waker();
    match pin!(handle).poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(Ok(_)) => Some(true),
        Poll::Ready(Err(e)) => {
            assert!(e.is_cancelled(), "blocking task failed other than by shutdown: {e}");
            Some(false)
        }
        Poll::Pending => None,
    }
}

/// The runtime is dropped right after `spawn_blocking`: the pool thread may not have
/// started, may be about to run the closure, or may be running it. Dropping waits for
/// a running closure, so afterwards the handle is finished, and it says whether the
/// closure ran: if so it ran once, and either way its capture was dropped once.
#[test]
fn drop_runtime_races_closure() {
    loom::model(|| {
        let rt = loom_support::runtime(1);
        let (runs, drops) = (Tally::new(), Tally::new());
        let probe = drops.probe();
        let handle = rt.spawn_blocking({
            let runs = runs.clone();
            move || {
                runs.add();
                drop(probe);
            }
        });
        drop(rt);
        assert_eq!(drops.get(), 1, "the closure's capture was not dropped exactly once");
        let ran = finished_ok(handle).expect("the runtime is dropped but the blocking task is not finished");
        assert_eq!(runs.get(), usize::from(ran), "the handle disagrees with what ran");
    });
}

/// One pool thread, a first closure that blocks until the test opens a gate, and a
/// second closure queued behind it. `shutdown_timeout` must return while the first may
/// still be blocked (it cannot wait for it), having cancelled whatever had not started.
/// Once the gate opens and every runtime thread has stopped, each closure ran at most
/// once, each capture was dropped exactly once, and each handle agrees with what ran.
#[test]
fn shutdown_timeout_with_queued_closure() {
    loom::model(|| {
        let stopped = Latch::new();
        let rt = rt_sched::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .on_thread_stop({
                let stopped = stopped.clone();
                move || stopped.bump()
            })
            .build()
            .unwrap();
        let gate = Latch::new();
        let (runs, drops) = ([Tally::new(), Tally::new()], [Tally::new(), Tally::new()]);
        let first = rt.spawn_blocking({
            let (runs, probe, gate) = (runs[0].clone(), drops[0].probe(), gate.clone());
            move || {
                runs.add();
                gate.wait_for(1);
                drop(probe);
            }
        });
        let second = rt.spawn_blocking({
            let (runs, probe) = (runs[1].clone(), drops[1].probe());
            move || {
                runs.add();
                drop(probe);
            }
        });
        // Any non-zero timeout takes the timed path; see the module docs.
        rt.shutdown_timeout(Duration::from_micros(10));
        gate.bump();
        // One worker and at most one pool thread (the cap is 1, and the first closure
        // keeps that thread busy until the gate opens).
        stopped.wait_for(2);
        for (i, handle) in [first, second].into_iter().enumerate() {
            assert_eq!(drops[i].get(), 1, "closure {i}: capture not dropped exactly once");
            let ran = finished_ok(handle).unwrap_or_else(|| panic!("closure {i}: not finished after shutdown"));
            assert_eq!(
                runs[i].get(),
                usize::from(ran),
                "closure {i}: the handle disagrees with what ran"
            );
        }
    });
}
