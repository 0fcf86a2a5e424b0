//! Loom models of the multi-thread scheduler: workers parking and being woken without
//! a lost wake-up, and shutdown cancelling every task exactly once.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-sched --test loom_multi_thread`.
//!
//! A lost wake-up shows up as a loom deadlock (every thread blocked: the `block_on`
//! thread on its parker, the workers on theirs). Each model builds a two-worker runtime
//! inside the model, so the start of the workers, their first park and the final
//! shutdown are part of every explored execution.
//!
//! The models in which a task completes and wakes the `block_on` thread explore at
//! most one preemption per execution (`model_with_preemptions(1, ..)`): at one they
//! run 50 to 65 thousand executions (5 s each in release), at two
//! `spawn_from_task_and_await` alone took 4 minutes. The shutdown models keep the
//! bound of `LOOM_MAX_PREEMPTIONS` (120 and 160 thousand executions, 20 to 25 s).
#![cfg(loom)]

mod loom_support;

use loom_support::{model_with_preemptions, pending_forever, runtime, Counter, Tally};

/// `block_on` spawns a task that spawns another and awaits it: the first spawn comes
/// from outside the workers (inject queue, wakes a parked worker), the second from a
/// worker (its LIFO slot), and the join handles wake a task and the `block_on` thread.
#[test]
fn spawn_from_task_and_await() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let out = rt.block_on(async {
            let outer = rt_sched::spawn(async {
                let inner = rt_sched::spawn(async { 1 });
                inner.await.unwrap() + 1
            });
            outer.await.unwrap()
        });
        assert_eq!(out, 2);
    });
}

/// A task waits for an event that the main thread signals from outside the runtime
/// (not a worker, not inside `block_on`), while the workers may be parking: the wake-up
/// goes through the inject queue and must unpark a worker.
///
/// The main thread signals rather than a thread of its own: with a fourth thread the
/// model has over a million executions even at one preemption (5 minutes).
#[test]
fn wake_from_outside_runtime() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let event = Counter::new();
        let task = rt.spawn({
            let event = event.clone();
            async move {
                event.wait_for(1).await;
                7
            }
        });
        event.bump();
        assert_eq!(rt.block_on(task).unwrap(), 7);
    });
}

/// Two tasks ping each other twice: every wake-up comes from the other task, which may
/// run on the same worker (then the woken task takes its LIFO slot) or on the other one
/// (which may be parked, or about to park). The first task spawns the second from a
/// worker, and only the first is awaited by `block_on`, to keep the model small.
#[test]
fn ping_pong_twice() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let (ping, pong) = (Counter::new(), Counter::new());
        let first = rt.spawn(async move {
            let second = rt_sched::spawn({
                let (ping, pong) = (ping.clone(), pong.clone());
                async move {
                    for round in 1..=2 {
                        ping.wait_for(round).await;
                        pong.bump();
                    }
                }
            });
            for round in 1..=2 {
                ping.bump();
                pong.wait_for(round).await;
            }
            second.await.unwrap();
        });
        rt.block_on(first).unwrap();
    });
}

/// The runtime is dropped right after a spawn from outside: the task may still be in
/// the inject queue, or be polled (and go idle) concurrently with the shutdown. Its
/// future is dropped exactly once either way.
#[test]
fn shutdown_with_queued_or_idle_task() {
    loom::model(|| {
        let rt = runtime(2);
        let drops = Tally::new();
        let probe = drops.probe();
        drop(rt.spawn(async move {
            let _probe = probe;
            pending_forever().await;
        }));
        drop(rt);
        assert_eq!(drops.get(), 1);
    });
}

/// The runtime is dropped while a task may be running: it yields once (so it is queued
/// again, behind nothing) and then completes. Shutdown either finds it queued, running
/// (and cancels it when the poll returns) or complete; the future is dropped once.
#[test]
fn shutdown_races_running_task() {
    loom::model(|| {
        let rt = runtime(2);
        let drops = Tally::new();
        let probe = drops.probe();
        let task = rt.spawn(async move {
            let _probe = probe;
            rt_sched::task::yield_now().await;
        });
        drop(rt);
        assert_eq!(drops.get(), 1);
        drop(task);
    });
}
