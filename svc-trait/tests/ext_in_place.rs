//! Combinator futures hold the inner future in place: no allocation, no `Unpin` bound, and
//! `Unpin` exactly when the inner future is.

use std::future::{ready, Ready};
use std::mem::size_of;

use futures::executor::block_on;
use svc_trait::{service_fn, Either, EitherFuture, Service, ServiceExt, ServiceFn};

/// A large `Unpin` response future: if a combinator boxed it, its future would be about a
/// pointer in size instead.
type Big = Ready<Result<[u8; 256], ()>>;

fn big(_: ()) -> Big {
    ready(Ok([7; 256]))
}

fn assert_unpin<T: Unpin>(_: &T) {}

fn future_of<S: Service<()>>(mut svc: S) -> S::Future {
    svc.call(())
}

#[test]
fn combinator_futures_hold_the_inner_future_inline() {
    let base = service_fn(big as fn(()) -> Big);
    let map = future_of(base.map_response(|a: [u8; 256]| a[0]));
    let err = future_of(base.map_err(|()| "e"));
    let then = future_of(base.then(|r: Result<[u8; 256], ()>| ready(r.map(|a| a[1]))));
    let and_then = future_of(base.and_then(|a: [u8; 256]| ready(Ok(a[2]))));
    let either = future_of(Either::<_, ServiceFn<fn(()) -> Big>>::Left(base).map_response(|a: [u8; 256]| a[3]));
    assert!(size_of::<Big>() >= 256);
    assert!(size_of_val(&map) >= 256, "map_response future boxes its inner future");
    assert!(size_of_val(&err) >= 256, "map_err future boxes its inner future");
    assert!(size_of_val(&then) >= 256, "then future boxes its inner future");
    assert!(size_of_val(&and_then) >= 256, "and_then future boxes its inner future");
    assert!(size_of_val(&either) >= 256, "Either future boxes its inner future");
    assert_unpin(&map);
    assert_unpin(&then);
    assert_unpin(&either);
    assert_eq!(block_on(map), Ok(7));
    assert_eq!(block_on(err), Ok([7; 256]));
    assert_eq!(block_on(then), Ok(7));
    assert_eq!(block_on(and_then), Ok(7));
    assert_eq!(block_on(either), Ok(7));
}

#[test]
fn combinators_accept_futures_that_are_not_unpin() {
    // `async` blocks are `!Unpin`; every combinator must still drive them.
    let svc = service_fn(|x: u32| async move { Ok::<_, u8>(x) });
    let stack = svc
        .map_response(|x| x + 1)
        .map_err(u16::from)
        .and_then(|x| async move { Ok(x * 2) })
        .then(|r: Result<u32, u16>| async move { r.map(|x| x + 1) });
    assert_eq!(block_on(stack.clone().oneshot(1)), Ok(5));
    let either = Either::<ServiceFn<fn(u32) -> Ready<Result<u32, u16>>>, _>::Right(stack);
    assert_eq!(block_on(either.oneshot(2)), Ok(7));
}

fn id(x: u8) -> Ready<Result<u8, ()>> {
    ready(Ok(x))
}

fn plus_100(x: u8) -> Ready<Result<u8, ()>> {
    ready(Ok(x + 100))
}

type Fixed = ServiceFn<fn(u8) -> Ready<Result<u8, ()>>>;

#[test]
fn either_future_is_the_response_future_of_either() {
    let mut svc: Either<Fixed, Fixed> = Either::Right(service_fn(plus_100));
    let fut: EitherFuture<_, _> = svc.call(1);
    assert!(!fut.is_left());
    assert_eq!(block_on(fut), Ok(101));
    let mut svc: Either<Fixed, Fixed> = Either::Left(service_fn(id));
    let fut = svc.call(1);
    assert!(fut.is_left());
    assert_eq!(block_on(fut), Ok(1));
}
