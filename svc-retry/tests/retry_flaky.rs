//! A flaky inner service: retries succeed within the attempts, and stop at the limit.

mod support;

use rt_core::time::Instant;
use svc_retry::{standard::Standard, Retry, Stats};
use svc_trait::{Service, ServiceExt};

use support::builder;

#[rt_sched::test(start_paused = true)]
async fn flaky_service_succeeds_within_the_attempts() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(3).build(), mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(7));

    for _ in 0..2 {
        let (req, send) = handle.next_request().await.unwrap();
        assert_eq!(req, 7);
        send.send_error("flaky");
    }
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 7, "the retry sends the same request");
    send.send_response(8);

    assert_eq!(response.await.unwrap().unwrap(), 8);
    let stats = svc.stats();
    assert_eq!(
        stats,
        Stats {
            requests: 1,
            retries: 2,
            refused: 0,
            abandoned: 0
        }
    );
    assert_eq!(handle.calls(), 3);
}

#[rt_sched::test(start_paused = true)]
async fn the_last_failure_is_returned_after_max_attempts() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(2).build(), mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(1));

    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("first");
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("second");

    let err = response.await.unwrap().unwrap_err();
    assert!(err.is_injected());
    assert_eq!(err.get_ref().unwrap().to_string(), "second");
    assert_eq!(svc.stats().retries, 1);
    assert!(handle.try_next_request().is_none(), "no third attempt");
}

#[rt_sched::test(start_paused = true)]
async fn successes_and_unclassified_errors_are_not_retried() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    // Only odd responses are "retryable"; errors are not.
    let policy = Standard::builder()
        .classify(|r: &Result<u32, svc_mock::Error>| matches!(r, Ok(n) if n % 2 == 1))
        .guard(|r: &u32| Some(*r))
        .no_backoff()
        .build();
    let mut svc = Retry::new(policy, mock);

    let response = rt_sched::spawn(svc.ready().await.unwrap().call(1));
    handle.next_request().await.unwrap().1.send_error("not classified");
    assert!(response.await.unwrap().is_err());

    let response = rt_sched::spawn(svc.ready().await.unwrap().call(2));
    handle.next_request().await.unwrap().1.send_response(3); // odd: retried
    handle.next_request().await.unwrap().1.send_response(4);
    assert_eq!(response.await.unwrap().unwrap(), 4);
    assert_eq!(svc.stats().retries, 1);
}

#[rt_sched::test(start_paused = true)]
async fn requests_the_guard_refuses_are_sent_once() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let policy = Standard::builder()
        .classify(|r: &Result<u32, svc_mock::Error>| r.is_err())
        .guard(|r: &u32| (*r != 0).then_some(*r))
        .no_backoff()
        .build();
    let mut svc = Retry::new(policy, mock);
    let start = Instant::now();
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(0));
    handle.next_request().await.unwrap().1.send_error("once");
    assert!(response.await.unwrap().is_err());
    assert_eq!((handle.calls(), svc.stats().retries), (1, 0));
    assert_eq!(Instant::now(), start, "no backoff was slept");
}

#[rt_sched::test]
async fn disarm_is_forwarded() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(1);
    let mut svc = Retry::new(builder().build(), mock);
    svc.ready().await.unwrap();
    assert_eq!(handle.reserved(), 1);
    svc.disarm();
    assert_eq!((handle.reserved(), handle.allowance()), (0, 1));
}
