//! `ServiceBuilderExt`: the middleware as builder methods, their order, and readiness
//! through a whole stack.

mod support;

use std::time::Duration;

use svc_layers::load_shed::{LoadShed, LoadShedError, Overloaded};
use svc_layers::spawn_ready::SpawnReady;
use svc_layers::timeout::{Elapsed, Timeout, TimeoutError};
use svc_layers::ServiceBuilderExt;
use svc_mock::Mock;
use svc_trait::{Service, ServiceBuilder, ServiceExt};

const SECOND: Duration = Duration::from_secs(1);

#[rt_sched::test(start_paused = true)]
async fn the_first_layer_added_is_the_outermost() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc: LoadShed<Timeout<Mock<u32, u32>>> = ServiceBuilder::new().load_shed().timeout(SECOND).service(mock);

    // Unanswered: the timeout's error, inside the load shedder's.
    let err: LoadShedError<TimeoutError<svc_mock::Error>> = svc.ready().await.unwrap().call(1).await.unwrap_err();
    assert!(!err.is_overloaded());
    assert!(err.inner().unwrap().is_elapsed());

    // Not ready: shed by the outer layer.
    handle.allow(0);
    let err = svc.ready().await.unwrap().call(2).await.unwrap_err();
    assert!(err.is_overloaded());
}

#[rt_sched::test(start_paused = true)]
async fn reversed_the_errors_nest_the_other_way() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let svc: Timeout<LoadShed<Mock<u32, u32>>> = ServiceBuilder::new().timeout(SECOND).load_shed().service(mock);
    let err: TimeoutError<LoadShedError<svc_mock::Error>> = svc.oneshot(1).await.unwrap_err();
    assert!(!err.is_elapsed());
    assert!(err.inner().unwrap().is_overloaded());
}

#[rt_sched::test]
async fn load_shed_over_spawn_ready_sheds_while_readiness_is_driven() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc: LoadShed<SpawnReady<Mock<u32, u32>>> = ServiceBuilder::new().load_shed().spawn_ready().service(mock);
    // Not ready: shed at once, and the mock goes to the background.
    assert!(svc.ready().await.unwrap().call(1).await.unwrap_err().is_overloaded());
    assert!(svc.get_ref().is_in_background());

    handle.allow(1);
    for _ in 0..100 {
        if handle.reserved() == 1 {
            break;
        }
        rt_sched::task::yield_now().await;
    }
    assert_eq!(handle.reserved(), 1, "the background task got readiness");
    let response = svc.ready().await.unwrap().call(2);
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 2);
    send.send_response(3);
    assert_eq!(response.await.unwrap(), 3);
}

#[rt_sched::test(start_paused = true)]
async fn abandoned_readiness_never_starves_through_a_stack() {
    let stack = ServiceBuilder::new().load_shed().timeout(SECOND).spawn_ready();
    support::abandoned_readiness_never_starves(|mock| stack.service(mock)).await;
}

#[rt_sched::test(start_paused = true)]
async fn a_stack_flattens_into_box_errors_like_tower() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    // `into_box_error` after each layer: every error comes out as the condition itself.
    let mut svc = ServiceBuilder::new()
        .map_err(LoadShedError::into_box_error)
        .load_shed()
        .map_err(TimeoutError::into_box_error)
        .timeout(SECOND)
        .service(mock);

    let response = svc.ready().await.unwrap().call(1);
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("nope");
    let err = response.await.unwrap_err();
    assert!(err.downcast_ref::<svc_mock::Error>().unwrap().is_injected());

    let response = svc.ready().await.unwrap().call(2);
    let _unanswered = handle.next_request().await.unwrap();
    assert!(response.await.unwrap_err().is::<Elapsed>());

    handle.allow(0);
    let err = svc.ready().await.unwrap().call(3).await.unwrap_err();
    assert!(err.is::<Overloaded>());
}

#[rt_sched::test(start_paused = true)]
async fn limits_from_the_builder_shed_when_full() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ServiceBuilder::new()
        .load_shed()
        .concurrency_limit(1)
        .rate_limit(10, SECOND)
        .service(mock);
    let first = svc.ready().await.unwrap().call(1);
    // One in flight: the limit is pending, so the load shedder sheds.
    assert!(svc.ready().await.unwrap().call(2).await.unwrap_err().is_overloaded());
    let (_, send) = handle.next_request().await.unwrap();
    send.send_response(10);
    assert_eq!(first.await.unwrap(), 10);
}

#[rt_sched::test(start_paused = true)]
async fn abandoned_readiness_never_starves_through_the_limits() {
    let stack = ServiceBuilder::new()
        .load_shed()
        .timeout(SECOND)
        .concurrency_limit(1)
        .rate_limit(100, SECOND);
    support::abandoned_readiness_never_starves(|mock| stack.service(mock)).await;
}
