//! The blocking pool: threads on demand up to the limit, idle threads exiting after
//! the keep-alive, shutdown with and without a deadline, and cancelling queued work.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rt_sched::{Builder, Runtime};
use support::{wait_until, watchdog, Flavor};

const DEADLINE: Duration = Duration::from_secs(5);

fn builder(flavor: Flavor) -> Builder {
    match flavor {
        Flavor::CurrentThread => Builder::new_current_thread(),
        Flavor::MultiThread => {
            let mut builder = Builder::new_multi_thread();
            builder.worker_threads(2);
            builder
        }
    }
}

/// Runs `body` on each flavour under the watchdog, with a runtime from `configure`.
fn each_flavor_with(
    configure: impl Fn(&mut Builder) + Send + Sync + 'static,
    body: impl Fn(Runtime) + Send + Sync + 'static,
) {
    let setup = Arc::new((configure, body));
    for flavor in Flavor::ALL {
        let setup = setup.clone();
        watchdog(support::WATCHDOG_SECS, move || {
            let (configure, body) = &*setup;
            let mut builder = builder(flavor);
            configure(&mut builder);
            body(builder.build().unwrap());
        });
    }
}

/// Counts closures running at once and remembers the peak.
#[derive(Default)]
struct Concurrency {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Concurrency {
    fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let out = f();
        self.now.fetch_sub(1, Ordering::SeqCst);
        out
    }
}

#[test]
fn threads_start_on_demand_up_to_the_limit() {
    each_flavor_with(
        |b| {
            b.max_blocking_threads(2);
        },
        |rt| {
            let metrics = rt.metrics();
            assert_eq!(metrics.num_blocking_threads(), 0, "no thread before the first closure");
            let concurrency = Arc::new(Concurrency::default());
            let start = Instant::now();
            let handles: Vec<_> = (0..6u32)
                .map(|i| {
                    let concurrency = concurrency.clone();
                    rt.spawn_blocking(move || {
                        concurrency.run(|| std::thread::sleep(Duration::from_millis(50)));
                        i
                    })
                })
                .collect();
            let mut max_threads = 0;
            let mut max_queued = 0;
            let outputs = rt.block_on(async {
                let mut outputs = Vec::new();
                for handle in handles {
                    max_threads = max_threads.max(metrics.num_blocking_threads());
                    max_queued = max_queued.max(metrics.blocking_queue_depth());
                    outputs.push(handle.await.unwrap());
                }
                outputs
            });
            assert_eq!(outputs, (0..6).collect::<Vec<_>>());
            assert!(max_threads <= 2, "saw {max_threads} blocking threads");
            assert!(metrics.num_blocking_threads() <= 2);
            assert_eq!(
                concurrency.peak.load(Ordering::SeqCst),
                2,
                "two closures ran at once, never more"
            );
            assert!(max_queued >= 1, "closures beyond the limit wait in the queue");
            assert!(
                start.elapsed() >= Duration::from_millis(150),
                "6 closures of 50 ms on 2 threads"
            );
        },
    );
}

#[test]
fn idle_threads_exit_after_keep_alive() {
    each_flavor_with(
        |b| {
            b.thread_keep_alive(Duration::from_millis(50));
        },
        |rt| {
            let metrics = rt.metrics();
            let handles: Vec<_> = (0..3)
                .map(|_| rt.spawn_blocking(|| std::thread::sleep(Duration::from_millis(20))))
                .collect();
            rt.block_on(async {
                for handle in handles {
                    handle.await.unwrap();
                }
            });
            assert!(metrics.num_blocking_threads() >= 1);
            assert!(
                wait_until(Duration::from_secs(1), || metrics.num_blocking_threads() == 0),
                "{} blocking threads still alive 1 s after a 50 ms keep-alive",
                metrics.num_blocking_threads()
            );
            assert_eq!(metrics.num_idle_blocking_threads(), 0);
            // The pool starts threads again afterwards.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
        },
    );
}

