//! The `runtime` suite: spawning, yielding and the memory of an idle task.
//!
//! Every workload is one generic function over [`Runtime`], instantiated for both sides
//! by `both!`. Each run builds a fresh runtime ([`fresh`]), times only the workload,
//! then drops the runtime (shutdown is not timed), so no run inherits another's tasks,
//! queues or worker state, and the memory workload starts from an empty runtime.
//!
//! Work that the issue calls "local" is driven from a root task spawned onto the
//! runtime, so it runs on a worker thread: on a multi-thread runtime the future given to
//! `block_on` runs on the calling thread, which is outside the workers, and its spawns
//! would take the remote path.

use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use futures::channel::oneshot;

use crate::alloc::{live_bytes, release_free_memory, rss_bytes};
use crate::harness::{per_op, Better, Metric, Scale, Workload};
use crate::runtimes::{fresh, on_worker, Ours, Peer, Runtime};

/// Tasks of `spawn_many_local`.
const SPAWN_MANY_LOCAL: usize = 1_000_000;
/// Tasks of `spawn_many_remote`.
const SPAWN_MANY_REMOTE: usize = 100_000;
/// Tasks of `yield_many`.
const YIELD_TASKS: usize = 1_000;
/// Yields per task of `yield_many`.
const YIELDS_PER_TASK: usize = 1_000;
/// Depth of `chained_spawn`.
const CHAIN_DEPTH: usize = 100_000;
/// Idle tasks of `task_bytes`.
const IDLE_TASKS: usize = 1_000_000;

/// How long `task_bytes` waits for every idle task to be polled once.
const POLL_DEADLINE: Duration = Duration::from_secs(120);

/// Instantiates a generic workload function for `[ours, peer]`.
macro_rules! both {
    ($run:ident) => {
        [$run::<Ours>, $run::<Peer>]
    };
}

/// Returns the workloads of the suite, in report order.
pub(crate) fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            metrics: &[Metric {
                name: "spawn_many_local",
                unit: "ns/task",
                better: Better::Lower,
            }],
            runs: both!(spawn_many_local),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "spawn_many_remote",
                unit: "ns/task",
                better: Better::Lower,
            }],
            runs: both!(spawn_many_remote),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "yield_many",
                unit: "ns/yield",
                better: Better::Lower,
            }],
            runs: both!(yield_many),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "chained_spawn",
                unit: "ns/spawn",
                better: Better::Lower,
            }],
            runs: both!(chained_spawn),
            peer: None,
        },
        Workload {
            metrics: &[
                Metric {
                    name: "task_bytes",
                    unit: "bytes/task",
                    better: Better::Lower,
                },
                Metric {
                    name: "task_rss_bytes",
                    unit: "bytes/task",
                    better: Better::Lower,
                },
            ],
            runs: both!(task_bytes),
            peer: None,
        },
    ]
}

/// A task spawns 1,000,000 empty tasks, keeping their join handles, then awaits them
/// all. Yields ns per task.
fn spawn_many_local<R: Runtime>(scale: Scale) -> Vec<f64> {
    let tasks = scale.size(SPAWN_MANY_LOCAL);
    let runtime = fresh::<R>();
    let elapsed = on_worker(&runtime, async move {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            handles.push(R::spawn(async {}));
        }
        for handle in handles {
            handle.await.expect("task failed");
        }
        start.elapsed()
    });
    drop(runtime);
    vec![per_op(elapsed, tasks)]
}

/// The main thread, outside the runtime, spawns 100,000 empty tasks through the
/// runtime's handle, then joins them from `block_on`. Yields ns per task.
fn spawn_many_remote<R: Runtime>(scale: Scale) -> Vec<f64> {
    let tasks = scale.size(SPAWN_MANY_REMOTE);
    let runtime = fresh::<R>();
    let handle = runtime.handle();
    let start = Instant::now();
    let handles: Vec<_> = (0..tasks).map(|_| R::spawn_on(&handle, async {})).collect();
    runtime.block_on(async move {
        for handle in handles {
            handle.await.expect("task failed");
        }
    });
    let elapsed = start.elapsed();
    drop(runtime);
    vec![per_op(elapsed, tasks)]
}

