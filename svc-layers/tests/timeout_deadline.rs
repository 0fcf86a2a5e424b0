//! `Timeout` with the paused clock: elapsed vs completed, laziness of the timer,
//! readiness pass-through, disarm.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::time::{sleep, Instant};
use svc_layers::timeout::{Timeout, TimeoutLayer};
use svc_trait::{service_fn, Layer, Service, ServiceExt};

const SECOND: Duration = Duration::from_secs(1);

/// A service that answers after `ms` milliseconds of (paused) clock time.
fn sleepy() -> impl Service<u64, Response = u64, Error = std::io::Error> + Clone {
    service_fn(|ms: u64| async move {
        sleep(Duration::from_millis(ms)).await;
        Ok(ms)
    })
}

#[rt_sched::test(start_paused = true)]
async fn a_response_before_the_deadline_completes() {
    let start = Instant::now();
    let answer = Timeout::new(sleepy(), SECOND).oneshot(999).await.unwrap();
    assert_eq!(answer, 999);
    assert_eq!(start.elapsed(), Duration::from_millis(999));
}

#[rt_sched::test(start_paused = true)]
async fn a_response_after_the_deadline_elapses_at_the_deadline() {
    let start = Instant::now();
    let err = Timeout::new(sleepy(), SECOND).oneshot(1001).await.unwrap_err();
    assert!(err.is_elapsed());
    assert_eq!(
        start.elapsed(),
        SECOND,
        "fails at the deadline, not when the inner would answer"
    );
}

#[rt_sched::test(start_paused = true)]
async fn the_deadline_is_fixed_at_call_not_at_first_poll() {
    let mut svc = Timeout::new(sleepy(), SECOND);
    let response = svc.ready().await.unwrap().call(1500);
    sleep(Duration::from_millis(600)).await; // the response is not polled meanwhile
    let start = Instant::now();
    assert!(response.await.unwrap_err().is_elapsed());
    assert_eq!(start.elapsed(), Duration::from_millis(400));
}

#[rt_sched::test(start_paused = true)]
async fn an_unanswered_mock_request_times_out_and_is_cancelled() {
    let (mock, mut handle) = svc_mock::pair::<&str, &str>();
    let mut svc = TimeoutLayer::new(SECOND).layer(mock);
    let response = svc.ready().await.unwrap().call("hello");
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, "hello");
    let err = response.await.unwrap_err();
    assert!(err.is_elapsed());
    assert!(send.is_canceled(), "the inner response future was dropped");
}

#[rt_sched::test(start_paused = true)]
async fn an_answered_mock_request_passes_through() {
    let (mock, mut handle) = svc_mock::pair::<&str, &str>();
    let mut svc = Timeout::new(mock, SECOND);
    let response = svc.ready().await.unwrap().call("hello");
    let (_, send) = handle.next_request().await.unwrap();
    send.send_response("world");
    assert_eq!(response.await.unwrap(), "world");
}

#[test]
fn a_ready_response_never_touches_the_timer_wheel() {
    let timer = rt_core::time::manual::ManualTimer::new(true);
    let _guard = timer.enter();
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);

    let mut svc = Timeout::new(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), SECOND);
    assert!(svc.poll_ready(&mut cx).is_ready());
    let mut ready = pin!(svc.call(1));
    assert!(matches!(ready.as_mut().poll(&mut cx), Poll::Ready(Ok(1))));
    assert_eq!(timer.pending(), 0, "no timer for a response that was ready");

    // A response that has to be waited for does register one.
    let mut slow = Timeout::new(service_fn(|()| std::future::pending::<Result<(), ()>>()), SECOND);
    assert!(slow.poll_ready(&mut cx).is_ready());
    let mut waiting = pin!(slow.call(()));
    assert!(waiting.as_mut().poll(&mut cx).is_pending());
    assert_eq!(timer.pending(), 1);
}

#[rt_sched::test(start_paused = true)]
async fn readiness_pending_and_errors_pass_through() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Timeout::new(mock, SECOND);
    handle.allow(0);
    assert!(support::poll_ready_once(&mut svc).await.is_pending());
    handle.send_error("boom");
    let err = match support::poll_ready_once(&mut svc).await {
        Poll::Ready(Err(e)) => e,
        other => panic!("expected a readiness error, got {other:?}"),
    };
    assert!(!err.is_elapsed());
    assert!(err.inner().unwrap().is_injected());
}

#[rt_sched::test(start_paused = true)]
async fn disarm_is_forwarded() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Timeout::new(mock, SECOND);
    svc.ready().await.unwrap();
    assert_eq!(handle.reserved(), 1);
    svc.disarm();
    assert_eq!(handle.reserved(), 0);
    assert!(!svc.get_ref().is_ready());
}

#[rt_sched::test(start_paused = true)]
async fn abandoned_readiness_never_starves() {
    support::abandoned_readiness_never_starves(|mock| Timeout::new(mock, SECOND)).await;
}
