//! Load: traffic moves away from a slow endpoint; per-request work does not grow with
//! the number of endpoints.

mod support;

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use support::{endpoint, settle, Counting};
use svc_balance::{Balance, ServiceList};
use svc_trait::{Service, ServiceExt};

#[rt_sched::test(start_paused = true)]
async fn traffic_moves_away_from_a_slow_endpoint() {
    let latencies = [5, 5, 5, 200];
    let mut behaviours = Vec::new();
    let mut list = Vec::new();
    for (i, ms) in latencies.into_iter().enumerate() {
        let (svc, behaviour) = endpoint(Duration::from_millis(ms));
        list.push((i, svc));
        behaviours.push(behaviour);
    }
    let balance: Balance<_, _, u32> = Balance::new(ServiceList::new(list));
    // Four callers in parallel, 100 requests each.
    let callers: Vec<_> = (0..4)
        .map(|_| {
            let balance = balance.clone();
            rt_sched::spawn(async move {
                for i in 0..100 {
                    balance.clone().oneshot(i).await.unwrap();
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.unwrap();
    }
    let answered: Vec<u64> = behaviours.iter().map(|b| b.answered.load(Relaxed)).collect();
    assert_eq!(answered.iter().sum::<u64>(), 400);
    // Fair share would be 100; once its first answer took 200 ms, it gets almost none.
    assert!(answered[3] <= 8, "slow endpoint got {answered:?}");
    let slow = balance.endpoints().into_iter().find(|e| *e.key() == 3).unwrap();
    let fast = balance.endpoints().into_iter().find(|e| *e.key() == 0).unwrap();
    // The fast ones still decay from the 30 ms default toward 5 ms (10 s decay).
    assert!(slow.load() > 4.0 * fast.load(), "{} vs {}", slow.load(), fast.load());
}

/// Calls of `poll_ready` on the endpoints per request, with `n` endpoints.
async fn polls_per_request(n: usize) -> f64 {
    let counters: Vec<Counting> = (0..n).map(|_| Counting::default()).collect();
    let list = counters.iter().cloned().enumerate();
    let mut balance: Balance<_, _, u32> = Balance::new(ServiceList::new(list));
    settle().await;
    let polls = |c: &[Counting]| c.iter().map(|c| c.polls.load(Relaxed)).sum::<u64>();
    let before = polls(&counters);
    assert_eq!(before, n as u64, "the driver readied each endpoint once");
    const REQUESTS: u64 = 1_000;
    for i in 0..REQUESTS {
        balance.ready().await.unwrap().call(i as u32).await.unwrap();
    }
    let calls: u64 = counters.iter().map(|c| c.calls.load(Relaxed)).sum();
    assert_eq!(calls, REQUESTS);
    (polls(&counters) - before) as f64 / REQUESTS as f64
}

#[rt_sched::test(start_paused = true)]
async fn per_request_work_does_not_grow_with_endpoints() {
    // One readiness poll per request (the used endpoint's), with 10 or 1,000 endpoints:
    // nothing is re-polled per request.
    assert_eq!(polls_per_request(10).await, 1.0);
    assert_eq!(polls_per_request(1_000).await, 1.0);
}
