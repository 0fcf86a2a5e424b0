//! Spawning: a million tasks, spawning through a `Handle` from plain threads, the
//! current-runtime lookups, and spawning outside a runtime or after it is gone.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rt_sched::task::{self, JoinHandle};
use rt_sched::{Handle, Runtime, RuntimeFlavor};
use support::{each_flavor, expect_panic, wait_until, watchdog, Counter, Flavor};

/// Tasks in the million-task tests, in every profile: a million spawns and joins take
/// about 4 s in the debug profile on a 2-CPU machine. Should that grow past ~10 s, gate
/// it as `if cfg!(debug_assertions) { 200_000 } else { 1_000_000 }`.
const MANY: u64 = 1_000_000;

/// Spawns `MANY` tasks from inside a task, joins them in order and checks every output.
fn many_tasks(rt: &Runtime) {
    let sum = rt.block_on(async {
        rt_sched::spawn(async {
            let handles: Vec<JoinHandle<u64>> = (0..MANY).map(|i| rt_sched::spawn(async move { i * 3 })).collect();
            let mut sum = 0u64;
            for (i, handle) in (0u64..).zip(handles) {
                let out = handle.await.expect("task failed");
                assert_eq!(out, i * 3, "output of task {i}");
                sum += out;
            }
            sum
        })
        .await
        .expect("spawning task failed")
    });
    assert_eq!(sum, 3 * MANY * (MANY - 1) / 2);
    let metrics = rt.metrics();
    assert!(
        metrics.spawned_tasks_count() > MANY,
        "spawned {}",
        metrics.spawned_tasks_count()
    );
    assert!(
        wait_until(Duration::from_secs(5), || metrics.num_alive_tasks() == 0),
        "tasks left alive"
    );
}

#[test]
fn million_tasks_multi_thread() {
    watchdog(60, || many_tasks(&support::multi_thread(2)));
}

#[test]
fn million_tasks_current_thread() {
    watchdog(60, || many_tasks(&support::current_thread()));
}

