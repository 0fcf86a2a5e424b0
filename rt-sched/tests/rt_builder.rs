//! `Builder`: invalid settings are `InvalidInput` errors, and thread names, thread
//! callbacks and stack sizes reach the threads the runtime starts.

mod support;

use std::collections::HashSet;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rt_sched::{Builder, RuntimeFlavor};
use support::{wait_until, watchdog, Flavor};

fn builders() -> [Builder; 2] {
    [Builder::new_current_thread(), Builder::new_multi_thread()]
}

fn assert_invalid(result: io::Result<rt_sched::Runtime>, what: &str) {
    let err = result.expect_err("an invalid setting must fail the build");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains(what), "the error names the setting: {err}");
}

#[test]
fn zero_counts_and_intervals_are_invalid_input() {
    for mut builder in builders() {
        assert_invalid(builder.worker_threads(0).build(), "worker_threads");
    }
    for mut builder in builders() {
        assert_invalid(builder.max_blocking_threads(0).build(), "max_blocking_threads");
    }
    for mut builder in builders() {
        assert_invalid(builder.event_interval(0).build(), "event_interval");
    }
    for mut builder in builders() {
        assert_invalid(builder.global_queue_interval(0).build(), "global_queue_interval");
    }
}

#[test]
fn current_thread_ignores_worker_threads() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Builder::new_current_thread().worker_threads(4).build().unwrap();
        assert_eq!(rt.metrics().num_workers(), 1);
        assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::CurrentThread);
        assert_eq!(rt.block_on(async { 1 }), 1);
    });
}

#[test]
fn default_runtime_has_one_worker_per_cpu() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = rt_sched::Runtime::new().unwrap();
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(rt.metrics().num_workers(), cpus);
        assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
        assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
    });
}

#[test]
fn worker_threads_sets_the_worker_count() {
    watchdog(support::WATCHDOG_SECS, || {
        for n in [1, 3] {
            let rt = Builder::new_multi_thread().worker_threads(n).build().unwrap();
            assert_eq!(rt.metrics().num_workers(), n);
        }
    });
}

#[test]
fn thread_name_reaches_workers() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("named-worker")
            .build()
            .unwrap();
        let names = rt.block_on(async {
            let mut names = HashSet::new();
            for _ in 0..20 {
                let name = rt_sched::spawn(async { std::thread::current().name().map(str::to_string) })
                    .await
                    .unwrap();
                names.insert(name);
            }
            names
        });
        assert_eq!(names, HashSet::from([Some("named-worker".to_string())]));
    });
}

#[test]
fn thread_name_fn_names_each_thread() {
    watchdog(support::WATCHDOG_SECS, || {
        let next = Arc::new(AtomicUsize::new(0));
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name_fn(move || format!("numbered-{}", next.fetch_add(1, Ordering::SeqCst)))
            .build()
            .unwrap();
        let blocking = rt
            .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_string)))
            .unwrap();
        assert_eq!(blocking.as_deref(), Some("numbered-2"), "the two workers took 0 and 1");
    });
}

