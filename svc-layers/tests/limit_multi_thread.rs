//! `ConcurrencyLimit` across the worker threads of a multi-thread runtime: the number of
//! requests inside the inner service never exceeds the limit.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use svc_layers::limit::ConcurrencyLimit;
use svc_trait::{service_fn, Service, ServiceExt};

const LIMIT: usize = 3;
const TASKS: usize = 16;
const REQUESTS_PER_TASK: usize = 50;

#[derive(Default)]
struct Gauge {
    now: AtomicUsize,
    peak: AtomicUsize,
    total: AtomicUsize,
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_never_exceed_the_limit() {
    let gauge = Arc::new(Gauge::default());
    let inner = {
        let gauge = gauge.clone();
        service_fn(move |_: usize| {
            let gauge = gauge.clone();
            async move {
                let now = gauge.now.fetch_add(1, SeqCst) + 1;
                gauge.peak.fetch_max(now, SeqCst);
                // Stay inside long enough for others to try to get in.
                for _ in 0..3 {
                    rt_sched::task::yield_now().await;
                }
                gauge.now.fetch_sub(1, SeqCst);
                gauge.total.fetch_add(1, SeqCst);
                Ok::<_, ()>(())
            }
        })
    };
    let svc = ConcurrencyLimit::new(inner, LIMIT);

    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let mut svc = svc.clone();
            rt_sched::spawn(async move {
                for i in 0..REQUESTS_PER_TASK {
                    if i % 7 == 3 {
                        // Now and then, reserve and abandon.
                        drop(svc.reserve().await.unwrap());
                        continue;
                    }
                    let fut = svc.ready().await.unwrap().call(t);
                    fut.await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }

    let abandoned_per_task = (0..REQUESTS_PER_TASK).filter(|i| i % 7 == 3).count();
    assert_eq!(
        gauge.total.load(SeqCst),
        TASKS * (REQUESTS_PER_TASK - abandoned_per_task)
    );
    let peak = gauge.peak.load(SeqCst);
    assert!(
        peak <= LIMIT,
        "peak of {peak} requests in flight over a limit of {LIMIT}"
    );
    assert!(
        peak >= 2,
        "the test should put several requests in flight at once (peak {peak})"
    );
    assert_eq!(svc.available(), LIMIT, "every permit came back");
}
