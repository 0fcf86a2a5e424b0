//! The `ServiceExt` combinators: results, errors, and `disarm` forwarding.

mod support;

use futures::executor::block_on;
use support::{make_ready, Counting};
use svc_trait::{service_fn, Service, ServiceExt};

/// Makes `svc` ready, disarms it, and checks that the reservation reached `Counting`.
fn assert_disarm_forwarded<S: Service<R>, R>(mut svc: S, counts: &support::Counts) {
    make_ready(&mut svc);
    assert_eq!(counts.held.get(), 1);
    svc.disarm();
    assert_eq!(counts.held.get(), 0, "disarm not forwarded");
    assert_eq!(counts.disarms.get(), 1);
    svc.disarm();
    assert_eq!(counts.disarms.get(), 1, "a second disarm must be a no-op");
}

#[test]
fn map_request_maps_and_forwards_disarm() {
    let (inner, counts) = Counting::new();
    let svc = inner.clone().map_request(|x: u8| u16::from(x) * 2);
    assert_eq!(block_on(svc.oneshot(4)), Ok(8u16));
    let (inner2, counts2) = Counting::new();
    assert_disarm_forwarded::<_, u8>(inner2.map_request(|x: u8| x), &counts2);
    assert_eq!(counts.calls.get(), 1);
}

#[test]
fn map_response_maps_and_forwards_disarm() {
    let (inner, counts) = Counting::new();
    let svc = inner.map_response(|x: u8| x + 1);
    assert_eq!(block_on(svc.clone().oneshot(1u8)), Ok(2));
    assert_disarm_forwarded::<_, u8>(svc, &counts);
}

#[test]
fn map_err_maps_both_errors_and_forwards_disarm() {
    let failing = service_fn(|_: ()| async { Err::<(), _>("boom") }).map_err(|e: &str| e.len());
    assert_eq!(block_on(failing.oneshot(())), Err(4));
    let (inner, counts) = Counting::new();
    let svc = ServiceExt::<u8>::map_err(inner, |e: &str| e.len());
    assert_disarm_forwarded::<_, u8>(svc, &counts);
}

#[test]
fn then_sees_errors_and_forwards_disarm() {
    let svc = service_fn(|x: i32| async move {
        if x < 0 {
            Err("neg")
        } else {
            Ok(x)
        }
    })
    .then(|res| async move { Ok::<_, &str>(res.unwrap_or(-100)) });
    assert_eq!(block_on(svc.clone().oneshot(-1)), Ok(-100));
    assert_eq!(block_on(svc.oneshot(3)), Ok(3));
    let (inner, counts) = Counting::new();
    let svc = inner.then(|r: Result<u8, &str>| async move { r });
    assert_disarm_forwarded::<_, u8>(svc, &counts);
}

#[test]
fn and_then_skips_errors_and_forwards_disarm() {
    let svc = service_fn(|x: i32| async move {
        if x < 0 {
            Err("neg")
        } else {
            Ok(x)
        }
    })
    .and_then(|x| async move { Ok(x * 3) });
    assert_eq!(block_on(svc.clone().oneshot(-1)), Err("neg"));
    assert_eq!(block_on(svc.oneshot(2)), Ok(6));
    let (inner, counts) = Counting::new();
    assert_disarm_forwarded::<_, u8>(inner.and_then(|x: u8| async move { Ok(x) }), &counts);
}

#[test]
fn stacked_combinators_apply_in_order() {
    let svc = service_fn(|s: String| async move { Ok::<_, ()>(s) })
        .map_request(|s: &str| format!("{s}+req"))
        .map_response(|s: String| format!("{s}+resp"))
        .and_then(|s| async move { Ok(format!("{s}+and_then")) });
    assert_eq!(block_on(svc.oneshot("x")), Ok("x+req+resp+and_then".to_string()));
}

#[test]
fn reserved_through_a_stack_disarms_the_innermost() {
    let (inner, counts) = Counting::new();
    let mut svc = inner
        .map_request(|x: u8| x)
        .map_response(|x: u8| x)
        .map_err(|e: &str| e);
    let reserved = block_on(svc.reserve()).unwrap();
    assert_eq!(counts.held.get(), 1);
    drop(reserved);
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 1);
}
