//! `Either` as a service and as a layer; `Identity` and `layer_fn`.

mod support;

use std::future::{ready, Ready};

use futures::executor::block_on;
use support::{make_ready, Counting};
use svc_trait::{layer_fn, service_fn, Either, Identity, Layer, MapResponseLayer, Service, ServiceExt, ServiceFn};

#[test]
fn either_service_calls_the_side_it_holds() {
    type Fixed = ServiceFn<fn(u8) -> Ready<Result<u8, ()>>>;
    let plus_one: Fixed = service_fn(|x| ready(Ok(x + 1)));
    let plus_two: Fixed = service_fn(|x| ready(Ok(x + 2)));
    let svc: Either<Fixed, Fixed> = Either::Left(plus_one);
    assert_eq!(block_on(svc.oneshot(0)), Ok(1));
    let svc: Either<Fixed, Fixed> = Either::Right(plus_two);
    assert_eq!(block_on(svc.oneshot(0)), Ok(2));
}

#[test]
fn either_forwards_disarm_on_both_sides() {
    for left in [true, false] {
        let (a, counts) = Counting::new();
        let mut svc: Either<Counting, Counting> = if left { Either::Left(a) } else { Either::Right(a) };
        make_ready::<_, u8>(&mut svc);
        Service::<u8>::disarm(&mut svc);
        assert_eq!(counts.held.get(), 0);
        assert_eq!(counts.disarms.get(), 1);
    }
}

type MaybeDouble = Either<MapResponseLayer<fn(u8) -> u8>, Identity>;

#[test]
fn either_layer_applies_the_layer_it_holds() {
    let double: MaybeDouble = Either::Left(MapResponseLayer::new(|x| x * 2));
    let svc = double.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    assert_eq!(block_on(svc.oneshot(5)), Ok(10));
    let ident: MaybeDouble = Either::Right(Identity::new());
    let svc = ident.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    assert_eq!(block_on(svc.oneshot(5)), Ok(5));
}

#[test]
fn identity_and_layer_fn() {
    assert_eq!(Identity::new().layer("svc"), "svc");
    let wrap = layer_fn(|s: &str| s.len());
    assert_eq!(wrap.layer("four"), 4);
    let by_ref: &dyn Layer<&str, Service = usize> = &wrap;
    assert_eq!(by_ref.layer("ab"), 2);
}
