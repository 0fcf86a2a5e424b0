//! Discovery: inserts and removes apply while no request arrives; a removed endpoint
//! finishes its requests in flight before its service is dropped; a replaced key drops
//! the old service.

mod support;

use std::time::Duration;

use support::{settle, MockSvc};
use svc_balance::{Balance, Change, EndpointState, ServiceList};
use svc_trait::{Service, ServiceExt};

#[rt_sched::test(start_paused = true)]
async fn inserts_and_removes_apply_while_idle() {
    let (tx, rx) = rt_core::sync::mpsc::unbounded_channel::<Change<&str, MockSvc>>();
    let balance: Balance<_, _, u32> = Balance::new(rx);
    let (a, handle_a) = svc_mock::pair::<u32, u32>();
    let (b, handle_b) = svc_mock::pair::<u32, u32>();

    tx.send(Change::Insert("a", a)).unwrap();
    tx.send(Change::Insert("b", b)).unwrap();
    settle().await;
    let metrics = balance.metrics();
    assert_eq!((metrics.endpoints(), metrics.ready(), metrics.inserted()), (2, 2, 2));
    // The driver readied both endpoints: each holds its mock's reservation.
    assert_eq!((handle_a.reserved(), handle_b.reserved()), (1, 1));

    tx.send(Change::Remove("a")).unwrap();
    settle().await;
    assert_eq!(handle_a.mocks(), 0, "the removed endpoint's service was dropped");
    assert_eq!(handle_b.mocks(), 1);
    let metrics = balance.metrics();
    assert_eq!((metrics.endpoints(), metrics.removed(), metrics.requests()), (1, 1, 0));
    let keys: Vec<_> = balance.endpoints().iter().map(|e| *e.key()).collect();
    assert_eq!(keys, ["b"]);
}

#[rt_sched::test(start_paused = true)]
async fn a_removed_endpoint_finishes_its_requests_in_flight() {
    let (tx, rx) = rt_core::sync::mpsc::unbounded_channel::<Change<&str, MockSvc>>();
    let mut balance: Balance<_, _, u32> = Balance::new(rx);
    let (a, mut handle) = svc_mock::pair::<u32, u32>();
    tx.send(Change::Insert("a", a)).unwrap();

    let response = balance.ready().await.unwrap().call(7);
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 7);

    tx.send(Change::Remove("a")).unwrap();
    settle().await;
    assert_eq!(balance.metrics().endpoints(), 0, "out of rotation at once");
    assert_eq!(handle.mocks(), 1, "kept while a request is in flight");

    send.send_response(70);
    assert_eq!(response.await.unwrap(), 70);
    settle().await;
    assert_eq!(handle.mocks(), 0, "dropped once drained");
}

#[rt_sched::test(start_paused = true)]
async fn inserting_a_key_again_replaces_the_endpoint() {
    let (tx, rx) = rt_core::sync::mpsc::channel::<Change<&str, MockSvc>>(4);
    let balance: Balance<_, _, u32> = Balance::new(rx);
    let (old, old_handle) = svc_mock::pair::<u32, u32>();
    let (new, _behaviour) = support::endpoint(Duration::ZERO);
    tx.send(Change::Insert("a", old)).await.unwrap();
    tx.send(Change::Insert("a", new)).await.unwrap();
    settle().await;
    assert_eq!(old_handle.mocks(), 0);
    assert_eq!(balance.metrics().endpoints(), 1);
    assert_eq!(balance.clone().oneshot(3).await.unwrap(), 3);
}

#[rt_sched::test(start_paused = true)]
async fn a_static_list_is_inserted_without_a_request() {
    let (a, handle) = svc_mock::pair::<u32, u32>();
    let balance: Balance<_, _, u32> = Balance::new(ServiceList::new([(1u8, a)]));
    settle().await;
    assert_eq!(handle.reserved(), 1);
    let endpoints = balance.endpoints();
    assert_eq!(endpoints[0].state(), EndpointState::Ready);
    assert_eq!(endpoints[0].requests(), 0);
}
