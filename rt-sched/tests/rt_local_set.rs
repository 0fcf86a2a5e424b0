//! `LocalSet` and `spawn_local`: `!Send` tasks on the owning thread, woken from
//! anywhere, dropped on the owning thread.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{mpsc, Arc, Mutex};
use std::task::Waker;
use std::thread::ThreadId;
use std::time::Duration;

use futures::channel::oneshot;
use rt_sched::task::{self, spawn_local, JoinHandle, LocalSet};
use support::{each_flavor, expect_panic};

#[test]
fn spawn_local_runs_rc_futures_with_run_until() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let shared = Rc::new(RefCell::new(Vec::new()));
        let out = local.block_on(&rt, {
            let shared = shared.clone();
            async move {
                let handles: Vec<JoinHandle<u32>> = (0..10u32)
                    .map(|i| {
                        let shared = shared.clone(); // an `Rc`: not `Send`
                        spawn_local(async move {
                            task::yield_now().await;
                            shared.borrow_mut().push(i);
                            i * i
                        })
                    })
                    .collect();
                let mut sum = 0;
                for handle in handles {
                    sum += handle.await.unwrap();
                }
                sum
            }
        });
        assert_eq!(out, 285);
        let mut seen = shared.borrow().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    });
}

#[test]
fn local_tasks_run_on_the_owning_thread() {
    each_flavor(|_, rt| {
        let owner = std::thread::current().id();
        let local = LocalSet::new();
        let threads: Vec<ThreadId> = local.block_on(&rt, async {
            let mut threads = Vec::new();
            for _ in 0..20 {
                threads.push(spawn_local(async { std::thread::current().id() }).await.unwrap());
            }
            threads
        });
        assert!(threads.iter().all(|t| *t == owner));
    });
}

#[test]
fn awaiting_the_set_runs_every_task_to_completion() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        for i in 0..5u32 {
            let log = log.clone();
            local.spawn_local(async move {
                // A task spawning another one: the set waits for it too.
                let inner_log = log.clone();
                spawn_local(async move {
                    task::yield_now().await;
                    inner_log.borrow_mut().push(100 + i);
                });
                task::yield_now().await;
                log.borrow_mut().push(i);
            });
        }
        assert!(log.borrow().is_empty(), "nothing runs before the set does");
        rt.block_on(local);
        let mut seen = log.borrow().clone();
        seen.sort_unstable();
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 100, 101, 102, 103, 104]);
    });
}

#[test]
fn awaiting_an_empty_set_returns_at_once() {
    each_flavor(|_, rt| {
        rt.block_on(LocalSet::new());
    });
}

#[test]
fn local_task_woken_from_a_plain_thread() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let (tx, rx) = oneshot::channel::<u32>();
        let counter = Rc::new(Cell::new(0));
        let seen = counter.clone();
        let out = local.block_on(&rt, async move {
            let handle = spawn_local(async move {
                let value = rx.await.unwrap();
                seen.set(seen.get() + 1);
                value
            });
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                tx.send(7).unwrap();
            });
            handle.await.unwrap()
        });
        assert_eq!(out, 7);
        assert_eq!(counter.get(), 1);
    });
}

#[test]
fn local_task_woken_from_a_runtime_task() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let out = local.block_on(&rt, async {
            let (tx, rx) = oneshot::channel::<u32>();
            let marker = Rc::new(()); // keeps the local task `!Send`
            let local_task = spawn_local(async move {
                let _marker = marker;
                rx.await.unwrap() * 2
            });
            rt_sched::spawn(async move {
                task::yield_now().await;
                tx.send(21).unwrap();
            });
            local_task.await.unwrap()
        });
        assert_eq!(out, 42);
    });
}

#[test]
fn run_until_leaves_unfinished_tasks_in_the_set() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let (tx, rx) = oneshot::channel::<u32>();
        let handle = local.spawn_local(async move { rx.await.unwrap() });
        // The first run ends with the task still waiting.
        local.block_on(&rt, async { task::yield_now().await });
        assert!(!handle.is_finished());
        tx.send(5).unwrap();
        // The next run picks it up again.
        assert_eq!(local.block_on(&rt, handle).unwrap(), 5);
    });
}

/// Records the thread it is dropped on.
struct RecordDrop(Arc<Mutex<Vec<ThreadId>>>);

