//! `ConcurrencyLimit`: who shares a limit (clones, `new` vs `shared` layers, a semaphore),
//! the getters, and a closed semaphore.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::task::noop_waker;
use rt_core::sync::Semaphore;
use svc_layers::limit::{ConcurrencyLimit, ConcurrencyLimitLayer};
use svc_trait::{Layer, Service};

fn poll_ready<S: Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    svc.poll_ready(&mut Context::from_waker(&noop_waker()))
}

type Mock = svc_mock::Mock<u32, u32>;
type Handle = svc_mock::Handle<u32, u32>;

/// A mock service; its handle must be kept alive (a mock without one fails).
fn mock() -> (Mock, Handle) {
    svc_mock::pair()
}

#[test]
fn clones_share_the_limit() {
    let (inner, _handle) = mock();
    let mut a = ConcurrencyLimit::new(inner, 2);
    let mut b = a.clone();
    let mut c = b.clone();
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_ready());
    assert!(poll_ready(&mut c).is_pending());
    assert!(Arc::ptr_eq(a.semaphore(), c.semaphore()));
    assert_eq!((a.available(), c.max()), (0, Some(2)));
}

#[test]
fn layer_new_gives_each_service_its_own_limit() {
    let layer = ConcurrencyLimitLayer::new(1);
    assert!(!layer.is_shared());
    assert_eq!(layer.max(), Some(1));
    let (inner_a, _handle_a) = mock();
    let mut a = layer.layer(inner_a);
    let (inner_b, _handle_b) = mock();
    let mut b = layer.clone().layer(inner_b);
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_ready(), "`b` has a limit of its own");
    let mut a2 = a.clone();
    assert!(poll_ready(&mut a2).is_pending(), "but a clone of `a` shares `a`'s");
}

#[test]
fn layer_shared_gives_every_service_one_limit() {
    let layer = ConcurrencyLimitLayer::shared(1);
    assert!(layer.is_shared());
    let (inner_a, _handle_a) = mock();
    let mut a = layer.layer(inner_a);
    let (inner_b, _handle_b) = mock();
    let mut b = layer.clone().layer(inner_b); // clones of the layer share it too
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_pending());
    a.disarm();
    assert!(poll_ready(&mut b).is_ready());
    assert_eq!(b.max(), Some(1));
}

#[test]
fn services_on_one_semaphore_share_it() {
    let semaphore = Arc::new(Semaphore::new(1));
    let (inner_a, _handle_a) = mock();
    let mut a = ConcurrencyLimit::with_semaphore(inner_a, semaphore.clone());
    let (inner_b, _handle_b) = mock();
    let mut b = ConcurrencyLimitLayer::with_semaphore(semaphore.clone()).layer(inner_b);
    assert_eq!(a.max(), None);
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_pending());
    assert_eq!(semaphore.available_permits(), 0);

    // Permits added to the semaphore widen the shared limit.
    semaphore.add_permits(1);
    assert!(poll_ready(&mut b).is_ready());
}

#[test]
#[should_panic(expected = "semaphore of a `ConcurrencyLimit` was closed")]
fn a_closed_semaphore_is_a_bug_and_panics() {
    let semaphore = Arc::new(Semaphore::new(1));
    let (inner, _handle) = mock();
    let mut svc = ConcurrencyLimit::with_semaphore(inner, semaphore.clone());
    semaphore.close();
    let _ = poll_ready(&mut svc);
}

#[test]
#[should_panic(expected = "semaphore of a `ConcurrencyLimit` was closed")]
fn a_semaphore_closed_while_waiting_panics() {
    let semaphore = Arc::new(Semaphore::new(0));
    let (inner, _handle) = mock();
    let mut svc = ConcurrencyLimit::with_semaphore(inner, semaphore.clone());
    assert!(poll_ready(&mut svc).is_pending());
    semaphore.close();
    let _ = poll_ready(&mut svc);
}

#[test]
fn a_limit_of_zero_admits_nothing() {
    let (inner, _handle) = mock();
    let mut svc = ConcurrencyLimit::new(inner, 0);
    assert!(poll_ready(&mut svc).is_pending());
    assert!(poll_ready(&mut svc).is_pending());
}

#[test]
fn debug_shows_the_state() {
    let (inner, _handle) = mock();
    let mut svc = ConcurrencyLimit::new(inner, 3);
    assert!(poll_ready(&mut svc).is_ready());
    let debug = format!("{svc:?}");
    assert!(
        debug.contains("available: 2") && debug.contains("holds_permit: true"),
        "{debug}"
    );
    let layer = format!("{:?}", ConcurrencyLimitLayer::shared(4));
    assert!(layer.contains("shared: true"), "{layer}");
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ConcurrencyLimit<Mock>>();
    assert_send_sync::<svc_layers::limit::ResponseFuture<svc_mock::ResponseFuture<u32>>>();
    assert_send_sync::<ConcurrencyLimitLayer>();
}