#[test]
fn idle_threads_are_reused() {
    each_flavor_with(
        |_| {},
        |rt| {
            let mut threads = HashSet::new();
            for _ in 0..5 {
                threads.insert(rt.block_on(rt.spawn_blocking(|| std::thread::current().id())).unwrap());
                // Give the thread time to go back to waiting for work.
                assert!(wait_until(DEADLINE, || rt.metrics().num_idle_blocking_threads() == 1));
            }
            assert_eq!(threads.len(), 1, "one idle thread served every closure");
            assert_eq!(rt.metrics().num_blocking_threads(), 1);
        },
    );
}

#[test]
fn shutdown_timeout_returns_while_a_closure_sleeps_on() {
    each_flavor_with(
        |_| {},
        |rt| {
            let started = Arc::new(AtomicBool::new(false));
            let finished = Arc::new(AtomicBool::new(false));
            let (s, f) = (started.clone(), finished.clone());
            let _sleeper = rt.spawn_blocking(move || {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(3));
                f.store(true, Ordering::SeqCst);
            });
            assert!(wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
            let start = Instant::now();
            rt.shutdown_timeout(Duration::from_millis(100));
            let took = start.elapsed();
            assert!(
                took >= Duration::from_millis(90),
                "returned before the timeout: {took:?}"
            );
            assert!(took < Duration::from_secs(1), "waited for the closure: {took:?}");
            assert!(!finished.load(Ordering::SeqCst));
        },
    );
}

#[test]
fn shutdown_background_returns_at_once() {
    each_flavor_with(
        |_| {},
        |rt| {
            let started = Arc::new(AtomicBool::new(false));
            let s = started.clone();
            let _sleeper = rt.spawn_blocking(move || {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_secs(3));
            });
            assert!(wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
            let start = Instant::now();
            rt.shutdown_background();
            assert!(
                start.elapsed() < Duration::from_millis(500),
                "took {:?}",
                start.elapsed()
            );
        },
    );
}

#[test]
fn drop_waits_for_running_closures() {
    each_flavor_with(
        |_| {},
        |rt| {
            let started = Arc::new(AtomicBool::new(false));
            let finished = Arc::new(AtomicBool::new(false));
            let (s, f) = (started.clone(), finished.clone());
            let handle = rt.spawn_blocking(move || {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(100));
                f.store(true, Ordering::SeqCst);
                11
            });
            assert!(wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
            drop(rt);
            assert!(
                finished.load(Ordering::SeqCst),
                "drop returned before the running closure"
            );
            assert_eq!(
                futures::executor::block_on(handle).unwrap(),
                11,
                "a closure that ran keeps its output"
            );
        },
    );
}

#[test]
fn queued_closure_is_cancelled_at_shutdown() {
    each_flavor_with(
        |b| {
            b.max_blocking_threads(1);
        },
        |rt| {
            let started = Arc::new(AtomicBool::new(false));
            let queued_ran = Arc::new(AtomicBool::new(false));
            let s = started.clone();
            let running = rt.spawn_blocking(move || {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(200));
                1
            });
            assert!(wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
            let q = queued_ran.clone();
            let queued = rt.spawn_blocking(move || q.store(true, Ordering::SeqCst));
            assert_eq!(rt.metrics().blocking_queue_depth(), 1);
            drop(rt);
            assert!(
                !queued_ran.load(Ordering::SeqCst),
                "a queued closure never runs after shutdown"
            );
            let err = futures::executor::block_on(queued).unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
            assert_eq!(futures::executor::block_on(running).unwrap(), 1);
        },
    );
}

