//! Loom models of `JoinSet` on a two-worker runtime: results arriving while the set
//! waits, `abort_all` racing completion, and dropping the set while its tasks run.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-sched --test loom_join_set`.
//!
//! The set lives in a task, so its two tasks are spawned from a worker (one into its
//! LIFO slot, one into its queue, where the other worker may steal it) and complete on
//! either worker while `join_next` runs on the first: a lost entry wake-up (a task
//! completing between `join_next` polling its handle and the task going idle) shows up
//! as a loom deadlock. `block_on` only waits for that task; with the set in `block_on`
//! itself the models have over a million executions even at one preemption.
//!
//! The models explore at most one preemption per execution (`model_with_preemptions`):
//! at one they run 180 to 300 thousand executions (20 to 35 s each in release); a
//! second preemption multiplies that by well over ten.
#![cfg(loom)]

mod loom_support;

use loom_support::{model_with_preemptions, pending_forever, runtime, Counter, Tally};
use rt_sched::task::JoinSet;

/// Two tasks complete while `join_next` waits: both results arrive, in either order,
/// and then the set is empty.
#[test]
fn join_next_twice() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let owner = rt.spawn(async {
            let mut set = JoinSet::new();
            set.spawn(async { 1 });
            set.spawn(async { 2 });
            let first = set.join_next().await.unwrap().unwrap();
            let second = set.join_next().await.unwrap().unwrap();
            assert_eq!(first + second, 3, "got {first} and {second}");
            assert!(set.is_empty());
            assert!(set.join_next().await.is_none());
        });
        rt.block_on(owner).unwrap();
    });
}

/// `abort_all` right after the spawns: each task is cancelled (queued or idle) or
/// completes anyway (it was running), and each result says which. Each future is
/// dropped exactly once, before its result is handed out.
#[test]
fn abort_all_races_completion() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let drops = Tally::new();
        let owner = rt.spawn({
            let drops = drops.clone();
            async move {
                let mut set = JoinSet::new();
                for value in [1, 2] {
                    let probe = drops.probe();
                    set.spawn(async move {
                        let _probe = probe;
                        value
                    });
                }
                set.abort_all();
                let mut results = 0;
                while let Some(result) = set.join_next().await {
                    match result {
                        Ok(value) => assert!(value == 1 || value == 2, "unexpected output {value}"),
                        Err(e) => assert!(e.is_cancelled(), "task failed other than by abort: {e}"),
                    }
                    results += 1;
                    // The other task's future may be gone already; this one's must be.
                    assert!(
                        drops.get() >= results,
                        "a result was handed out before its future was dropped"
                    );
                }
                assert_eq!(results, 2);
                assert!(set.is_empty());
            }
        });
        rt.block_on(owner).unwrap();
        assert_eq!(drops.get(), 2);
    });
}

/// Dropping the set aborts its tasks, which may be queued, being polled or idle: both
/// futures get dropped (without waiting for the runtime's shutdown), exactly once.
#[test]
fn drop_set_while_tasks_run() {
    model_with_preemptions(1, || {
        let rt = runtime(2);
        let drops = Counter::new();
        let owner = rt.spawn({
            let drops = drops.clone();
            async move {
                let mut set = JoinSet::new();
                for _ in 0..2 {
                    let probe = drops.probe();
                    set.spawn(async move {
                        let _probe = probe;
                        pending_forever().await;
                    });
                }
                drop(set);
                drops.wait_for(2).await;
            }
        });
        rt.block_on(owner).unwrap();
        drop(rt);
        assert_eq!(drops.get(), 2);
    });
}