impl Drop for RecordDrop {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(std::thread::current().id());
    }
}

#[test]
fn dropping_the_set_drops_pending_futures_on_the_owning_thread() {
    each_flavor(|_, rt| {
        let drops = Arc::new(Mutex::new(Vec::new()));
        let owner = std::thread::current().id();
        let local = LocalSet::new();
        let (waker_tx, waker_rx) = mpsc::channel::<Waker>();
        let mut handles = Vec::new();
        for i in 0..20 {
            let record = RecordDrop(drops.clone());
            let marker = Rc::new(i);
            let waker_tx = waker_tx.clone();
            handles.push(local.spawn_local(async move {
                let _record = record;
                let _marker = marker;
                // Park, handing the waker out so another thread can wake us later.
                std::future::poll_fn(|cx| {
                    let _ = waker_tx.send(cx.waker().clone());
                    std::task::Poll::<()>::Pending
                })
                .await;
            }));
        }
        // One short run: the `run_until` future yields once, and the set polls each
        // queued task once meanwhile.
        local.block_on(&rt, async { task::yield_now().await });
        let wakers: Vec<Waker> = waker_rx.try_iter().collect();
        assert_eq!(wakers.len(), 20, "the parked tasks ran once");
        // Some are queued and never run at all.
        for _ in 0..5 {
            let record = RecordDrop(drops.clone());
            handles.push(local.spawn_local(async move {
                let _record = record;
            }));
        }
        // Wake some from another thread: they sit in the set's remote queue.
        let to_wake = wakers.clone();
        std::thread::spawn(move || to_wake.iter().for_each(Waker::wake_by_ref))
            .join()
            .unwrap();
        drop(local);
        let drops = drops.lock().unwrap().clone();
        assert_eq!(drops.len(), 25, "every future dropped exactly once");
        assert!(drops.iter().all(|t| *t == owner), "dropped on the owning thread");
        for handle in handles {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
        // Wakes after the set is gone are harmless, from any thread.
        std::thread::spawn(move || wakers.into_iter().for_each(Waker::wake))
            .join()
            .unwrap();
    });
}

#[test]
fn join_handles_of_a_dropped_set_report_cancellation() {
    // A set that never ran, outside any runtime.
    let local = LocalSet::new();
    let handle = local.spawn_local(std::future::pending::<()>());
    drop(local);
    let err = futures::executor::block_on(handle).unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn spawn_local_outside_a_local_set_panics() {
    let message = expect_panic(|| spawn_local(async {}));
    assert!(message.contains("LocalSet"), "{message}");
    each_flavor(|_, rt| {
        // Inside a runtime, but not inside a set.
        let message = rt.block_on(async { expect_panic(|| spawn_local(async {})) });
        assert!(message.contains("LocalSet"), "{message}");
        let err = rt
            .block_on(rt.spawn(async { drop(spawn_local(async {})) }))
            .unwrap_err();
        assert!(err.is_panic());
    });
}

#[test]
fn local_task_panic_is_reported() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let err = local.block_on(&rt, async {
            spawn_local(async { panic!("local boom") }).await.unwrap_err()
        });
        assert!(err.is_panic());
        assert_eq!(support::panic_message(&*err.into_panic()), "local boom");
        // The set still runs tasks.
        assert_eq!(
            local.block_on(&rt, async { spawn_local(async { 1 }).await.unwrap() }),
            1
        );
    });
}

#[test]
fn many_local_tasks() {
    each_flavor(|_, rt| {
        let local = LocalSet::new();
        let total = Rc::new(Cell::new(0u64));
        for i in 0..10_000u64 {
            let total = total.clone();
            local.spawn_local(async move {
                task::yield_now().await;
                total.set(total.get() + i);
            });
        }
        rt.block_on(local);
        assert_eq!(total.get(), 10_000 * 9_999 / 2);
    });
}

#[test]
fn local_set_in_a_blocking_closure() {
    each_flavor(|_, rt| {
        let out = rt.block_on(async {
            let handle = rt_sched::Handle::current();
            rt_sched::spawn_blocking(move || {
                let local = LocalSet::new();
                let value = Rc::new(3);
                handle.block_on(local.run_until(async move { spawn_local(async move { *value + 1 }).await.unwrap() }))
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 4);
    });
}
