//! The `tower` feature: our services under real tower and tower-http layers, tower
//! services under ours, and `disarm` at the boundary.

mod support;

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Duration;

use support::Counting;
use svc_trait::compat::{self, FromTower, IntoTowerLayer};
use svc_trait::{service_fn, MapRequestLayer, Service, ServiceBuilder, ServiceExt};
use tower::ServiceExt as _;

fn poll_ready<S: Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    let waker = futures::task::noop_waker();
    svc.poll_ready(&mut Context::from_waker(&waker))
}

fn poll_ready_tower<S: tower::Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    let waker = futures::task::noop_waker();
    svc.poll_ready(&mut Context::from_waker(&waker))
}

/// Our service: answers after `ms` milliseconds (tokio timer).
fn slow_echo(ms: u64) -> impl svc_trait::Service<u32, Response = u32, Error = tower::BoxError> + Clone {
    service_fn(move |x: u32| async move {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok::<_, tower::BoxError>(x)
    })
}

#[tokio::test]
async fn tower_timeout_wraps_our_service() {
    let svc = tower::ServiceBuilder::new()
        .timeout(Duration::from_millis(20))
        .service(slow_echo(0).into_tower());
    assert_eq!(svc.oneshot(7).await.unwrap(), 7);

    let svc = tower::ServiceBuilder::new()
        .timeout(Duration::from_millis(20))
        .service(slow_echo(10_000).into_tower());
    let err = svc.oneshot(7).await.unwrap_err();
    assert!(err.is::<tower::timeout::error::Elapsed>(), "{err}");
}

#[tokio::test]
async fn tower_concurrency_limit_wraps_our_service() {
    let mut a = tower::ServiceBuilder::new()
        .concurrency_limit(1)
        .service(slow_echo(30).into_tower());
    let mut b = a.clone();
    assert!(poll_ready_tower(&mut a).is_ready());
    let in_flight = tower::Service::call(&mut a, 1);
    assert!(poll_ready_tower(&mut b).is_pending(), "the only permit is in use");
    assert_eq!(in_flight.await.unwrap(), 1);
    let ready = b.ready().await.unwrap();
    assert_eq!(tower::Service::call(ready, 2).await.unwrap(), 2);
}

#[tokio::test]
async fn tower_http_set_request_header_wraps_our_service_fn() {
    use http::header::{HeaderValue, USER_AGENT};
    use tower_http::set_header::SetRequestHeaderLayer;

    let ours = service_fn(|req: http::Request<()>| async move {
        let agent = req.headers().get(USER_AGENT).cloned();
        Ok::<_, Infallible>(http::Response::new(agent))
    });
    let svc = tower::ServiceBuilder::new()
        .layer(SetRequestHeaderLayer::overriding(
            USER_AGENT,
            HeaderValue::from_static("rt-stack"),
        ))
        .service(ours.into_tower());
    let response = svc.oneshot(http::Request::new(())).await.unwrap();
    assert_eq!(response.into_body(), Some(HeaderValue::from_static("rt-stack")));
}

#[tokio::test]
async fn our_layers_wrap_a_tower_service_fn() {
    let tower_svc = tower::service_fn(|s: String| async move { Ok::<_, &'static str>(s.len()) });
    let svc = ServiceBuilder::new()
        .map_request(|s: &str| s.trim().to_string())
        .map_err(|e: &'static str| e.len())
        .service(compat::from_tower(tower_svc))
        .map_response(|n| n * 10);
    assert_eq!(svc.oneshot("  abc ").await, Ok(30));

    let failing = tower::service_fn(|_: ()| async { Err::<(), _>("four") });
    assert_eq!(FromTower::new(failing).map_err(str::len).oneshot(()).await, Err(4));
}

#[tokio::test]
async fn a_tower_layer_in_our_builder_and_ours_in_tower_s() {
    // Tower's timeout inside our builder, around our service.
    let svc = ServiceBuilder::new()
        .map_response(|x: u32| x + 1)
        .tower_layer(tower::timeout::TimeoutLayer::new(Duration::from_millis(20)))
        .service(slow_echo(10_000));
    let err = svc.oneshot(1).await.unwrap_err();
    assert!(err.is::<tower::timeout::error::Elapsed>());

    // Our map_request layer inside tower's builder, around a tower service.
    let svc = tower::ServiceBuilder::new()
        .layer(IntoTowerLayer::new(MapRequestLayer::new(|x: u8| u32::from(x) * 2)))
        .service_fn(|x: u32| async move { Ok::<_, Infallible>(x + 1) });
    assert_eq!(svc.oneshot(20).await.unwrap(), 41);
}

#[test]
fn into_tower_forwards_readiness_and_nothing_else() {
    let (inner, counts) = Counting::new();
    let mut svc = ServiceExt::<u8>::into_tower(inner);
    assert!(poll_ready_tower::<_, u8>(&mut svc).is_ready());
    assert_eq!(counts.held.get(), 1, "tower's poll_ready reaches our service");
    // A tower caller has no disarm: the reservation is ours again only through into_inner.
    let mut inner = svc.into_inner();
    assert_eq!(counts.held.get(), 1);
    Service::<u8>::disarm(&mut inner);
    assert_eq!(counts.held.get(), 0);
}

#[test]
fn from_tower_disarm_is_a_no_op_and_the_permit_is_released_only_on_drop() {
    let limited = tower::limit::ConcurrencyLimit::new(tower::service_fn(|x: u8| async move { Ok::<_, ()>(x) }), 1);
    let mut a = FromTower::new(limited.clone());
    let mut b = FromTower::new(limited);
    assert!(poll_ready(&mut a).is_ready());
    a.disarm(); // cannot reach tower's permit
    assert!(poll_ready(&mut b).is_pending(), "tower keeps the permit after disarm");
    drop(a);
    assert!(poll_ready(&mut b).is_ready(), "dropping the service releases it");
}