#[test]
fn abort_cancels_only_closures_that_have_not_started() {
    each_flavor_with(
        |b| {
            b.max_blocking_threads(1);
        },
        |rt| {
            let started = Arc::new(AtomicBool::new(false));
            let queued_ran = Arc::new(AtomicBool::new(false));
            let s = started.clone();
            let running = rt.spawn_blocking(move || {
                s.store(true, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(50));
                2
            });
            assert!(wait_until(DEADLINE, || started.load(Ordering::SeqCst)));
            let q = queued_ran.clone();
            let queued = rt.spawn_blocking(move || q.store(true, Ordering::SeqCst));
            queued.abort();
            running.abort(); // too late: it runs to the end
            assert!(rt.block_on(queued).unwrap_err().is_cancelled());
            assert_eq!(rt.block_on(running).unwrap(), 2);
            // The pool still runs later closures.
            assert_eq!(rt.block_on(rt.spawn_blocking(|| 3)).unwrap(), 3);
            assert!(!queued_ran.load(Ordering::SeqCst));
        },
    );
}

#[test]
fn many_short_closures_with_a_small_pool() {
    each_flavor_with(
        |b| {
            b.max_blocking_threads(4);
        },
        |rt| {
            let concurrency = Arc::new(Concurrency::default());
            let handles: Vec<_> = (0..1000u64)
                .map(|i| {
                    let concurrency = concurrency.clone();
                    rt.spawn_blocking(move || concurrency.run(|| i))
                })
                .collect();
            let sum = rt.block_on(async {
                let mut sum = 0;
                for handle in handles {
                    sum += handle.await.unwrap();
                }
                sum
            });
            assert_eq!(sum, 999 * 1000 / 2);
            assert!(concurrency.peak.load(Ordering::SeqCst) <= 4);
            assert!(rt.metrics().num_blocking_threads() <= 4);
        },
    );
}

#[test]
fn blocking_closures_can_spawn_tasks() {
    each_flavor_with(
        |_| {},
        |rt| {
            let out = rt.block_on(rt.spawn_blocking(|| {
                let handle = rt_sched::spawn(async { 12 });
                rt_sched::Handle::current().block_on(handle).unwrap()
            }));
            assert_eq!(out.unwrap(), 12);
        },
    );
}

#[test]
fn blocking_threads_have_the_runtime_thread_name() {
    each_flavor_with(
        |b| {
            b.thread_name("pool-thread");
        },
        |rt| {
            let name = rt
                .block_on(rt.spawn_blocking(|| std::thread::current().name().map(str::to_string)))
                .unwrap();
            assert_eq!(name.as_deref(), Some("pool-thread"));
        },
    );
}

#[test]
fn blocking_threads_run_thread_callbacks() {
    watchdog(support::WATCHDOG_SECS, blocking_threads_run_thread_callbacks_body);
}

fn blocking_threads_run_thread_callbacks_body() {
    let events = Arc::new(Mutex::new(Vec::new()));
    let (start, stop) = (events.clone(), events.clone());
    let rt = Builder::new_current_thread()
        .max_blocking_threads(3)
        .on_thread_start(move || start.lock().unwrap().push("start"))
        .on_thread_stop(move || stop.lock().unwrap().push("stop"))
        .build()
        .unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(3));
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let barrier = barrier.clone();
            rt.spawn_blocking(move || {
                barrier.wait();
            })
        })
        .collect();
    for handle in handles {
        futures::executor::block_on(handle).unwrap();
    }
    drop(rt);
    let events = events.lock().unwrap();
    assert_eq!(events.iter().filter(|e| **e == "start").count(), 3, "{events:?}");
    assert_eq!(events.iter().filter(|e| **e == "stop").count(), 3, "{events:?}");
}

#[test]
fn handle_spawn_blocking_from_a_plain_thread_runs_in_the_runtime() {
    each_flavor_with(
        |_| {},
        |rt| {
            let handle = rt.handle().clone();
            let join = std::thread::spawn(move || {
                handle.spawn_blocking(|| {
                    let inner = rt_sched::Handle::current();
                    inner.block_on(rt_sched::spawn(async { 13 })).unwrap()
                })
            })
            .join()
            .unwrap();
            assert_eq!(rt.block_on(join).unwrap(), 13);
        },
    );
}