#[test]
fn spawn_from_plain_threads_through_handle() {
    each_flavor(|_, rt| {
        let handle = rt.handle().clone();
        let spawners: Vec<_> = (0..4u64)
            .map(|t| {
                let handle = handle.clone();
                std::thread::spawn(move || {
                    assert!(Handle::try_current().is_err(), "a plain thread has no runtime");
                    (0..250u64)
                        .map(|i| handle.spawn(async move { t * 1000 + i }))
                        .collect::<Vec<_>>()
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect::<Vec<_>>();
        let outputs = rt.block_on(async move {
            let mut outputs = Vec::new();
            for handle in spawners {
                outputs.push(handle.await.unwrap());
            }
            outputs
        });
        let expected: Vec<u64> = (0..4u64).flat_map(|t| (0..250u64).map(move |i| t * 1000 + i)).collect();
        assert_eq!(outputs, expected);
    });
}

#[test]
fn multi_thread_runs_remote_spawns_without_block_on() {
    // Nobody calls `block_on`: the workers alone must run what a plain thread spawns.
    watchdog(20, || {
        let rt = support::multi_thread(2);
        let handle = rt.handle().clone();
        let outputs = std::thread::spawn(move || {
            let handles: Vec<_> = (0..100u32).map(|i| handle.spawn(async move { i + 1 })).collect();
            handles
                .into_iter()
                .map(|h| futures::executor::block_on(h).unwrap())
                .collect::<Vec<_>>()
        })
        .join()
        .unwrap();
        assert_eq!(outputs, (1..=100).collect::<Vec<_>>());
    });
}

#[test]
fn handle_current_inside_tasks_and_blocking_closures() {
    each_flavor(|flavor, rt| {
        let expected = match flavor {
            Flavor::CurrentThread => RuntimeFlavor::CurrentThread,
            Flavor::MultiThread => RuntimeFlavor::MultiThread,
        };
        assert_eq!(rt.handle().runtime_flavor(), expected);
        let (in_task, nested, in_blocking) = rt.block_on(async {
            let in_task = rt_sched::spawn(async {
                let handle = Handle::current();
                // The handle from inside a task spawns onto the same runtime.
                let nested = handle
                    .spawn(async { Handle::current().runtime_flavor() })
                    .await
                    .unwrap();
                (handle.runtime_flavor(), nested)
            })
            .await
            .unwrap();
            let in_blocking = rt_sched::spawn_blocking(|| {
                let handle = Handle::try_current().expect("a blocking closure runs inside its runtime");
                let spawned = handle.spawn(async { 7 });
                (handle.runtime_flavor(), handle.block_on(spawned).unwrap())
            })
            .await
            .unwrap();
            (in_task.0, in_task.1, in_blocking)
        });
        assert_eq!(in_task, expected);
        assert_eq!(nested, expected);
        assert_eq!(in_blocking, (expected, 7));
    });
}

#[test]
fn try_current_outside_a_runtime_is_a_helpful_error() {
    let err = Handle::try_current().expect_err("no runtime on the test thread");
    let message = err.to_string();
    assert!(message.contains("no current runtime"), "{message}");
    assert!(
        message.contains("block_on") && message.contains("Handle::enter"),
        "unhelpful: {message}"
    );
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(err);
    assert!(!boxed.to_string().is_empty());
    let panic = expect_panic(Handle::current);
    assert!(panic.contains("no current runtime"), "{panic}");
}

#[test]
fn spawn_outside_a_runtime_panics() {
    let message = expect_panic(|| rt_sched::spawn(async {}));
    assert!(message.contains("outside of a runtime"), "{message}");
    let message = expect_panic(|| rt_sched::spawn_blocking(|| {}));
    assert!(message.contains("outside of a runtime"), "{message}");
}

#[test]
fn enter_makes_spawn_work_outside_block_on() {
    each_flavor(|_, rt| {
        let handle = {
            let _guard = rt.enter();
            assert!(Handle::try_current().is_ok());
            rt_sched::spawn(async { "entered" })
        };
        assert!(Handle::try_current().is_err(), "the guard restores the previous state");
        assert_eq!(rt.block_on(handle).unwrap(), "entered");
    });
}

#[test]
fn nested_enter_restores_the_outer_runtime() {
    let outer = support::current_thread();
    let inner = support::multi_thread(1);
    let _outer_guard = outer.enter();
    {
        let _inner_guard = inner.enter();
        assert_eq!(Handle::current().runtime_flavor(), RuntimeFlavor::MultiThread);
    }
    assert_eq!(Handle::current().runtime_flavor(), RuntimeFlavor::CurrentThread);
}

#[test]
fn spawn_through_handle_after_runtime_dropped_is_cancelled() {
    each_flavor(|_, rt| {
        let handle = rt.handle().clone();
        drop(rt);
        let dropped = Counter::new();
        let join = handle.spawn(dropped.pending_forever());
        assert_eq!(dropped.get(), 1, "the future is dropped at once, exactly once");
        let err = futures::executor::block_on(join).expect_err("no runtime to run it");
        assert!(err.is_cancelled(), "{err}");
        let err = futures::executor::block_on(handle.spawn_blocking(|| 1)).expect_err("no pool to run it");
        assert!(err.is_cancelled(), "{err}");
    });
}

#[test]
fn task_ids_are_unique_and_match_join_handles() {
    each_flavor(|_, rt| {
        assert!(task::try_id().is_none(), "no task on the test thread");
        rt.block_on(async {
            let handles: Vec<_> = (0..100).map(|_| rt_sched::spawn(async { task::id() })).collect();
            let mut seen = HashSet::new();
            for handle in handles {
                let id = handle.id();
                assert_eq!(handle.await.unwrap(), id);
                assert!(seen.insert(id), "duplicate task id {id}");
            }
        });
    });
}

#[test]
fn deep_spawn_chains_complete() {
    fn chain(depth: u32) -> JoinHandle<u32> {
        rt_sched::spawn(async move {
            if depth == 0 {
                0
            } else {
                chain(depth - 1).await.unwrap() + 1
            }
        })
    }
    each_flavor(|_, rt| {
        assert_eq!(rt.block_on(async { chain(1000).await.unwrap() }), 1000);
    });
}

#[test]
fn tasks_woken_from_plain_threads_complete() {
    each_flavor(|_, rt| {
        let (senders, receivers): (Vec<_>, Vec<_>) = (0..50).map(|_| futures::channel::oneshot::channel()).unzip();
        let handles: Vec<_> = {
            let _guard = rt.enter();
            receivers
                .into_iter()
                .map(|rx| rt_sched::spawn(async move { rx.await.unwrap() * 2 }))
                .collect()
        };
        let sender = std::thread::spawn(move || {
            for (i, tx) in (0u32..).zip(senders) {
                std::thread::sleep(Duration::from_micros(200));
                tx.send(i).unwrap();
            }
        });
        let outputs = rt.block_on(async {
            let mut outputs = Vec::new();
            for handle in handles {
                outputs.push(handle.await.unwrap());
            }
            outputs
        });
        sender.join().unwrap();
        assert_eq!(outputs, (0..50).map(|i| i * 2).collect::<Vec<_>>());
    });
}

#[test]
fn detached_task_runs_to_completion_and_drops_its_output() {
    each_flavor(|_, rt| {
        let ran = Arc::new(AtomicBool::new(false));
        let outputs = Counter::new();
        let release = Arc::new(AtomicBool::new(false));
        {
            let (ran, outputs, release) = (ran.clone(), outputs.clone(), release.clone());
            drop(rt.spawn(async move {
                support::yield_until(Duration::from_secs(5), "release", || release.load(Ordering::SeqCst)).await;
                ran.store(true, Ordering::SeqCst);
                outputs.guard()
            }));
        }
        release.store(true, Ordering::SeqCst);
        // Wait from a task: on the current-thread runtime tasks only run while
        // something drives the runtime.
        let waiter = {
            let outputs = outputs.clone();
            rt.spawn(async move {
                support::yield_until(Duration::from_secs(5), "the detached task", || outputs.get() == 1).await;
            })
        };
        rt.block_on(waiter).unwrap();
        assert!(ran.load(Ordering::SeqCst));
        assert_eq!(outputs.get(), 1, "the unjoined output is dropped once");
    });
}

#[test]
fn join_handle_polled_after_completion_panics() {
    each_flavor(|_, rt| {
        let mut handle = rt.spawn(async { 1 });
        assert_eq!(rt.block_on(&mut handle).unwrap(), 1);
        let message = expect_panic(|| futures::executor::block_on(&mut handle));
        assert!(message.contains("after completion"), "{message}");
    });
}

#[test]
fn join_handles_are_awaited_across_runtimes() {
    watchdog(support::WATCHDOG_SECS, || {
        let multi = support::multi_thread(2);
        let current = support::current_thread();
        // A task of the multi-thread runtime, awaited by the current-thread one.
        let on_multi = multi.spawn(async {
            rt_sched::task::yield_now().await;
            Handle::current().runtime_flavor()
        });
        assert_eq!(current.block_on(on_multi).unwrap(), RuntimeFlavor::MultiThread);
        // And the reverse: a thread drives the current-thread runtime meanwhile.
        let current = Arc::new(current);
        let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
        let driver = {
            let current = current.clone();
            std::thread::spawn(move || current.block_on(stop_rx).unwrap())
        };
        let on_current = current.spawn(async { Handle::current().runtime_flavor() });
        assert_eq!(multi.block_on(on_current).unwrap(), RuntimeFlavor::CurrentThread);
        stop_tx.send(()).unwrap();
        driver.join().unwrap();
    });
}

#[test]
fn spawning_onto_another_runtime_from_a_task() {
    watchdog(support::WATCHDOG_SECS, || {
        let named = |name: &str| {
            rt_sched::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name(name)
                .build()
                .unwrap()
        };
        let (a, b) = (named("rt-a"), named("rt-b"));
        let b_handle = b.handle().clone();
        let thread_name = || std::thread::current().name().map(str::to_string);
        let names = a.block_on(a.spawn(async move {
            // Through the other runtime's handle, and through `spawn` after entering it.
            let direct = b_handle.spawn(async move { thread_name() });
            let entered = {
                let _guard = b_handle.enter();
                rt_sched::spawn(async move { thread_name() })
            };
            let own = rt_sched::spawn(async move { thread_name() });
            (direct.await.unwrap(), entered.await.unwrap(), own.await.unwrap())
        }));
        let (direct, entered, own) = names.unwrap();
        assert_eq!(direct.as_deref(), Some("rt-b"));
        assert_eq!(entered.as_deref(), Some("rt-b"));
        assert_eq!(
            own.as_deref(),
            Some("rt-a"),
            "the guard restored the task's own runtime"
        );
        // A current-thread runtime, spawned onto from a task of `a` and driven here.
        let c = support::current_thread();
        let c_handle = c.handle().clone();
        // The task's output is the join handle itself: `c` runs the task only once it is
        // driven, below.
        #[allow(clippy::async_yields_async)]
        let on_c = a
            .block_on(a.spawn(async move { c_handle.spawn(async move { thread_name() }) }))
            .unwrap();
        assert_eq!(
            c.block_on(on_c).unwrap(),
            thread_name(),
            "runs on the thread driving `c`"
        );
    });
}
