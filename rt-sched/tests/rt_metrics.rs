//! `RuntimeMetrics`: worker count, task counters, per-worker counters (published at
//! maintenance ticks and when a worker parks) and queue depths.

mod support;

use std::time::Duration;

use rt_sched::Runtime;
use support::{each_flavor, expect_panic, wait_until, Counter, Flavor};

const DEADLINE: Duration = Duration::from_secs(5);

fn total_polls(rt: &Runtime) -> u64 {
    let metrics = rt.metrics();
    (0..metrics.num_workers()).map(|w| metrics.worker_poll_count(w)).sum()
}

#[test]
fn num_workers() {
    each_flavor(|flavor, rt| {
        let expected = if flavor == Flavor::MultiThread { 2 } else { 1 };
        assert_eq!(rt.metrics().num_workers(), expected);
        assert_eq!(rt.handle().metrics().num_workers(), expected);
    });
}

#[test]
fn spawned_tasks_count_increases() {
    each_flavor(|_, rt| {
        let metrics = rt.metrics();
        let before = metrics.spawned_tasks_count();
        rt.block_on(async {
            let handles: Vec<_> = (0..100).map(|i| rt_sched::spawn(async move { i })).collect();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        assert_eq!(metrics.spawned_tasks_count(), before + 100);
        // Blocking closures are not counted.
        rt.block_on(rt.spawn_blocking(|| ())).unwrap();
        assert_eq!(metrics.spawned_tasks_count(), before + 100);
    });
}

#[test]
fn num_alive_tasks_returns_to_zero() {
    each_flavor(|_, rt| {
        let metrics = rt.metrics();
        assert_eq!(metrics.num_alive_tasks(), 0);
        let dropped = Counter::new();
        let parked: Vec<_> = (0..10).map(|_| rt.spawn(dropped.pending_forever())).collect();
        assert_eq!(metrics.num_alive_tasks(), 10, "pending tasks are alive");
        let done: Vec<_> = (0..10).map(|_| rt.spawn(async {})).collect();
        rt.block_on(async {
            for handle in done {
                handle.await.unwrap();
            }
        });
        // A task leaves the count just after it wakes its joiner.
        assert!(
            wait_until(DEADLINE, || metrics.num_alive_tasks() == 10),
            "{}",
            metrics.num_alive_tasks()
        );
        for handle in &parked {
            handle.abort();
        }
        rt.block_on(async {
            for handle in parked {
                assert!(handle.await.unwrap_err().is_cancelled());
            }
        });
        assert!(
            wait_until(DEADLINE, || metrics.num_alive_tasks() == 0),
            "{}",
            metrics.num_alive_tasks()
        );
        assert_eq!(dropped.get(), 10);
    });
}

#[test]
fn worker_poll_counts_cover_the_tasks_run() {
    each_flavor(|_, rt| {
        let before = total_polls(&rt);
        rt.block_on(rt.spawn(async {
            let handles: Vec<_> = (0..500).map(|_| rt_sched::spawn(async {})).collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }))
        .unwrap();
        // Published at maintenance ticks and when a worker parks: once the runtime idles
        // they are all visible.
        assert!(
            wait_until(DEADLINE, || total_polls(&rt) >= before + 501),
            "polls went from {before} to {}, 501 tasks ran",
            total_polls(&rt)
        );
    });
}

#[test]
fn workers_park_when_idle() {
    each_flavor(|_, rt| {
        // The driver (or the workers) must wait for this one: nothing is runnable.
        let (tx, rx) = futures::channel::oneshot::channel();
        let sender = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            tx.send(1).unwrap();
        });
        assert_eq!(rt.block_on(rt.spawn(async { rx.await.unwrap() })).unwrap(), 1);
        sender.join().unwrap();
        let metrics = rt.metrics();
        let parks = || {
            (0..metrics.num_workers())
                .map(|w| metrics.worker_park_count(w))
                .sum::<u64>()
        };
        assert!(wait_until(DEADLINE, || parks() > 0), "no worker ever parked");
    });
}

#[test]
fn global_queue_depth_counts_remote_spawns() {
    // Deterministic on the current-thread runtime: nothing drives it between calls.
    support::watchdog(support::WATCHDOG_SECS, || {
        let rt = support::current_thread();
        let metrics = rt.metrics();
        assert_eq!(metrics.global_queue_depth(), 0);
        let handles: Vec<_> = (0..25).map(|i| rt.spawn(async move { i })).collect();
        assert_eq!(metrics.global_queue_depth(), 25);
        rt.block_on(async {
            for handle in handles {
                handle.await.unwrap();
            }
        });
        assert_eq!(metrics.global_queue_depth(), 0);
    });
}

#[test]
fn worker_counters_of_an_unknown_worker_panic() {
    each_flavor(|_, rt| {
        let metrics = rt.metrics();
        let n = metrics.num_workers();
        expect_panic(|| metrics.worker_poll_count(n));
        expect_panic(|| metrics.worker_park_count(n));
        expect_panic(|| metrics.worker_steal_count(n));
        expect_panic(|| metrics.worker_local_queue_depth(n));
        // In range, they do not.
        let _ = (
            metrics.worker_steal_count(n - 1),
            metrics.worker_local_queue_depth(n - 1),
        );
    });
}

#[test]
fn steals_happen_on_a_multi_thread_runtime() {
    support::watchdog(support::WATCHDOG_SECS, || {
        let rt = support::multi_thread(2);
        // One task floods its worker's queue with slow-ish tasks; the other worker
        // can only get them by stealing (or through the overflow to the global queue).
        rt.block_on(rt.spawn(async {
            let handles: Vec<_> = (0..200)
                .map(|_| {
                    rt_sched::spawn(async {
                        std::thread::sleep(Duration::from_micros(200));
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }))
        .unwrap();
        let metrics = rt.metrics();
        let steals = || (0..2).map(|w| metrics.worker_steal_count(w)).sum::<u64>();
        let polls = |w| metrics.worker_poll_count(w);
        assert!(
            wait_until(DEADLINE, || steals() > 0 && polls(0) > 0 && polls(1) > 0),
            "steals {}, polls {} / {}",
            steals(),
            polls(0),
            polls(1)
        );
    });
}

#[test]
fn metrics_debug_shows_the_gauges() {
    each_flavor(|_, rt| {
        let shown = format!("{:?}", rt.metrics());
        assert!(
            shown.contains("num_workers") && shown.contains("num_alive_tasks"),
            "{shown}"
        );
    });
}
