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

/// An endpoint that fails fast looks cheap (its answers are quick) and would keep
/// winning the picks until failure accrual ejects it: one request at a time, each
/// retry of a failed request would go straight back to it. A failure counts as slow
/// (it doubles the endpoint's estimate), so after a failure or two the next pick goes
/// to its peer.
#[rt_sched::test(start_paused = true)]
async fn an_endpoint_that_just_failed_loses_the_next_picks() {
    use svc_balance::load::PeakEwma;
    let (fast, fast_behaviour) = endpoint(Duration::from_millis(1));
    let (slow, _) = endpoint(Duration::from_millis(5));
    // A short decay: the estimates follow the samples within a few hundred requests.
    let balance: Balance<&'static str, _, u32, PeakEwma> = svc_balance::Builder::new()
        .load(PeakEwma::new(Duration::from_millis(30), Duration::from_millis(100)))
        .build(ServiceList::new([("fast", fast), ("slow", slow)]));
    for i in 0..300 {
        balance.clone().oneshot(i).await.unwrap();
    }
    assert!(
        fast_behaviour.answered.load(Relaxed) > 150,
        "the faster endpoint took most of the traffic"
    );
    // "fast" starts failing, still fast. Count the longest run of requests in a row that
    // went to it (each failed) before failure accrual ejects it.
    fast_behaviour.fail.store(true, Relaxed);
    let (mut run, mut longest, mut failed) = (0, 0, 0);
    for i in 0..200 {
        if balance.clone().oneshot(i).await.is_err() {
            failed += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    assert!(failed > 0, "the failing endpoint was never picked");
    // Doubled, its estimate is above its peer's and the next pick goes there; a failure
    // that did not count as slow would leave it the cheapest until failure accrual
    // ejects it, 7 failures in a row.
    assert!(
        longest <= 2,
        "{longest} failed requests in a row went to the failing endpoint"
    );
}

/// An endpoint avoided for being slow is tried again once its estimate has decayed,
/// also through clones of a handle (each request here goes through a fresh clone, as a
/// `oneshot` does): costs are compared at the current time, not at the instant of the
/// handle's last call.
#[rt_sched::test(start_paused = true)]
async fn an_avoided_endpoint_is_tried_again_as_its_estimate_decays() {
    use svc_balance::load::PeakEwma;
    let (slow, slow_behaviour) = endpoint(Duration::from_millis(50));
    let (fast, _) = endpoint(Duration::from_millis(1));
    let balance: Balance<&'static str, _, u32, PeakEwma> = svc_balance::Builder::new()
        .load(PeakEwma::new(Duration::from_millis(30), Duration::from_millis(100)))
        .build(ServiceList::new([("slow", slow), ("fast", fast)]));
    // About two seconds of requests, one at a time: "fast" answers most; "slow"'s
    // estimate (50 ms) decays below "fast"'s (about 1 ms) in ~0.4 s without a sample.
    for i in 0..2_000 {
        balance.clone().oneshot(i).await.unwrap();
    }
    let retried = slow_behaviour.answered.load(Relaxed);
    assert!(retried >= 3, "the slow endpoint was tried {retried} times");
    assert!(retried < 100, "the slow endpoint was not avoided: {retried} requests");
}

/// A peer that did not fail wins the pick over one that just failed (the retry of the
/// failed request goes there), even when it is much slower: the failing endpoint's
/// doubled cost alone would still be the lower one.
#[rt_sched::test(start_paused = true)]
async fn a_peer_that_did_not_fail_wins_even_when_much_slower() {
    use svc_balance::load::PeakEwma;
    let (fast, fast_behaviour) = endpoint(Duration::from_millis(1));
    let (slow, _) = endpoint(Duration::from_millis(50));
    let balance: Balance<&'static str, _, u32, PeakEwma> = svc_balance::Builder::new()
        .load(PeakEwma::new(Duration::from_millis(30), Duration::from_millis(100)))
        .build(ServiceList::new([("fast", fast), ("slow", slow)]));
    for i in 0..300 {
        balance.clone().oneshot(i).await.unwrap();
    }
    fast_behaviour.fail.store(true, Relaxed);
    // Each failure is followed by a request to "slow" (50 ms, within the 100 ms a failure
    // is recent); "fast" gets requests again after that, so failures are never in a row.
    let (mut failed, mut run, mut longest) = (0, 0, 0);
    for i in 0..10 {
        if balance.clone().oneshot(i).await.is_err() {
            failed += 1;
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    assert!(failed >= 1, "the failing endpoint was never picked");
    assert_eq!(
        longest, 1,
        "a request right after a failure went to the failing endpoint"
    );
}
