//! `ready`, `ready_oneshot`, `oneshot` and `reserve`.

mod support;

use futures::executor::block_on;
use support::{make_ready, Counting};
use svc_trait::{Service, ServiceExt};

#[test]
fn ready_then_call() {
    let (mut svc, counts) = Counting::new();
    let out = block_on(async { ServiceExt::<u8>::ready(&mut svc).await.unwrap().call(5u8).await });
    assert_eq!(out, Ok(5));
    assert_eq!(counts.calls.get(), 1);
    assert_eq!(counts.held.get(), 0);
}

#[test]
fn ready_is_kept_until_call() {
    let (mut svc, counts) = Counting::new();
    make_ready::<_, u8>(&mut svc);
    make_ready::<_, u8>(&mut svc);
    assert_eq!(counts.held.get(), 1, "polling twice must not reserve twice");
}

#[test]
fn ready_oneshot_yields_the_service() {
    let (svc, counts) = Counting::new();
    let mut svc = block_on(ServiceExt::<u8>::ready_oneshot(svc)).unwrap();
    assert_eq!(counts.held.get(), 1);
    assert_eq!(block_on(svc.call(1u8)), Ok(1));
    assert_eq!(counts.held.get(), 0);
}

#[test]
fn oneshot_calls_once() {
    let (svc, counts) = Counting::new();
    assert_eq!(block_on(svc.oneshot("a")), Ok("a"));
    assert_eq!(counts.calls.get(), 1);
    assert_eq!(counts.held.get(), 0);
}

#[test]
fn reserved_call_uses_the_reservation() {
    let (mut svc, counts) = Counting::new();
    let reserved = block_on(svc.reserve()).unwrap();
    assert_eq!(block_on(reserved.call(3u8)), Ok(3));
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 0);
}

#[test]
fn reserved_drop_disarms() {
    let (mut svc, counts) = Counting::new();
    let reserved = block_on(ServiceExt::<u8>::reserve(&mut svc)).unwrap();
    assert_eq!(counts.held.get(), 1);
    drop(reserved);
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 1);
}

#[test]
fn disarm_without_reservation_is_a_noop() {
    let (mut svc, counts) = Counting::new();
    Service::<u8>::disarm(&mut svc);
    assert_eq!(counts.disarms.get(), 0);
}

#[test]
fn blanket_impls_forward_disarm() {
    let (svc, counts) = Counting::new();
    let mut boxed = Box::new(svc);
    {
        let mut by_ref = &mut boxed;
        make_ready::<_, u8>(&mut by_ref);
        Service::<u8>::disarm(&mut by_ref);
    }
    assert_eq!(counts.disarms.get(), 1);
    assert_eq!(counts.held.get(), 0);
}
