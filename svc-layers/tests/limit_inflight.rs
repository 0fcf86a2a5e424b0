//! `ConcurrencyLimit`: at most `n` requests in flight, permits released on completion and
//! on a dropped response future, inner errors typed.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use futures::task::noop_waker;
use svc_layers::limit::ConcurrencyLimit;
use svc_trait::{Service, ServiceExt};

/// Polls `svc` for readiness once, with a waker that does nothing.
fn poll_ready<S: Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    svc.poll_ready(&mut Context::from_waker(&noop_waker()))
}

/// Polls `fut` once, with a waker that does nothing.
fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(&noop_waker()))
}

#[test]
fn at_most_n_in_flight() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 2);
    let mut others = [svc.clone(), svc.clone()];

    assert!(poll_ready(&mut svc).is_ready());
    let first = svc.call(1);
    assert!(poll_ready(&mut others[0]).is_ready());
    let second = others[0].call(2);
    assert_eq!(svc.available(), 0);

    // Both permits are in the response futures: nobody else gets in.
    assert!(poll_ready(&mut svc).is_pending());
    assert!(poll_ready(&mut others[1]).is_pending());
    assert_eq!(
        handle.reserved(),
        0,
        "the inner service is not even polled without a permit"
    );

    let (req, send) = handle.try_next_request().unwrap();
    assert_eq!(req, 1);
    send.send_response(10);
    assert_eq!(futures::executor::block_on(first).unwrap(), 10);

    // One permit back: the first waiter in line (`svc`) gets it, the next still waits.
    assert!(poll_ready(&mut svc).is_ready());
    assert!(poll_ready(&mut others[1]).is_pending());
    drop(second);
}

#[test]
fn permit_released_when_response_completes() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    assert!(poll_ready(&mut svc).is_ready());
    let mut response = pin!(svc.call(7));
    assert!(poll_once(response.as_mut()).is_pending());
    assert_eq!(svc.available(), 0);

    handle.try_next_request().unwrap().1.send_response(8);
    assert!(matches!(poll_once(response.as_mut()), Poll::Ready(Ok(8))));
    // Released on completion, before the future itself is dropped.
    assert_eq!(svc.available(), 1);
}

#[test]
fn permit_released_when_response_future_dropped() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    assert!(poll_ready(&mut svc).is_ready());
    let response = svc.call(1);
    assert!(poll_ready(&mut svc).is_pending());
    drop(response);
    // The permit went straight to the waiting acquisition of `svc`.
    assert!(poll_ready(&mut svc).is_ready());
    assert!(svc.holds_permit());

    // And without a waiter it goes back to the semaphore.
    let response = svc.call(2);
    assert_eq!(svc.available(), 0);
    drop(response);
    assert_eq!(svc.available(), 1);
}

#[test]
fn permit_released_when_response_fails() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    assert!(poll_ready(&mut svc).is_ready());
    let response = svc.call(1);
    handle.try_next_request().unwrap().1.send_error("nope");
    let err: svc_mock::Error = futures::executor::block_on(response).unwrap_err();
    assert!(err.is_injected());
    assert_eq!(svc.available(), 1);
}

#[test]
fn inner_readiness_error_passes_through_typed_and_releases_the_permit() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    handle.send_error("broken");
    match poll_ready(&mut svc) {
        Poll::Ready(Err(e)) => {
            let e: svc_mock::Error = e; // the inner error type, not a boxed one
            assert!(e.is_injected());
            assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "broken");
        }
        other => panic!("expected the inner error, got {other:?}"),
    }
    assert!(!svc.holds_permit());
    assert_eq!(svc.available(), 1);
}

#[test]
fn inner_pending_keeps_the_permit_until_inner_is_ready() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    handle.allow(0);
    assert!(poll_ready(&mut svc).is_pending());
    assert!(svc.holds_permit(), "the permit is the place in line");
    handle.allow(1);
    assert!(poll_ready(&mut svc).is_ready());
    assert_eq!(svc.available(), 0);
}

#[test]
#[should_panic(expected = "before `poll_ready`")]
fn call_without_readiness_panics() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    drop(svc.call(1));
}

#[test]
fn ready_then_call_through_service_ext() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 3);
    futures::executor::block_on(async {
        let response = svc.ready().await.unwrap().call(5);
        let (req, send) = handle.next_request().await.unwrap();
        send.send_response(req * 2);
        assert_eq!(response.await.unwrap(), 10);
    });
    assert_eq!(svc.available(), 3);
    assert_eq!(svc.max(), Some(3));
}
