//! Typed errors: no combinator or builder method boxes errors; `BoxError` is an opt-in
//! `map_err` away, and the typed error stays reachable through it by downcasting.

use std::fmt;

use futures::executor::block_on;
use svc_trait::{service_fn, BoxError, Service, ServiceBuilder, ServiceExt};

/// A typed error of the inner service.
#[derive(Debug, PartialEq, Eq)]
struct Refused(u8);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Compiles only if `S`'s error type is exactly `E`.
fn error_type_is<S: Service<u8, Error = E>, E>(svc: S) -> S {
    svc
}

fn refuse_odd(x: u8) -> std::future::Ready<Result<u8, Refused>> {
    std::future::ready(if x % 2 == 1 { Err(Refused(x)) } else { Ok(x) })
}

#[test]
fn every_combinator_keeps_the_error_type() {
    let base = service_fn(refuse_odd);
    let svc = error_type_is::<_, Refused>(base.map_request(|x: u8| x).map_response(|x| x + 1));
    let svc = error_type_is::<_, Refused>(svc.and_then(|x| async move { Ok(x) }));
    let svc = error_type_is::<_, Refused>(svc.then(|r: Result<u8, Refused>| async move { r }));
    let svc = error_type_is::<_, Refused>(svc.boxed_clone());
    assert_eq!(block_on(svc.clone().oneshot(3)), Err(Refused(3)));
    assert_eq!(block_on(svc.oneshot(2)), Ok(3));
}

#[test]
fn every_builder_method_keeps_the_error_type() {
    let svc = ServiceBuilder::new()
        .option_layer(None::<svc_trait::Identity>)
        .map_request(|x: u8| x)
        .map_response(|x: u8| x)
        .and_then(|x: u8| async move { Ok(x) })
        .then(|r: Result<u8, Refused>| async move { r })
        .boxed()
        .map_response(|x: u8| x)
        .service(service_fn(refuse_odd));
    let mut svc = error_type_is::<_, Refused>(svc);
    let mut call = |x| block_on(async { svc.ready().await?.call(x).await });
    assert_eq!(call(5), Err(Refused(5)));
    assert_eq!(call(4), Ok(4));
}

#[test]
fn box_error_is_opt_in_and_keeps_the_typed_error_reachable() {
    let svc = ServiceBuilder::new().map_err(BoxError::from).service_fn(refuse_odd);
    let err: BoxError = block_on(svc.oneshot(7)).unwrap_err();
    assert_eq!(err.to_string(), "refused 7");
    assert_eq!(err.downcast_ref::<Refused>(), Some(&Refused(7)));
}

#[test]
fn map_err_wraps_a_typed_error_in_another() {
    #[derive(Debug)]
    struct Failed(Refused);
    let svc = service_fn(refuse_odd).map_err(Failed);
    match block_on(svc.oneshot(1)) {
        Err(Failed(inner)) => assert_eq!(inner, Refused(1)),
        other => panic!("unexpected {other:?}"),
    }
}
