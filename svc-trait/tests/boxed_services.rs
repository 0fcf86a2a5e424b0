//! Boxed services: results, cloning, `Send`/`Sync`, `disarm` forwarding.

mod support;

use futures::executor::block_on;
use support::{make_ready, Counting};
use svc_trait::{BoxCloneService, BoxCloneSyncService, BoxService, Layer, Service, ServiceExt, SyncBoxService};

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}

#[test]
fn send_and_sync() {
    assert_send::<BoxService<u8, u8, ()>>();
    assert_send::<BoxCloneService<u8, u8, ()>>();
    assert_send::<SyncBoxService<u8, u8, ()>>();
    assert_sync::<SyncBoxService<u8, u8, ()>>();
    assert_send::<BoxCloneSyncService<u8, u8, ()>>();
    assert_sync::<BoxCloneSyncService<u8, u8, ()>>();
}

fn check_disarm<S: Service<u8>>(mut svc: S, counts: &support::Counts) {
    make_ready(&mut svc);
    assert_eq!(counts.held.get(), 1);
    svc.disarm();
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 1);
}

#[test]
fn box_service_calls_and_forwards_disarm() {
    let (inner, counts) = Counting::new();
    let svc: BoxService<u8, u8, &str> = inner.clone().boxed();
    assert_eq!(block_on(svc.oneshot(7)), Ok(7));
    assert_eq!(counts.calls.get(), 1);
    let (inner, counts) = Counting::new();
    check_disarm(BoxService::new(inner), &counts);
}

#[test]
fn sync_box_service_forwards_disarm() {
    let (inner, counts) = Counting::new();
    check_disarm(SyncBoxService::<u8, u8, &str>::new(inner), &counts);
}

#[test]
fn box_clone_service_clones_and_forwards_disarm() {
    let (inner, counts) = Counting::new();
    let svc: BoxCloneService<u8, u8, &str> = inner.boxed_clone();
    assert_eq!(block_on(svc.clone().oneshot(1)), Ok(1));
    assert_eq!(block_on(svc.clone().oneshot(2)), Ok(2));
    assert_eq!(counts.calls.get(), 2);
    check_disarm(svc, &counts);
}

#[test]
fn box_clone_sync_service_clone_is_not_ready() {
    let (inner, counts) = Counting::new();
    let mut svc = BoxCloneSyncService::<u8, u8, &str>::new(inner);
    make_ready::<_, u8>(&mut svc);
    let mut clone = svc.clone();
    assert_eq!(counts.held.get(), 1, "cloning must not copy the reservation");
    clone.disarm();
    assert_eq!(counts.held.get(), 1, "the clone holds nothing to release");
    svc.disarm();
    assert_eq!(counts.held.get(), 0);
}

#[test]
fn box_layers() {
    let (inner, _) = Counting::new();
    let svc = BoxService::<u8, u8, &str>::layer().layer(inner.clone());
    assert_eq!(block_on(svc.oneshot(4)), Ok(4));
    let svc = BoxCloneService::<u8, u8, &str>::layer().layer(inner);
    assert_eq!(block_on(svc.oneshot(5)), Ok(5));
}
