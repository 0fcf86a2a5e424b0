//! Aborting tasks through `JoinHandle::abort` and `AbortHandle`: idle, running,
//! never-polled and completed tasks, and `is_finished`.

mod support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::channel::oneshot;
use rt_sched::task::{self, AbortHandle, JoinHandle};
use support::{each_flavor, yield_until, Counter};

const DEADLINE: Duration = Duration::from_secs(5);

/// Spawns a task that parks forever (dropping bumps `dropped`); returns once it has
/// been polled.
async fn spawn_parked(dropped: &Counter) -> JoinHandle<()> {
    let (started, is_started) = oneshot::channel();
    let guard = dropped.guard();
    let handle = rt_sched::spawn(async move {
        let _guard = guard;
        started.send(()).unwrap();
        std::future::pending::<()>().await;
    });
    is_started.await.unwrap();
    handle
}

#[test]
fn abort_idle_task() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let handle = spawn_parked(&counted).await;
            assert!(!handle.is_finished());
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
            assert!(!err.is_panic());
            assert!(err.to_string().contains("cancelled"), "{err}");
            assert_eq!(
                counted.get(),
                1,
                "the future is dropped by the time the handle resolves"
            );
        });
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn abort_running_task_from_another_task() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let iterations = Arc::new(AtomicU64::new(0));
        let (counted, iters) = (dropped.clone(), iterations.clone());
        rt.block_on(async move {
            let guard = counted.guard();
            let spinning = iters.clone();
            let spinner = rt_sched::spawn(async move {
                let _guard = guard;
                loop {
                    spinning.fetch_add(1, Ordering::SeqCst);
                    task::yield_now().await;
                }
            });
            let abort = spinner.abort_handle();
            let seen = iters.clone();
            // The aborting task waits until the spinner really runs.
            rt_sched::spawn(async move {
                yield_until(DEADLINE, "the spinner", || seen.load(Ordering::SeqCst) >= 10).await;
                abort.abort();
            })
            .await
            .unwrap();
            let err = spinner.await.unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
        });
        assert_eq!(dropped.get(), 1);
        let after = iterations.load(Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            iterations.load(Ordering::SeqCst),
            after,
            "the aborted task no longer runs"
        );
    });
}

#[test]
fn abort_during_a_poll_takes_effect_at_the_next_pending() {
    // Needs two threads: the test thread aborts while a worker is inside the poll.
    support::watchdog(support::WATCHDOG_SECS, || {
        let rt = support::multi_thread(2);
        let started = Arc::new(AtomicBool::new(false));
        let release = Arc::new(AtomicBool::new(false));
        let after_yield = Arc::new(AtomicBool::new(false));
        let handle = {
            let (started, release, after_yield) = (started.clone(), release.clone(), after_yield.clone());
            rt.spawn(async move {
                started.store(true, Ordering::SeqCst);
                while !release.load(Ordering::SeqCst) {
                    std::hint::spin_loop();
                }
                task::yield_now().await;
                after_yield.store(true, Ordering::SeqCst);
                1
            })
        };
        assert!(support::wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
        handle.abort();
        assert!(!handle.is_finished(), "still inside its poll");
        release.store(true, Ordering::SeqCst);
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled(), "{err:?}");
        assert!(
            !after_yield.load(Ordering::SeqCst),
            "the task never resumed after the abort"
        );
    });
}

#[test]
fn abort_completed_task_still_returns_output() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let handle = rt_sched::spawn(async { "done" });
            let abort = handle.abort_handle();
            let watched = abort.clone();
            rt_sched::spawn(async move { yield_until(DEADLINE, "completion", || watched.is_finished()).await })
                .await
                .unwrap();
            assert!(handle.is_finished());
            handle.abort();
            abort.abort();
            assert_eq!(handle.await.unwrap(), "done");
        });
    });
}

#[test]
fn abort_task_that_was_never_polled() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let guard = dropped.guard();
        // Spawned from the test thread and aborted before anything drives it (on the
        // multi-thread runtime a worker may win the race and poll it once: then it
        // parks, and the abort cancels it just the same).
        let handle = rt.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        handle.abort();
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn never_polled_task_on_current_thread_is_not_polled_after_abort() {
    support::watchdog(support::WATCHDOG_SECS, || {
        let rt = support::current_thread();
        let polled = Arc::new(AtomicBool::new(false));
        let flag = polled.clone();
        let handle = rt.spawn(async move { flag.store(true, Ordering::SeqCst) });
        handle.abort();
        assert!(rt.block_on(handle).unwrap_err().is_cancelled());
        assert!(
            !polled.load(Ordering::SeqCst),
            "an aborted task that never ran is not polled"
        );
    });
}

#[test]
fn abort_handle_aborts_idle_task() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let handle = spawn_parked(&counted).await;
            let abort: AbortHandle = handle.abort_handle();
            assert_eq!(abort.id(), handle.id());
            let clone = abort.clone();
            assert!(!clone.is_finished());
            clone.abort();
            assert!(handle.await.unwrap_err().is_cancelled());
            assert!(abort.is_finished());
        });
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn abort_handle_works_after_join_handle_is_dropped() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let handle = spawn_parked(&counted).await;
            let abort = handle.abort_handle();
            drop(handle); // detached: only the abort handle is left
            assert!(!abort.is_finished());
            abort.abort();
            // Wait from a task so the runtime keeps running while we poll.
            rt_sched::spawn(async move {
                yield_until(DEADLINE, "the aborted task to finish", || abort.is_finished()).await;
            })
            .await
            .unwrap();
            assert_eq!(counted.get(), 1);
        });
    });
}

#[test]
fn task_aborting_itself_stops_at_its_next_await() {
    each_flavor(|_, rt| {
        let reached = Arc::new(AtomicBool::new(false));
        let flag = reached.clone();
        rt.block_on(async move {
            let (tx, rx) = oneshot::channel::<AbortHandle>();
            let handle = rt_sched::spawn(async move {
                let me = rx.await.unwrap();
                me.abort();
                task::yield_now().await;
                flag.store(true, Ordering::SeqCst);
            });
            tx.send(handle.abort_handle()).unwrap();
            assert!(handle.await.unwrap_err().is_cancelled());
        });
        assert!(!reached.load(Ordering::SeqCst));
    });
}

#[test]
fn aborting_many_parked_tasks_drops_each_future_once() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let mut handles = Vec::new();
            for _ in 0..500 {
                handles.push(spawn_parked(&counted).await);
            }
            for handle in &handles {
                handle.abort();
                handle.abort(); // twice is harmless
            }
            for handle in handles {
                assert!(handle.await.unwrap_err().is_cancelled());
            }
        });
        assert_eq!(dropped.get(), 500);
    });
}

#[test]
fn is_finished_tracks_completion() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (tx, rx) = oneshot::channel::<u8>();
            let handle = rt_sched::spawn(async move { rx.await.unwrap() });
            assert!(!handle.is_finished());
            tx.send(4).unwrap();
            let abort = handle.abort_handle();
            rt_sched::spawn(async move {
                yield_until(DEADLINE, "completion", || abort.is_finished()).await;
            })
            .await
            .unwrap();
            assert!(handle.is_finished());
            assert_eq!(handle.await.unwrap(), 4);
        });
    });
}
