//! Shared helpers for the middleware tests: a one-poll readiness probe, and the
//! abandoned-readiness check every middleware runs over a mock with an allowance of one.
#![allow(dead_code, unreachable_pub)]

use std::fmt::Debug;
use std::future::poll_fn;
use std::task::Poll;

use svc_mock::Mock;
use svc_trait::{Service, ServiceExt};

/// Polls `svc`'s readiness once, with the current task's waker, without waiting.
pub async fn poll_ready_once<S, R>(svc: &mut S) -> Poll<Result<(), S::Error>>
where
    S: Service<R>,
{
    poll_fn(|cx| Poll::Ready(svc.poll_ready(cx))).await
}

/// Polls `fut` once, without waiting.
pub async fn poll_once<F: std::future::Future + Unpin>(fut: &mut F) -> Poll<F::Output> {
    poll_fn(|cx| Poll::Ready(std::pin::Pin::new(&mut *fut).poll(cx))).await
}

/// Wraps two clones of one mock (allowance 1) in the middleware `wrap`; caller A reserves
/// readiness and drops the `Reserved` guard, three times; then caller B must be ready
/// at once and reach the inner service.
pub async fn abandoned_readiness_never_starves<S>(wrap: impl Fn(Mock<u32, u32>) -> S)
where
    S: Service<u32, Response = u32>,
    S::Error: Debug,
{
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    handle.allow(1);
    let mut a = wrap(mock.clone());
    let mut b = wrap(mock);
    for round in 0..3 {
        let reserved = a.reserve().await.expect("A gets readiness");
        assert_eq!(handle.reserved(), 1, "round {round}: A holds the one unit");
        drop(reserved);
        assert_eq!(handle.reserved(), 0, "round {round}: dropping the guard releases it");
        assert_eq!(handle.allowance(), 1, "round {round}: the unit is back");
    }
    assert!(
        matches!(poll_ready_once(&mut b).await, Poll::Ready(Ok(()))),
        "B is ready at once"
    );
    let response = b.call(7);
    let (req, send) = handle
        .try_next_request()
        .expect("B's request reached the inner service");
    assert_eq!(req, 7);
    send.send_response(8);
    assert_eq!(response.await.expect("B's response"), 8);
    assert_eq!(handle.calls(), 1, "A never called");
}