#[test]
fn thread_start_and_stop_callbacks_are_counted() {
    for flavor in Flavor::ALL {
        watchdog(support::WATCHDOG_SECS, move || {
            let started = Arc::new(AtomicUsize::new(0));
            let stopped = Arc::new(AtomicUsize::new(0));
            let names = Arc::new(Mutex::new(Vec::new()));
            let (s, t, n) = (started.clone(), stopped.clone(), names.clone());
            let mut builder = match flavor {
                Flavor::CurrentThread => Builder::new_current_thread(),
                Flavor::MultiThread => {
                    let mut builder = Builder::new_multi_thread();
                    builder.worker_threads(2);
                    builder
                }
            };
            let rt = builder
                .thread_name("counted")
                .on_thread_start(move || {
                    s.fetch_add(1, Ordering::SeqCst);
                    n.lock()
                        .unwrap()
                        .push(std::thread::current().name().map(str::to_string));
                })
                .on_thread_stop(move || {
                    t.fetch_add(1, Ordering::SeqCst);
                })
                .build()
                .unwrap();
            let workers = if flavor == Flavor::MultiThread { 2 } else { 0 };
            assert!(
                wait_until(Duration::from_secs(5), || started.load(Ordering::SeqCst) == workers),
                "{flavor:?}: {} starts for {workers} workers",
                started.load(Ordering::SeqCst)
            );
            // One blocking thread more.
            rt.block_on(rt.spawn_blocking(|| ())).unwrap();
            assert_eq!(started.load(Ordering::SeqCst), workers + 1);
            assert_eq!(stopped.load(Ordering::SeqCst), 0);
            drop(rt);
            assert_eq!(
                stopped.load(Ordering::SeqCst),
                workers + 1,
                "{flavor:?}: every thread stopped by drop"
            );
            assert_eq!(started.load(Ordering::SeqCst), workers + 1);
            let names = names.lock().unwrap();
            assert!(
                names.iter().all(|n| n.as_deref() == Some("counted")),
                "callbacks run on runtime threads: {names:?}"
            );
        });
    }
}

/// Uses about `depth` KiB of stack.
fn use_stack(depth: u32) -> u64 {
    let buf = std::hint::black_box([depth as u8; 1024]);
    if depth == 0 {
        u64::from(buf[0])
    } else {
        use_stack(depth - 1) + u64::from(buf[1023])
    }
}

#[test]
fn thread_stack_size_is_applied() {
    // 4 MiB of stack overflows the default 2 MiB of a Rust thread (and would abort
    // this test binary) but fits the 32 MiB asked for.
    watchdog(support::WATCHDOG_SECS, || {
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_stack_size(32 << 20)
            .build()
            .unwrap();
        let expected: u64 = (0..=4096u64).map(|d| d % 256).sum();
        let on_worker = rt.block_on(rt.spawn(async { use_stack(4096) })).unwrap();
        assert_eq!(on_worker, expected);
        let on_blocking = rt.block_on(rt.spawn_blocking(|| use_stack(4096))).unwrap();
        assert_eq!(on_blocking, expected);
    });
}

#[test]
fn extreme_intervals_still_schedule_everything() {
    for flavor in Flavor::ALL {
        watchdog(support::WATCHDOG_SECS, move || {
            let mut builder = match flavor {
                Flavor::CurrentThread => Builder::new_current_thread(),
                Flavor::MultiThread => Builder::new_multi_thread(),
            };
            let rt = builder
                .worker_threads(2)
                .event_interval(1)
                .global_queue_interval(1)
                .build()
                .unwrap();
            let sum = rt.block_on(rt.spawn(async {
                let handles: Vec<_> = (0..1000u64).map(|i| rt_sched::spawn(async move { i })).collect();
                let mut sum = 0;
                for handle in handles {
                    sum += handle.await.unwrap();
                }
                sum
            }));
            assert_eq!(sum.unwrap(), 999 * 1000 / 2, "{flavor:?}");
        });
    }
}

#[test]
fn a_builder_builds_several_runtimes() {
    watchdog(support::WATCHDOG_SECS, || {
        let mut builder = Builder::new_multi_thread();
        builder.worker_threads(1).enable_io().enable_time().enable_all();
        let a = builder.build().unwrap();
        let b = builder.build().unwrap();
        assert_eq!(
            a.block_on(a.spawn(async { 1 })).unwrap() + b.block_on(b.spawn(async { 2 })).unwrap(),
            3
        );
        drop(a);
        assert_eq!(b.block_on(b.spawn(async { 3 })).unwrap(), 3, "runtimes are independent");
    });
}

#[test]
fn builder_debug_shows_settings() {
    let mut builder = Builder::new_multi_thread();
    builder
        .worker_threads(3)
        .max_blocking_threads(7)
        .thread_keep_alive(Duration::from_millis(250));
    let shown = format!("{builder:?}");
    for part in [
        "MultiThread",
        "worker_threads: Some(3)",
        "max_blocking_threads: 7",
        "250ms",
    ] {
        assert!(shown.contains(part), "{part} missing from {shown}");
    }
}
