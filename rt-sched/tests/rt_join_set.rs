//! `JoinSet`: completion order, aborting, dropping, `try_join_next`, sizes, blocking
//! and local tasks, and ten thousand tasks.

mod support;

use std::collections::HashMap;
use std::time::Duration;

use futures::channel::oneshot;
use futures::FutureExt;
use rt_sched::task::{self, AbortHandle, JoinSet, LocalSet};
use support::{each_flavor, yield_until, Counter};

const DEADLINE: Duration = Duration::from_secs(5);

#[test]
fn join_next_returns_in_completion_order() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let mut senders = Vec::new();
            for i in 0..5u32 {
                let (tx, rx) = oneshot::channel::<()>();
                senders.push(tx);
                set.spawn(async move {
                    rx.await.unwrap();
                    i
                });
            }
            // Release them in an order unrelated to the spawn order, one at a time.
            let order = [3usize, 0, 4, 1, 2];
            let mut senders: Vec<Option<oneshot::Sender<()>>> = senders.into_iter().map(Some).collect();
            let mut joined = Vec::new();
            for &i in &order {
                senders[i].take().unwrap().send(()).unwrap();
                joined.push(set.join_next().await.unwrap().unwrap());
            }
            assert_eq!(joined, order.iter().map(|&i| i as u32).collect::<Vec<_>>());
            assert!(set.join_next().await.is_none());
        });
    });
}

#[test]
fn len_and_is_empty() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set: JoinSet<u32> = JoinSet::new();
            assert!(set.is_empty());
            assert_eq!(set.len(), 0);
            for i in 0..10 {
                set.spawn(async move { i });
            }
            assert_eq!(set.len(), 10);
            assert!(!set.is_empty());
            // Finished tasks count until they are joined.
            let mut total = 0;
            for left in (0..10).rev() {
                total += set.join_next().await.unwrap().unwrap();
                assert_eq!(set.len(), left);
            }
            assert_eq!(total, 45);
            assert!(set.is_empty());
            assert!(set.join_next().await.is_none());
        });
    });
}

#[test]
fn try_join_next() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set: JoinSet<u32> = JoinSet::new();
            assert!(set.try_join_next().is_none(), "empty set");
            let (tx, rx) = oneshot::channel::<()>();
            set.spawn(async move {
                rx.await.unwrap();
                8
            });
            assert!(set.try_join_next().is_none(), "nothing finished yet");
            assert_eq!(set.len(), 1);
            tx.send(()).unwrap();
            // Poll from a task-friendly loop until it shows up.
            let mut found = None;
            for _ in 0..100_000 {
                if let Some(result) = set.try_join_next() {
                    found = Some(result.unwrap());
                    break;
                }
                // Let the runtime run the task (not `yield_now` on the block_on future:
                // wait on a spawned task instead).
                rt_sched::spawn(async {}).await.unwrap();
            }
            assert_eq!(found, Some(8));
            assert!(set.is_empty());
            assert!(set.try_join_next().is_none());
        });
    });
}

#[test]
fn abort_all_then_join_reports_cancellations() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let mut set = JoinSet::new();
            for _ in 0..50 {
                set.spawn(counted.pending_forever());
            }
            set.spawn(async {}); // may finish before the abort: then it is Ok
            set.abort_all();
            assert_eq!(set.len(), 51, "aborted tasks stay until joined");
            let (mut cancelled, mut ok) = (0, 0);
            while let Some(result) = set.join_next().await {
                match result {
                    Ok(()) => ok += 1,
                    Err(e) if e.is_cancelled() => cancelled += 1,
                    Err(e) => panic!("{e:?}"),
                }
            }
            assert!(
                cancelled >= 50 && cancelled + ok == 51,
                "cancelled {cancelled}, ok {ok}"
            );
            assert_eq!(counted.get(), 50);
        });
        assert_eq!(dropped.get(), 50);
    });
}

#[test]
fn shutdown_aborts_and_waits() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(async move {
            let mut set = JoinSet::new();
            for _ in 0..100 {
                set.spawn(counted.pending_forever());
            }
            set.shutdown().await;
            assert!(set.is_empty());
            assert_eq!(counted.get(), 100, "every task stopped when shutdown returns");
            // The set is reusable afterwards.
            set.spawn(async {});
            assert!(set.join_next().await.unwrap().is_ok());
        });
    });
}

#[test]
fn dropping_the_set_aborts_its_tasks() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let counted = dropped.clone();
        rt.block_on(rt.spawn(async move {
            let mut set = JoinSet::new();
            let (started_tx, mut started_rx) = futures::channel::mpsc::unbounded::<()>();
            for _ in 0..100 {
                let (guard, started) = (counted.guard(), started_tx.clone());
                set.spawn(async move {
                    let _guard = guard;
                    started.unbounded_send(()).unwrap();
                    std::future::pending::<()>().await;
                });
            }
            for _ in 0..100 {
                futures::StreamExt::next(&mut started_rx).await.unwrap();
            }
            assert_eq!(counted.get(), 0);
            drop(set);
            yield_until(DEADLINE, "the aborted tasks to be dropped", || counted.get() == 100).await;
        }))
        .unwrap();
        assert_eq!(dropped.get(), 100);
    });
}

