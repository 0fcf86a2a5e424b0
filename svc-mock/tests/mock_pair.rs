//! Behaviour of the mock pair: readiness, reservations, answers and errors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::executor::block_on;
use svc_trait::{Service, ServiceExt};

struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let c = Arc::new(CountingWaker(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

fn poll_ready<S: Service<u32>>(svc: &mut S, waker: &Waker) -> Poll<Result<(), S::Error>> {
    svc.poll_ready(&mut Context::from_waker(waker))
}

#[test]
fn allowance_bounds_reservations_and_allow_wakes() {
    let (mut a, handle) = svc_mock::pair::<u32, u32>();
    let mut b = a.clone();
    handle.allow(1);
    let (count, waker) = counting_waker();
    assert!(poll_ready(&mut a, &waker).is_ready());
    assert!(poll_ready(&mut b, &waker).is_pending());
    assert_eq!(handle.reserved(), 1);
    assert_eq!(handle.allowance(), 0);
    // Polling a ready mock again does not take a second reservation.
    assert!(poll_ready(&mut a, &waker).is_ready());
    assert_eq!(handle.reserved(), 1);
    handle.allow(1);
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "allow wakes the waiting mock");
    assert!(poll_ready(&mut b, &waker).is_ready());
    assert_eq!(handle.reserved(), 2);
}

#[test]
fn disarm_and_drop_give_the_reservation_back() {
    let (mut a, handle) = svc_mock::pair::<u32, u32>();
    let mut b = a.clone();
    handle.allow(1);
    let (count, waker) = counting_waker();
    assert!(poll_ready(&mut a, &waker).is_ready());
    assert!(poll_ready(&mut b, &waker).is_pending());
    a.disarm();
    assert!(!a.is_ready());
    assert_eq!(handle.reserved(), 0);
    assert_eq!(handle.allowance(), 1);
    assert_eq!(count.0.load(Ordering::SeqCst), 1, "disarm wakes the waiting mock");
    // Disarming twice is a no-op.
    a.disarm();
    assert_eq!(handle.allowance(), 1);
    assert!(poll_ready(&mut b, &waker).is_ready());
    drop(b);
    assert_eq!(handle.reserved(), 0);
    assert_eq!(handle.allowance(), 1);
}

#[test]
fn a_clone_of_a_ready_mock_is_not_ready() {
    let (mut a, handle) = svc_mock::pair::<u32, u32>();
    block_on(a.ready()).unwrap();
    let c = a.clone();
    assert!(a.is_ready());
    assert!(!c.is_ready());
    assert_eq!(handle.mocks(), 2);
}

#[test]
fn requests_reach_the_handle_and_answers_come_back() {
    let (mut svc, mut handle) = svc_mock::pair::<u32, u32>();
    block_on(async {
        let f1 = svc.ready().await.unwrap().call(1);
        let f2 = svc.ready().await.unwrap().call(2);
        assert_eq!(handle.calls(), 2);
        let (r1, s1) = handle.next_request().await.unwrap();
        let (r2, s2) = handle.try_next_request().unwrap();
        assert_eq!((r1, r2), (1, 2));
        s2.send_response(20);
        s1.send_error("bad request");
        assert_eq!(f2.await.unwrap(), 20);
        let err = f1.await.unwrap_err();
        assert!(err.is_injected());
        assert_eq!(std::error::Error::source(&err).unwrap().to_string(), "bad request");
    });
}

#[test]
fn dropped_responder_fails_the_call_and_canceled_is_seen() {
    let (mut svc, mut handle) = svc_mock::pair::<u32, u32>();
    block_on(async {
        let f1 = svc.ready().await.unwrap().call(1);
        let f2 = svc.ready().await.unwrap().call(2);
        let (_, s1) = handle.next_request().await.unwrap();
        let (_, s2) = handle.next_request().await.unwrap();
        drop(s1);
        assert!(f1.await.unwrap_err().is_dropped());
        assert!(!s2.is_canceled());
        drop(f2);
        assert!(s2.is_canceled());
    });
}

#[test]
fn injected_readiness_error_reaches_every_clone() {
    let (mut a, handle) = svc_mock::pair::<u32, u32>();
    let mut b = a.clone();
    handle.allow(0);
    let (count, waker) = counting_waker();
    assert!(poll_ready(&mut b, &waker).is_pending());
    handle.send_error("down");
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    for svc in [&mut a, &mut b] {
        match poll_ready(svc, &waker) {
            Poll::Ready(Err(e)) => assert_eq!(e.get_ref().unwrap().to_string(), "down"),
            other => panic!("expected the injected error, got {other:?}"),
        }
    }
}

#[test]
fn dropping_the_handle_closes_the_pair() {
    let (mut svc, handle) = svc_mock::pair::<u32, u32>();
    block_on(svc.ready()).unwrap();
    let pending = svc.call(1);
    drop(handle);
    assert!(block_on(pending).unwrap_err().is_dropped());
    let err = block_on(svc.ready()).unwrap_err();
    assert!(err.is_closed());
    assert_eq!(err.to_string(), "mock handle dropped");
}

#[test]
fn next_request_ends_when_every_mock_is_dropped() {
    let (svc, mut handle) = svc_mock::pair::<u32, u32>();
    let clone = svc.clone();
    drop(svc);
    let (count, waker) = counting_waker();
    assert!(handle.poll_request(&mut Context::from_waker(&waker)).is_pending());
    drop(clone);
    assert_eq!(
        count.0.load(Ordering::SeqCst),
        1,
        "the last mock's drop wakes the handle"
    );
    assert!(block_on(handle.next_request()).is_none());
}

#[test]
#[should_panic(expected = "called before poll_ready")]
fn call_without_readiness_panics() {
    let (mut svc, _handle) = svc_mock::pair::<u32, u32>();
    drop(svc.call(1));
}

#[test]
fn abandoned_reserve_guard_does_not_starve() {
    let (mut a, handle) = svc_mock::pair::<u32, u32>();
    let mut b = a.clone();
    handle.allow(1);
    block_on(async {
        let guard = a.reserve().await.unwrap();
        drop(guard);
        assert_eq!(handle.reserved(), 0);
        b.ready().await.unwrap();
        assert_eq!(handle.reserved(), 1);
    });
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<svc_mock::Mock<u32, u32>>();
    assert_send_sync::<svc_mock::Handle<u32, u32>>();
    assert_send_sync::<svc_mock::SendResponse<u32>>();
    assert_send_sync::<svc_mock::ResponseFuture<u32>>();
    assert_send_sync::<svc_mock::Error>();
}
