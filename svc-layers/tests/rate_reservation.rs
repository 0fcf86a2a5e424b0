//! `RateLimit` and the reservation rule: `disarm`, a dropped `Reserved` guard or a dropped
//! ready service refunds the token, so abandoned readiness wastes no rate; inner errors
//! pass through typed.

mod support;

use std::task::{Context, Poll};
use std::time::Duration;

use futures::task::noop_waker;
use rt_core::time::Instant;
use svc_layers::rate::{Rate, RateLimit, RateLimiter};
use svc_trait::{Service, ServiceExt};

fn poll_ready<S: Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    svc.poll_ready(&mut Context::from_waker(&noop_waker()))
}

fn hourly(num: u64) -> Rate {
    Rate::new(num, Duration::from_secs(3600))
}

#[test]
fn disarm_refunds_the_token_and_forwards_to_inner() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    assert!(poll_ready(&mut svc).is_ready());
    assert_eq!((svc.limiter().available(), handle.reserved()), (0, 1));

    svc.disarm();
    assert!(!svc.holds_token());
    assert_eq!(svc.limiter().available(), 1);
    assert_eq!(handle.reserved(), 0, "disarm reached the inner service");

    svc.disarm(); // no reservation: a no-op, nothing refunded twice
    assert_eq!(svc.limiter().available(), 1);
    assert!(poll_ready(&mut svc).is_ready());
    assert!(svc.limiter().try_acquire().is_err(), "still one token an hour");
}

#[test]
fn call_uses_the_token() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    assert!(poll_ready(&mut svc).is_ready());
    let _response = svc.call(1);
    svc.disarm(); // after `call`: nothing to refund
    assert_eq!(svc.limiter().available(), 0);
}

#[test]
fn dropping_a_ready_service_refunds_its_token() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = RateLimit::new(mock, hourly(1));
    let b = a.clone();
    assert!(poll_ready(&mut a).is_ready());
    drop(a);
    assert_eq!(b.limiter().available(), 1);

    let mut c = b.clone();
    assert!(poll_ready(&mut c).is_ready());
    let _inner = c.into_inner(); // so does taking the inner service out
    assert_eq!(b.limiter().available(), 1);
}

#[test]
fn inner_readiness_error_passes_through_typed_and_refunds() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    handle.send_error("down");
    match poll_ready(&mut svc) {
        Poll::Ready(Err(e)) => {
            let e: svc_mock::Error = e;
            assert!(e.is_injected());
        }
        other => panic!("expected the inner error, got {other:?}"),
    }
    assert_eq!(svc.limiter().available(), 1);
}

#[test]
fn inner_response_error_passes_through_typed() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    assert!(poll_ready(&mut svc).is_ready());
    let response = svc.call(1);
    drop(handle.try_next_request().unwrap().1); // never answered
    let e: svc_mock::Error = futures::executor::block_on(response).unwrap_err();
    assert!(e.is_dropped());
}

#[test]
fn inner_pending_keeps_the_token() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    handle.allow(0);
    assert!(poll_ready(&mut svc).is_pending());
    assert!(svc.holds_token());
    handle.allow(1);
    assert!(poll_ready(&mut svc).is_ready());
    assert_eq!(svc.limiter().available(), 0);
}

#[test]
#[should_panic(expected = "before `poll_ready`")]
fn call_without_readiness_panics() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut svc = RateLimit::new(mock, hourly(1));
    drop(svc.call(1));
}

#[rt_sched::test(start_paused = true)]
async fn abandoned_readiness_does_not_starve() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let start = Instant::now();
    let mut idle = RateLimit::new(mock, Rate::new(1, Duration::from_secs(60)));
    let mut worker = idle.clone();

    for _ in 0..100 {
        drop(idle.reserve().await.unwrap()); // reserve, walk away, keep the service
    }
    assert_eq!(Instant::now(), start, "no token was spent: nobody waited");

    let served = rt_sched::spawn(async move { worker.ready().await.unwrap().call(1).await.unwrap() });
    let (req, send) = handle.next_request().await.unwrap();
    send.send_response(req);
    assert_eq!(served.await.unwrap(), 1);
    assert_eq!(Instant::now(), start, "the worker got the token of the minute at once");
}

#[rt_sched::test(start_paused = true)]
async fn disarm_while_waiting_refunds_nothing() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = RateLimit::new(mock, Rate::new(1, Duration::from_secs(1)));
    let mut b = a.clone();
    a.ready().await.unwrap();
    // `b` waits for the next token, then gives up before it arrives.
    assert!(poll_ready(&mut b).is_pending());
    b.disarm();
    assert!(!b.holds_token());
    assert_eq!(a.limiter().available(), 0);
    a.disarm(); // the one real token
    assert_eq!(a.limiter().available(), 1);
}

#[rt_sched::test(start_paused = true)]
async fn the_shared_abandoned_readiness_check_passes() {
    // A and B on one rate of one request an hour: without refunds, A's second round would
    // wait an hour and B would not be ready at once.
    let start = Instant::now();
    let limiter = RateLimiter::new(hourly(1));
    support::abandoned_readiness_never_starves(|mock| RateLimit::with_limiter(mock, limiter.clone())).await;
    assert_eq!(Instant::now(), start);
    assert_eq!(limiter.available(), 0, "B's call spent the token");
}
