//! The budget stops a retry storm: 1,000 failing requests get the retries the budget
//! allows, not the retries the attempts allow.

mod support;

use std::time::Duration;

use futures::future::join_all;
use svc_retry::{Budget, Retry, Stats};
use svc_trait::{Service, ServiceExt};

use support::{builder, fail_all};

const REQUESTS: u64 = 1_000;

#[rt_sched::test(start_paused = true)]
async fn the_budget_stops_a_retry_storm() {
    let (ttl, min_per_sec, ratio) = (Duration::from_secs(10), 10u32, 0.2);
    let budget = Budget::new(ttl, min_per_sec, ratio).unwrap();
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    // Up to 3 attempts: without a budget, 1,000 failures would cause 2,000 retries.
    let mut svc = Retry::new(builder().max_attempts(3).budget(budget.clone()).build(), mock);
    let responder = rt_sched::spawn(fail_all(handle));

    let mut responses = Vec::new();
    for i in 0..REQUESTS as u32 {
        responses.push(svc.ready().await.unwrap().call(i));
    }
    let results = join_all(responses).await;
    assert!(results.iter().all(Result::is_err));
    let stats = svc.stats();
    drop(svc); // the responder ends with the last mock
    let calls = responder.await.unwrap();

    // Everything happens at one instant (no backoff, paused clock), within one ttl, so the
    // budget allows its reserve plus `ratio` of the requests deposited:
    let reserve = u64::from(min_per_sec) * ttl.as_secs();
    let allowed = reserve + (ratio * REQUESTS as f64) as u64;
    assert_eq!(allowed, 300);
    // Every request was deposited before the first withdrawal, so the budget is used up
    // exactly; every other retry decision (the 700 first failures left, and the second
    // failure of the 300 retried requests) is refused.
    assert_eq!(
        stats,
        Stats {
            requests: REQUESTS,
            retries: allowed,
            refused: REQUESTS,
            abandoned: 0
        }
    );
    assert_eq!(calls, REQUESTS + allowed);
    assert_eq!((budget.withdrawals(), budget.deposits()), (allowed, REQUESTS));
    assert_eq!(budget.available(), 0);
}

/// Sends `n` requests through `svc` and waits for all of them.
async fn burst<S>(svc: &mut S, n: u32)
where
    S: Service<u32>,
{
    let mut responses = Vec::new();
    for i in 0..n {
        responses.push(svc.ready().await.ok().unwrap().call(i));
    }
    join_all(responses).await;
}

#[rt_sched::test(start_paused = true)]
async fn the_reserve_refills_after_the_ttl() {
    // A reserve of 2 retries over a 1 s window, and a ratio of 0: only the reserve.
    let budget = Budget::new(Duration::from_secs(1), 2, 0.0).unwrap();
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(2).budget(budget.clone()).build(), mock);
    let responder = rt_sched::spawn(fail_all(handle));

    burst(&mut svc, 10).await;
    assert_eq!((svc.stats().retries, svc.stats().refused), (2, 8));
    burst(&mut svc, 10).await;
    assert_eq!(svc.stats().retries, 2, "deposits add nothing at ratio 0");

    // The withdrawals age out after the ttl (plus one slot of granularity).
    rt_core::time::advance(Duration::from_millis(1_200)).await;
    assert_eq!(budget.available(), 2);
    burst(&mut svc, 10).await;
    assert_eq!((svc.stats().retries, svc.stats().refused), (4, 26));

    drop(svc);
    assert_eq!(responder.await.unwrap(), 30 + 4);
}
