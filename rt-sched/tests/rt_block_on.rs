//! `block_on`: refused (with a clear panic) on a thread that already runs a runtime,
//! allowed from blocking closures and plain threads, and shared between threads on
//! the current-thread runtime.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::channel::oneshot;
use rt_sched::Handle;
use support::{each_flavor, expect_panic, panic_message, watchdog};

fn assert_block_on_message(message: &str) {
    assert!(message.contains("within a runtime"), "unclear message: {message}");
    assert!(message.contains("block_on"), "unclear message: {message}");
}

#[test]
fn block_on_inside_a_task_panics() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let err = rt_sched::spawn(async { Handle::current().block_on(async { 1 }) })
                .await
                .unwrap_err();
            assert!(err.is_panic(), "{err:?}");
            assert_block_on_message(&panic_message(&*err.into_panic()));
            // The worker (or the driving thread) carries on.
            assert_eq!(rt_sched::spawn(async { 2 }).await.unwrap(), 2);
        });
    });
}

#[test]
fn block_on_inside_a_task_can_be_caught() {
    each_flavor(|_, rt| {
        let out = rt.block_on(async {
            rt_sched::spawn(async {
                let handle = Handle::current();
                let message = expect_panic(|| handle.block_on(async { 1 }));
                assert_block_on_message(&message);
                // The refused call changed nothing: the task goes on normally.
                rt_sched::task::yield_now().await;
                rt_sched::spawn(async { 3 }).await.unwrap()
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 3);
    });
}

#[test]
fn nested_block_on_panics() {
    each_flavor(|_, rt| {
        let handle = rt.handle().clone();
        let out = rt.block_on(async move {
            let message = expect_panic(|| handle.block_on(async { 1 }));
            assert_block_on_message(&message);
            4
        });
        assert_eq!(out, 4);
        // The refusal left no trace: the thread can block on the runtime again.
        assert_eq!(rt.block_on(async { 5 }), 5);
    });
}

#[test]
fn block_on_another_runtime_inside_a_task_panics() {
    each_flavor(|flavor, rt| {
        let other = support::Flavor::ALL
            .into_iter()
            .find(|f| *f != flavor)
            .unwrap()
            .runtime();
        let other_handle = other.handle().clone();
        let err = rt
            .block_on(rt.spawn(async move { other_handle.block_on(async { 1 }) }))
            .unwrap_err();
        assert!(err.is_panic());
        assert_block_on_message(&panic_message(&*err.into_panic()));
        drop(other);
    });
}

#[test]
fn block_on_from_a_blocking_closure_is_allowed() {
    each_flavor(|_, rt| {
        let out = rt.block_on(async {
            let handle = Handle::current();
            rt_sched::spawn_blocking(move || handle.block_on(async { rt_sched::spawn(async { 6 }).await.unwrap() }))
                .await
                .unwrap()
        });
        assert_eq!(out, 6);
    });
}

#[test]
fn block_on_from_several_threads_on_a_multi_thread_runtime() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Arc::new(support::multi_thread(2));
        let threads: Vec<_> = (0..4u64)
            .map(|t| {
                let rt = rt.clone();
                std::thread::spawn(move || {
                    rt.block_on(async move {
                        let handles: Vec<_> = (0..100u64).map(|i| rt_sched::spawn(async move { t * i })).collect();
                        let mut sum = 0;
                        for handle in handles {
                            sum += handle.await.unwrap();
                        }
                        sum
                    })
                })
            })
            .collect();
        for (t, thread) in (0u64..).zip(threads) {
            assert_eq!(thread.join().unwrap(), t * 4950);
        }
    });
}

#[test]
fn block_on_wakes_from_another_thread() {
    each_flavor(|_, rt| {
        let (tx, rx) = oneshot::channel();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(8).unwrap();
        });
        assert_eq!(rt.block_on(rx).unwrap(), 8);
        sender.join().unwrap();
    });
}

#[test]
fn current_thread_runtime_shared_by_two_block_on_threads() {
    // Thread A drives the runtime; thread B's `block_on` only polls its own future and
    // still sees the task it spawned complete (A runs it).
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Arc::new(support::current_thread());
        let (release_a, a_released) = oneshot::channel::<()>();
        let (b_done_tx, b_done_rx) = std::sync::mpsc::channel();
        let a = {
            let rt = rt.clone();
            std::thread::spawn(move || rt.block_on(a_released).unwrap())
        };
        std::thread::sleep(Duration::from_millis(20));
        let b = {
            let rt = rt.clone();
            std::thread::spawn(move || {
                let out = rt.block_on(async { rt_sched::spawn(async { 9 }).await.unwrap() });
                b_done_tx.send(()).unwrap();
                out
            })
        };
        b_done_rx
            .recv_timeout(Duration::from_secs(5))
            .expect("thread B's task ran on thread A");
        release_a.send(()).unwrap();
        a.join().unwrap();
        assert_eq!(b.join().unwrap(), 9);
    });
}

#[test]
fn current_thread_core_is_handed_over_when_the_driver_leaves() {
    // Thread B waits for a task that can only run once B drives the runtime: after A
    // leaves `block_on`, B must take the core over.
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Arc::new(support::current_thread());
        let (release_a, a_released) = oneshot::channel::<()>();
        let (inner_tx, inner_rx) = oneshot::channel::<u32>();
        let a = {
            let rt = rt.clone();
            std::thread::spawn(move || rt.block_on(a_released).unwrap())
        };
        std::thread::sleep(Duration::from_millis(20));
        let b = {
            let rt = rt.clone();
            std::thread::spawn(move || {
                rt.block_on(async { rt_sched::spawn(async { inner_rx.await.unwrap() }).await.unwrap() })
            })
        };
        std::thread::sleep(Duration::from_millis(20));
        release_a.send(()).unwrap();
        a.join().unwrap();
        inner_tx.send(10).unwrap();
        assert_eq!(b.join().unwrap(), 10);
    });
}

#[test]
fn block_on_drives_spawned_tasks_on_current_thread() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = support::current_thread();
        let ran = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let ran = ran.clone();
                rt.spawn(async move {
                    ran.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            ran.load(Ordering::SeqCst),
            0,
            "nothing runs until a thread drives the runtime"
        );
        rt.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
        assert_eq!(ran.load(Ordering::SeqCst), 10);
    });
}
