//! Failing fast: no endpoints, all endpoints failing, discovery closed, driver gone.

mod support;

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use rt_core::time::Instant;
use support::{endpoint, settle, MockSvc};
use svc_balance::{Balance, Builder, Change, ServiceList};
use svc_trait::{Service, ServiceExt};

#[rt_sched::test(start_paused = true)]
async fn no_endpoints_fails_after_the_timeout() {
    let (_tx, rx) = rt_core::sync::mpsc::unbounded_channel::<Change<&str, MockSvc>>();
    let balance: Balance<_, _, u32> = Builder::new().fail_fast(Duration::from_millis(250)).build(rx);
    let start = Instant::now();
    let error = balance.oneshot(1).await.unwrap_err();
    assert!(error.is_no_endpoints(), "{error:?}");
    assert_eq!(error.to_string(), "no endpoints to balance over");
    assert_eq!(start.elapsed(), Duration::from_millis(250));
}

#[rt_sched::test(start_paused = true)]
async fn an_endpoint_arriving_while_waiting_serves_the_request() {
    let (tx, rx) = rt_core::sync::mpsc::unbounded_channel::<Change<&str, MockSvc>>();
    let balance: Balance<_, _, u32> = Balance::new(rx);
    let waiting = rt_sched::spawn(balance.clone().oneshot(5));
    rt_core::time::sleep(Duration::from_millis(100)).await;
    let (svc, _behaviour) = endpoint(Duration::from_millis(1));
    tx.send(Change::Insert("late", svc)).unwrap();
    assert_eq!(waiting.await.unwrap().unwrap(), 5);
}

#[rt_sched::test(start_paused = true)]
async fn all_endpoints_failing_fails_after_the_timeout() {
    let (a, a_behaviour) = endpoint(Duration::from_millis(1));
    let (b, b_behaviour) = endpoint(Duration::from_millis(1));
    a_behaviour.fail.store(true, Relaxed);
    b_behaviour.fail.store(true, Relaxed);
    let balance: Balance<_, _, u32> = Builder::new()
        .failure_threshold(2)
        .fail_fast(Duration::from_millis(100))
        .build(ServiceList::new([("a", a), ("b", b)]));
    for i in 0..4 {
        assert!(balance.clone().oneshot(i).await.unwrap_err().is_endpoint_error());
    }
    settle().await;
    assert_eq!(balance.metrics().failing(), 2);
    let start = Instant::now();
    let error = balance.clone().oneshot(9).await.unwrap_err();
    assert!(error.is_all_failing(), "{error:?}");
    assert!(
        error.readiness_error().is_none(),
        "the failures were responses, sent to their callers"
    );
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[rt_sched::test(start_paused = true)]
async fn discovery_closed_with_no_endpoint_fails_at_once() {
    let balance: Balance<&str, MockSvc, u32> = Balance::new(ServiceList::new([]));
    settle().await;
    let start = Instant::now();
    let error = balance.oneshot(1).await.unwrap_err();
    assert!(error.is_discovery_closed(), "{error:?}");
    assert_eq!(start.elapsed(), Duration::ZERO);
}

#[rt_sched::test(start_paused = true)]
async fn discovery_closed_keeps_the_endpoints_it_left() {
    let (svc, _behaviour) = endpoint(Duration::from_millis(1));
    let balance: Balance<_, _, u32> = Balance::new(ServiceList::new([("a", svc)]));
    settle().await;
    assert_eq!(balance.oneshot(4).await.unwrap(), 4);
}

#[test]
fn a_dropped_driver_closes_the_balancer() {
    let (svc, _handle) = svc_mock::pair::<u32, u32>();
    let (balance, driver) = Builder::new().pair::<_, _, u32, _>(ServiceList::new([("a", svc)]));
    drop(driver);
    let error = futures::executor::block_on(balance.oneshot(1)).unwrap_err();
    assert!(error.is_closed(), "{error:?}");
}

#[rt_sched::test(start_paused = true)]
async fn all_failing_carries_the_latest_readiness_error() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let balance: Balance<_, _, u32> = Builder::new()
        .fail_fast(Duration::from_millis(100))
        .build(ServiceList::new([("a", mock)]));
    settle().await;
    handle.send_error("connection refused");
    // The endpoint is ready (its reservation taken before the error): the request goes
    // out, and the readiness poll after the call fails.
    let _response = {
        let mut caller = balance.clone();
        caller.ready().await.unwrap().call(1)
    };
    settle().await;
    let error = balance.clone().oneshot(2).await.unwrap_err();
    assert!(error.is_all_failing(), "{error:?}");
    let readiness = error.readiness_error().unwrap();
    assert!(readiness.is_injected());
    assert_eq!(
        std::error::Error::source(readiness).unwrap().to_string(),
        "connection refused"
    );
}