#[test]
fn abort_handle_from_spawn_aborts_one_task() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let (tx, rx) = oneshot::channel::<()>();
            let victim: AbortHandle = set.spawn(std::future::pending::<u32>().map(|_| 0));
            set.spawn(async move {
                rx.await.unwrap();
                1
            });
            victim.abort();
            let first = set.join_next().await.unwrap().unwrap_err();
            assert!(first.is_cancelled());
            assert_eq!(first.id(), victim.id());
            tx.send(()).unwrap();
            assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
        });
    });
}

#[test]
fn join_next_with_id_matches_abort_handles() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let mut ids = HashMap::new();
            for i in 0..20u32 {
                let abort = set.spawn(async move { i });
                ids.insert(abort.id(), i);
            }
            while let Some(result) = set.join_next_with_id().await {
                let (id, value) = result.unwrap();
                assert_eq!(ids.remove(&id), Some(value), "id {id} does not match");
            }
            assert!(ids.is_empty());
        });
    });
}

#[test]
fn spawn_blocking_in_a_set() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..8u64 {
                set.spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(5));
                    i * 10
                });
            }
            set.spawn(async { 1000 });
            let mut total = 0;
            while let Some(result) = set.join_next().await {
                total += result.unwrap();
            }
            assert_eq!(total, 280 + 1000);
        });
    });
}

#[test]
fn ten_thousand_tasks() {
    each_flavor(|_, rt| {
        let total = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..10_000u64 {
                set.spawn(async move {
                    if i % 3 == 0 {
                        task::yield_now().await;
                    }
                    i
                });
            }
            assert_eq!(set.len(), 10_000);
            let mut total = 0;
            let mut joined = 0;
            while let Some(result) = set.join_next().await {
                total += result.unwrap();
                joined += 1;
            }
            assert_eq!(joined, 10_000);
            total
        });
        assert_eq!(total, 10_000 * 9_999 / 2);
    });
}

#[test]
fn panicking_task_in_a_set() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { panic!("set boom") });
            let (mut panics, mut oks) = (0, 0);
            for i in 0..5u32 {
                set.spawn(async move { i });
            }
            while let Some(result) = set.join_next().await {
                match result {
                    Ok(_) => oks += 1,
                    Err(e) => {
                        assert!(e.is_panic());
                        panics += 1;
                    }
                }
            }
            assert_eq!((panics, oks), (1, 5));
        });
    });
}

#[test]
fn join_next_is_cancel_safe() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut set = JoinSet::new();
            let (tx, rx) = oneshot::channel::<()>();
            set.spawn(async move {
                rx.await.unwrap();
                6
            });
            // Poll `join_next` once and drop it while the task is still running.
            assert!(set.join_next().now_or_never().is_none());
            tx.send(()).unwrap();
            assert_eq!(set.join_next().await.unwrap().unwrap(), 6);
        });
    });
}

#[test]
fn spawn_on_from_a_plain_thread() {
    each_flavor(|_, rt| {
        let handle = rt.handle().clone();
        let mut set = std::thread::spawn(move || {
            let mut set = JoinSet::new();
            for i in 0..10u32 {
                set.spawn_on(async move { i }, &handle);
            }
            set
        })
        .join()
        .unwrap();
        let total = rt.block_on(async move {
            let mut total = 0;
            while let Some(result) = set.join_next().await {
                total += result.unwrap();
            }
            total
        });
        assert_eq!(total, 45);
    });
}

#[test]
fn detach_all_lets_tasks_run_on() {
    each_flavor(|_, rt| {
        let done = Counter::new();
        let counted = done.clone();
        rt.block_on(rt.spawn(async move {
            let mut set = JoinSet::new();
            for _ in 0..10 {
                let done = counted.clone();
                set.spawn(async move {
                    task::yield_now().await;
                    done.incr();
                });
            }
            set.detach_all();
            assert!(set.is_empty());
            drop(set); // does not abort detached tasks
            yield_until(DEADLINE, "the detached tasks", || counted.get() == 10).await;
        }))
        .unwrap();
        assert_eq!(done.get(), 10);
    });
}

#[test]
fn spawn_local_in_a_set() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let total = local.block_on(&rt, async {
            let mut set = JoinSet::new();
            for i in 0..10u32 {
                let value = std::rc::Rc::new(i); // not `Send`
                set.spawn_local(async move { *value });
            }
            let mut total = 0;
            while let Some(result) = set.join_next().await {
                total += result.unwrap();
            }
            total
        });
        assert_eq!(total, 45);
    });
}

#[test]
fn dropping_the_set_drops_unjoined_outputs() {
    each_flavor(|_, rt| {
        let outputs = Counter::new();
        let counted = outputs.clone();
        rt.block_on(rt.spawn(async move {
            let mut set = JoinSet::new();
            for _ in 0..50 {
                set.spawn(std::future::ready(counted.guard()));
            }
            // Join one, leave the rest finished but unjoined.
            drop(set.join_next().await.unwrap().unwrap());
            assert_eq!(counted.get(), 1);
            let watched = counted.clone();
            drop(set);
            yield_until(DEADLINE, "the outputs", || watched.get() == 50).await;
        }))
        .unwrap();
        assert_eq!(outputs.get(), 50);
    });
}
