//! `ServiceBuilder`: layer order, every builder method, `disarm` through a built stack.

mod support;

use std::future::{ready, Ready};

use futures::executor::block_on;
use support::{make_ready, Counting};
use svc_trait::{
    layer_fn, BoxCloneService, BoxService, Identity, Layer, MapRequest, Service, ServiceBuilder, ServiceExt, Stack,
};

fn push(name: &'static str) -> impl Fn(String) -> String + Clone {
    move |s| format!("{s}>{name}")
}

type Echo = svc_trait::ServiceFn<fn(String) -> Ready<Result<String, &'static str>>>;

fn echo() -> Echo {
    svc_trait::service_fn(|s| ready(Ok(s)))
}

#[test]
fn first_layer_added_is_outermost() {
    let svc = ServiceBuilder::new()
        .map_request(push("a"))
        .layer(layer_fn(|inner| MapRequest::new(inner, push("b"))))
        .map_request(push("c"))
        .service(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">a>b>c".to_string()));
}

#[test]
fn responses_pass_layers_inner_first() {
    let svc = ServiceBuilder::new()
        .map_response(push("outer"))
        .map_response(push("inner"))
        .service(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">inner>outer".to_string()));
}

#[test]
fn stack_applies_inner_then_outer() {
    let stack = Stack::new(
        layer_fn(|inner| MapRequest::new(inner, push("inner"))),
        layer_fn(|inner| MapRequest::new(inner, push("outer"))),
    );
    let svc = stack.layer(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">outer>inner".to_string()));
}

#[test]
fn option_layer_some_and_none() {
    let on = ServiceBuilder::new()
        .option_layer(Some(Identity::new()))
        .map_request(push("m"));
    let svc = on.service(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">m".to_string()));
    let with = ServiceBuilder::new()
        .option_layer(Some(svc_trait::MapRequestLayer::new(push("some"))))
        .service(echo());
    assert_eq!(block_on(with.oneshot(String::new())), Ok(">some".to_string()));
    let without = ServiceBuilder::new()
        .option_layer(None::<svc_trait::MapRequestLayer<fn(String) -> String>>)
        .service(echo());
    assert_eq!(block_on(without.oneshot("x".into())), Ok("x".to_string()));
}

#[test]
fn map_err_then_and_then() {
    let svc = ServiceBuilder::new()
        .map_err(|e: &'static str| e.len())
        .and_then(|s: String| async move { Ok(s + "!") })
        .then(|r: Result<String, &'static str>| async move { r.map(|s| s + "?") })
        .service(echo());
    assert_eq!(block_on(svc.oneshot("hi".into())), Ok("hi?!".to_string()));
    let failing = ServiceBuilder::new()
        .map_err(|e: &'static str| e.len())
        .service_fn(|_: ()| async { Err::<(), _>("four") });
    assert_eq!(block_on(failing.oneshot(())), Err(4));
}

#[test]
fn boxed_and_boxed_clone() {
    let svc: BoxService<String, String, &str> = ServiceBuilder::new().boxed().map_request(push("b")).service(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">b".to_string()));
    let svc: BoxCloneService<String, String, &str> = ServiceBuilder::new()
        .boxed_clone()
        .map_response(push("c"))
        .service(echo());
    assert_eq!(block_on(svc.clone().oneshot(String::new())), Ok(">c".to_string()));
}

#[test]
fn check_service_and_into_inner() {
    let builder = ServiceBuilder::new()
        .map_request(push("x"))
        .check_service::<Counting, String>();
    let layer = builder.into_inner();
    let svc = layer.layer(echo());
    assert_eq!(block_on(svc.oneshot(String::new())), Ok(">x".to_string()));
}

#[test]
fn disarm_reaches_the_service_through_every_builder_layer() {
    let (inner, counts) = Counting::new();
    let mut svc = ServiceBuilder::new()
        .boxed_clone()
        .option_layer(Some(Identity::new()))
        .map_request(|x: u8| x)
        .map_response(|x: u8| x)
        .map_err(|e: &'static str| e)
        .and_then(|x: u8| async move { Ok(x) })
        .then(|r: Result<u8, &'static str>| async move { r })
        .service(inner);
    make_ready::<_, u8>(&mut svc);
    assert_eq!(counts.held.get(), 1);
    svc.disarm();
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 1);
}

#[test]
fn boxed_in_the_middle_boxes_what_is_below() {
    let svc = ServiceBuilder::new()
        .map_request(push("outer"))
        .boxed()
        .map_request(push("inner"))
        .service(echo());
    let boxed: BoxService<String, String, &str> = svc.into_inner();
    assert_eq!(block_on(boxed.oneshot(String::new())), Ok(">inner".to_string()));
}
