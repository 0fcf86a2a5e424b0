//! Failure accrual: an endpoint that keeps failing leaves rotation, comes back after its
//! penalty on probation with one request, and is restored by a success; a failed probe
//! ejects it again for longer; an ejected endpoint holds no reservation.

mod support;

use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use support::{endpoint, settle, Behaviour, MockSvc};
use svc_balance::{load::PendingRequests, Balance, Builder, EndpointState, ServiceList};
use svc_trait::{Service, ServiceExt};

type Bal = Balance<&'static str, MockSvc, u32, PendingRequests>;

/// A balancer over a healthy endpoint "ok" and an endpoint "bad" that fails, without
/// jitter so that penalties are exact.
fn two_endpoints() -> (Bal, Behaviour, Behaviour) {
    let (ok, ok_behaviour) = endpoint(Duration::from_millis(1));
    let (bad, bad_behaviour) = endpoint(Duration::from_millis(1));
    bad_behaviour.fail.store(true, Relaxed);
    let balance = Builder::new()
        .load(PendingRequests::new())
        .jitter(0.0)
        .build(ServiceList::new([("ok", ok), ("bad", bad)]));
    (balance, ok_behaviour, bad_behaviour)
}

fn state_of(balance: &Bal, key: &str) -> EndpointState {
    balance
        .endpoints()
        .into_iter()
        .find(|e| *e.key() == key)
        .unwrap()
        .state()
}

/// Sends `n` requests one after the other; returns how many failed.
async fn send(balance: &Bal, n: u32) -> u32 {
    let mut failed = 0;
    for i in 0..n {
        if let Err(error) = balance.clone().oneshot(i).await {
            assert!(error.is_endpoint_error(), "{error:?}");
            assert!(error.endpoint_error().unwrap().is_injected());
            failed += 1;
        }
    }
    failed
}

#[rt_sched::test(start_paused = true)]
async fn a_failing_endpoint_is_ejected_and_comes_back_after_its_penalty() {
    let (balance, ok, bad) = two_endpoints();
    // Until "bad" has failed 7 times in a row it gets some of the traffic.
    let failed = send(&balance, 200).await;
    assert_eq!(failed, 7, "ejected after exactly 7 consecutive failures");
    assert_eq!(balance.metrics().ejections(), 1);
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ejected);
    assert_eq!(balance.metrics().failing(), 1);
    let answered_by_ok = ok.answered.load(Relaxed);
    assert_eq!(send(&balance, 50).await, 0, "nothing goes to an ejected endpoint");
    assert_eq!(ok.answered.load(Relaxed), answered_by_ok + 50);

    // The first penalty is 1 s; "bad" has recovered meanwhile.
    bad.fail.store(false, Relaxed);
    rt_core::time::sleep(Duration::from_millis(1_001)).await;
    settle().await;
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ready);
    let before = bad.answered.load(Relaxed);
    assert_eq!(send(&balance, 200).await, 0);
    assert!(
        bad.answered.load(Relaxed) > before + 1,
        "restored after its probe succeeded"
    );
    assert_eq!(balance.metrics().ejections(), 1);
}

#[rt_sched::test(start_paused = true)]
async fn probation_is_one_request_and_a_failed_probe_doubles_the_penalty() {
    let (balance, _ok, bad) = two_endpoints();
    send(&balance, 200).await;
    let ejected_at = rt_core::time::Instant::now();
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ejected);

    rt_core::time::sleep_until(ejected_at + Duration::from_millis(1_001)).await;
    settle().await;
    // Probation: a single failure ejects it again.
    let before = bad.answered.load(Relaxed);
    assert_eq!(send(&balance, 100).await, 1);
    assert_eq!(bad.answered.load(Relaxed), before + 1, "one probation request");
    assert_eq!(balance.metrics().ejections(), 2);
    let reejected_at = rt_core::time::Instant::now();

    // Second penalty: 2 s.
    rt_core::time::sleep_until(reejected_at + Duration::from_millis(1_900)).await;
    settle().await;
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ejected);
    rt_core::time::sleep_until(reejected_at + Duration::from_millis(2_001)).await;
    settle().await;
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ready);
}

#[rt_sched::test(start_paused = true)]
async fn a_readiness_error_ejects_at_once_and_the_ejected_endpoint_holds_no_reservation() {
    let (ok, _ok) = endpoint(Duration::from_millis(1));
    let (bad, bad_handle) = svc_mock::pair::<u32, u32>();
    let balance: Bal = Builder::new()
        .load(PendingRequests::new())
        .build(ServiceList::new([("ok", ok), ("bad", bad)]));
    settle().await;
    assert_eq!(bad_handle.reserved(), 1, "ready in rotation");
    bad_handle.send_error("connection refused");
    // Only the mock's next poll_ready sees the error: the driver polls it when a
    // request used its readiness. Until then it holds its reservation.
    // "bad" never answers: keep the responses without awaiting them.
    let mut responses = Vec::new();
    for i in 0..20 {
        let mut caller = balance.clone();
        responses.push(caller.ready().await.unwrap().call(i));
    }
    settle().await;
    assert_eq!(balance.metrics().readiness_errors(), 1);
    assert_eq!(state_of(&balance, "bad"), EndpointState::Ejected);
    assert_eq!(bad_handle.reserved(), 0);
}
