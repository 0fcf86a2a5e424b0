//! `LoadShed`: fails fast when the inner service is not ready, passes through when it is,
//! never calls the inner service without readiness, forwards `disarm`.

mod support;

use std::error::Error as _;
use std::task::Poll;

use svc_layers::load_shed::{LoadShed, LoadShedError, LoadShedLayer, Overloaded};
use svc_trait::{BoxError, Layer, Service, ServiceExt};

#[rt_sched::test]
async fn a_pending_inner_sheds_the_next_call_at_once() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = LoadShed::new(mock);
    // `poll_ready` is ready even though the inner service is not.
    assert!(matches!(support::poll_ready_once(&mut svc).await, Poll::Ready(Ok(()))));
    let err = svc.call(1).await.unwrap_err();
    assert!(err.is_overloaded());
    assert!(!err.is_inner());
    assert_eq!(handle.calls(), 0, "the inner service was not called");
    assert_eq!(handle.reserved(), 0);
}

#[rt_sched::test]
async fn a_ready_inner_passes_through() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = LoadShedLayer::new().layer(mock);
    let response = svc.ready().await.unwrap().call(1);
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 1);
    send.send_response(2);
    assert_eq!(response.await.unwrap(), 2);
}

#[rt_sched::test]
async fn shedding_stops_when_the_inner_becomes_ready() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = LoadShed::new(mock);
    assert!(svc.ready().await.unwrap().call(1).await.unwrap_err().is_overloaded());
    handle.allow(1);
    let response = svc.ready().await.unwrap().call(2);
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 2);
    send.send_response(3);
    assert_eq!(response.await.unwrap(), 3);
    // The allowance is spent again: shed.
    assert!(svc.ready().await.unwrap().call(4).await.unwrap_err().is_overloaded());
    assert_eq!(handle.calls(), 1);
}

#[rt_sched::test]
async fn a_call_without_poll_ready_is_shed_not_forwarded() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = LoadShed::new(mock);
    // The mock panics when called without readiness: `LoadShed` must not do that.
    assert!(svc.call(1).await.unwrap_err().is_overloaded());
    // Readiness is used by one call only.
    svc.ready().await.unwrap();
    let _first = svc.call(2);
    assert!(svc.call(3).await.unwrap_err().is_overloaded());
    assert_eq!(handle.calls(), 1);
}

#[rt_sched::test]
async fn inner_errors_pass_through_typed() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = LoadShed::new(mock);

    // A response error.
    let response = svc.ready().await.unwrap().call(1);
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("bad request");
    let err = response.await.unwrap_err();
    assert!(err.is_inner());
    assert!(err.inner().unwrap().is_injected());

    // A readiness error.
    handle.send_error("broken");
    let err = svc.ready().await.unwrap_err();
    assert!(!err.is_overloaded());
    let inner = err.into_inner().expect("the inner error");
    assert!(inner.is_injected());
}

#[rt_sched::test]
async fn disarm_is_forwarded_when_the_inner_was_ready() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = LoadShed::new(mock);
    svc.ready().await.unwrap();
    assert_eq!(handle.reserved(), 1);
    svc.disarm();
    assert_eq!(handle.reserved(), 0);
    assert!(!svc.get_ref().is_ready());
    // Disarmed: the next call is shed rather than forwarded without readiness.
    assert!(svc.call(1).await.unwrap_err().is_overloaded());
}

#[rt_sched::test]
async fn a_clone_is_not_ready() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = LoadShed::new(mock);
    svc.ready().await.unwrap();
    let mut clone = svc.clone();
    assert!(clone.call(1).await.unwrap_err().is_overloaded());
    assert_eq!(handle.reserved(), 1, "the original keeps its readiness");
}

#[rt_sched::test]
async fn abandoned_readiness_never_starves() {
    support::abandoned_readiness_never_starves(LoadShed::new).await;
}

#[rt_sched::test]
async fn errors_source_and_box_paths() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = LoadShed::new(mock);
    let err = svc.ready().await.unwrap().call(1).await.unwrap_err();
    assert_eq!(err.to_string(), "service overloaded");
    assert!(err.source().unwrap().is::<Overloaded>());
    assert!(err.into_box_error().is::<Overloaded>());

    let err = svc.ready().await.unwrap().call(1).await.unwrap_err();
    let boxed = BoxError::from(err);
    assert!(boxed
        .downcast_ref::<LoadShedError<svc_mock::Error>>()
        .unwrap()
        .is_overloaded());

    handle.send_error("broken");
    let err = svc.ready().await.unwrap_err();
    assert_eq!(err.to_string(), "inner service failed");
    assert!(err.source().unwrap().is::<svc_mock::Error>());
    assert!(err
        .into_box_error()
        .downcast_ref::<svc_mock::Error>()
        .unwrap()
        .is_injected());
}
