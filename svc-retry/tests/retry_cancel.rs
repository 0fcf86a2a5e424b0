//! Dropping a response future stops retrying.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::Context;
use std::time::Duration;

use futures::task::noop_waker;
use svc_retry::{ExponentialBackoff, Jitter, Retry};
use svc_trait::{Service, ServiceExt};

use support::{builder, ms};

#[rt_sched::test(start_paused = true)]
async fn a_cancelled_future_stops_retrying_during_the_backoff() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let backoff = ExponentialBackoff::new(ms(100), ms(100), Jitter::None).unwrap();
    let mut svc = Retry::new(builder().max_attempts(5).backoff(backoff).build(), mock);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    {
        let mut response = pin!(svc.ready().await.unwrap().call(1));
        assert!(response.as_mut().poll(&mut cx).is_pending());
        handle.next_request().await.unwrap().1.send_error("first");
        // The future sees the failure and starts its backoff...
        assert!(response.as_mut().poll(&mut cx).is_pending());
    } // ...and is dropped during it.
    rt_core::time::advance(Duration::from_secs(10)).await;
    assert!(handle.try_next_request().is_none(), "no retry after cancellation");
    assert_eq!((handle.calls(), svc.stats().retries), (1, 0));
    assert_eq!(handle.reserved(), 0);
}

#[rt_sched::test(start_paused = true)]
async fn a_cancelled_future_drops_the_attempt_in_flight() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(5).build(), mock);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut response = Box::pin(svc.ready().await.unwrap().call(1));
    handle.next_request().await.unwrap().1.send_error("first");
    assert!(response.as_mut().poll(&mut cx).is_pending()); // the retry is in flight
    let (_, send) = handle.next_request().await.unwrap();
    drop(response);
    assert!(send.is_canceled(), "the retry's response future was dropped");
    rt_core::time::advance(Duration::from_secs(10)).await;
    assert!(handle.try_next_request().is_none());
    assert_eq!(handle.calls(), 2);
}
