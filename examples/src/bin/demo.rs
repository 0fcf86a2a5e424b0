//! The workspace demo (for now: the runtime at work).
//!
//! Spawns work on a multi-thread runtime and prints what happened: many small tasks,
//! a chain of tasks spawning each other, a panicking task caught by its handle, an
//! aborted task, blocking work on the blocking pool, and the runtime's metrics.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rt_sched::task::{yield_now, JoinSet};

fn main() -> std::io::Result<()> {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("demo-worker")
        .enable_all()
        .build()?;
    println!("rt-stack demo: a 2-worker runtime");

    rt.block_on(async {
        // 1. Many small tasks.
        let start = Instant::now();
        let counter = Arc::new(AtomicU64::new(0));
        let mut set = JoinSet::new();
        for i in 0..100_000u64 {
            let counter = counter.clone();
            set.spawn(async move {
                counter.fetch_add(i, Ordering::Relaxed);
            });
        }
        while let Some(res) = set.join_next().await {
            res.expect("task failed");
        }
        println!(
            "spawned and joined 100,000 tasks in {:?} (sum of ids {})",
            start.elapsed(),
            counter.load(Ordering::Relaxed)
        );

        // 2. A chain: each task spawns the next.
        let start = Instant::now();
        let depth = chain(10_000).await;
        println!(
            "a chain of {depth} tasks, each spawning the next, took {:?}",
            start.elapsed()
        );

        // 3. Tasks that yield interleave fairly.
        let mut set = JoinSet::new();
        for id in 0..4u32 {
            set.spawn(async move {
                for _ in 0..1000 {
                    yield_now().await;
                }
                id
            });
        }
        let mut order = Vec::new();
        while let Some(res) = set.join_next().await {
            order.push(res.unwrap());
        }
        println!("4 tasks yielding 1,000 times each finished (order {order:?})");

        // 4. A panic is caught and reported, the worker lives on. (The default hook
        // would print it to stderr as well; keep the demo's output readable.)
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.to_string().contains("deliberate panic") {
                default_hook(info);
            }
        }));
        let err = rt_sched::spawn(async {
            if true {
                panic!("deliberate panic in a task");
            }
        })
        .await
        .unwrap_err();
        println!("a panicking task: is_panic = {}, error: {err}", err.is_panic());

        // 5. Abort.
        let handle = rt_sched::spawn(std::future::pending::<()>());
        handle.abort();
        let err = handle.await.unwrap_err();
        println!("an aborted task: is_cancelled = {}", err.is_cancelled());

        // 6. Blocking work.
        let start = Instant::now();
        let mut set = JoinSet::new();
        for _ in 0..4 {
            set.spawn_blocking(|| std::thread::sleep(Duration::from_millis(50)));
        }
        while set.join_next().await.is_some() {}
        println!("4 blocking sleeps of 50 ms ran in parallel in {:?}", start.elapsed());
    });

    let m = rt.metrics();
    println!(
        "metrics: workers {}, tasks spawned {}, alive {}, blocking threads {}",
        m.num_workers(),
        m.spawned_tasks_count(),
        m.num_alive_tasks(),
        m.num_blocking_threads()
    );
    for w in 0..m.num_workers() {
        println!(
            "  worker {w}: polls {}, steals {}, parks {}",
            m.worker_poll_count(w),
            m.worker_steal_count(w),
            m.worker_park_count(w)
        );
    }
    drop(rt);
    println!("runtime shut down cleanly");
    Ok(())
}

fn chain(n: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = u32> + Send>> {
    Box::pin(async move {
        if n == 0 {
            return 0;
        }
        rt_sched::spawn(chain(n - 1)).await.unwrap() + 1
    })
}