/// A task spawns 1,000 tasks that each yield 1,000 times, then awaits them all. Yields
/// ns per yield.
fn yield_many<R: Runtime>(scale: Scale) -> Vec<f64> {
    let (tasks, yields) = (scale.size(YIELD_TASKS), scale.size(YIELDS_PER_TASK));
    let runtime = fresh::<R>();
    let elapsed = on_worker(&runtime, async move {
        let start = Instant::now();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                R::spawn(async move {
                    for _ in 0..yields {
                        R::yield_now().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("task failed");
        }
        start.elapsed()
    });
    drop(runtime);
    vec![per_op(elapsed, tasks * yields)]
}

/// Each task spawns the next, 100,000 deep; the last one completes a oneshot the root
/// task awaits. Yields ns per spawn.
fn chained_spawn<R: Runtime>(scale: Scale) -> Vec<f64> {
    let depth = scale.size(CHAIN_DEPTH);
    let runtime = fresh::<R>();
    let elapsed = on_worker(&runtime, async move {
        let (done, finished) = oneshot::channel();
        let start = Instant::now();
        chain::<R>(depth, done);
        finished.await.expect("the chain dropped its sender");
        start.elapsed()
    });
    drop(runtime);
    vec![per_op(elapsed, depth)]
}

/// Spawns a detached task that continues the chain with `remaining - 1` links, or
/// signals `done` when no link remains.
fn chain<R: Runtime>(remaining: usize, done: oneshot::Sender<()>) {
    if remaining == 0 {
        let _ = done.send(());
    } else {
        drop(R::spawn(async move { chain::<R>(remaining - 1, done) }));
    }
}

/// Idle tasks of the current `task_bytes` run that have been polled once.
static POLLED: AtomicUsize = AtomicUsize::new(0);

/// The body of an idle task: count the first poll, then never complete.
async fn idle() {
    POLLED.fetch_add(1, Relaxed);
    std::future::pending::<()>().await;
}

/// A task spawns 1,000,000 idle tasks and drops their join handles; once every task
/// has been polled once, yields the growth of live heap bytes and of the resident set
/// per task, then shuts the runtime down.
///
/// Free memory is handed back to the OS before the baseline is read, so the RSS growth
/// does not depend on what earlier runs left in the allocator.
fn task_bytes<R: Runtime>(scale: Scale) -> Vec<f64> {
    let tasks = scale.size(IDLE_TASKS);
    let runtime = fresh::<R>();
    POLLED.store(0, Relaxed);
    release_free_memory();
    let (heap_before, rss_before) = (live_bytes(), rss_bytes().expect("reading the RSS"));
    on_worker(&runtime, async move {
        for _ in 0..tasks {
            drop(R::spawn(idle()));
        }
    });
    wait_for_polls(tasks);
    let (heap_after, rss_after) = (live_bytes(), rss_bytes().expect("reading the RSS"));
    drop(runtime);
    let heap = (heap_after - heap_before) as f64 / tasks as f64;
    let rss = (rss_after as f64 - rss_before as f64) / tasks as f64;
    vec![heap, rss]
}

/// Sleeps until `tasks` idle tasks have been polled.
///
/// # Panics
///
/// Panics after [`POLL_DEADLINE`]: the runtime lost tasks.
fn wait_for_polls(tasks: usize) {
    let deadline = Instant::now() + POLL_DEADLINE;
    while POLLED.load(Relaxed) < tasks {
        assert!(
            Instant::now() < deadline,
            "only {} of {tasks} idle tasks were polled",
            POLLED.load(Relaxed)
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}
