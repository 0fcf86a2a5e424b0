//! `ConcurrencyLimit` and the reservation rule: `disarm` (or dropping the `Reserved`
//! guard, or the service) gives the permit back, so abandoned readiness never starves
//! another caller.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::task::noop_waker;
use svc_layers::limit::ConcurrencyLimit;
use svc_trait::{Service, ServiceExt};

fn poll_ready<S: Service<R>, R>(svc: &mut S) -> Poll<Result<(), S::Error>> {
    svc.poll_ready(&mut Context::from_waker(&noop_waker()))
}

/// A waker counting its wake-ups.
#[derive(Default)]
struct CountWakes(AtomicUsize);

impl Wake for CountWakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn disarm_releases_the_permit_and_forwards_to_inner() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let mut svc = ConcurrencyLimit::new(mock, 1);
    assert!(poll_ready(&mut svc).is_ready());
    assert_eq!((svc.available(), handle.reserved()), (0, 1));

    svc.disarm();
    assert!(!svc.holds_permit());
    assert_eq!(svc.available(), 1);
    assert_eq!(handle.reserved(), 0, "disarm reached the inner service");

    // Without a reservation: a no-op.
    svc.disarm();
    assert_eq!(svc.available(), 1);
}

#[test]
fn disarm_wakes_a_waiting_caller() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = ConcurrencyLimit::new(mock, 1);
    let mut b = a.clone();
    assert!(poll_ready(&mut a).is_ready());

    let wakes = Arc::new(CountWakes::default());
    let waker = Waker::from(wakes.clone());
    assert!(b.poll_ready(&mut Context::from_waker(&waker)).is_pending());
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0);

    a.disarm();
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert!(poll_ready(&mut b).is_ready());
}

#[test]
fn disarm_drops_a_pending_acquire() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = ConcurrencyLimit::new(mock, 1);
    let mut b = a.clone();
    let mut c = a.clone();
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_pending()); // queued for the permit
    b.disarm(); // gives up its place in line

    a.disarm();
    // Had `b` stayed queued, the permit would have been assigned to it.
    assert_eq!(a.available(), 1);
    assert!(poll_ready(&mut c).is_ready());
    assert!(poll_ready(&mut b).is_pending());
}

#[test]
fn dropping_a_ready_service_releases_its_permit() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = ConcurrencyLimit::new(mock, 1);
    let mut b = a.clone();
    assert!(poll_ready(&mut a).is_ready());
    assert!(poll_ready(&mut b).is_pending());
    drop(a);
    assert!(poll_ready(&mut b).is_ready());
}

#[test]
fn into_inner_releases_the_permit() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = ConcurrencyLimit::new(mock, 1);
    let b = a.clone();
    assert!(poll_ready(&mut a).is_ready());
    let _inner = a.into_inner();
    assert_eq!(b.available(), 1);
}

#[test]
fn a_fresh_clone_of_a_ready_service_holds_no_permit() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut a = ConcurrencyLimit::new(mock, 2);
    assert!(poll_ready(&mut a).is_ready());
    let b = a.clone();
    assert!(a.holds_permit());
    assert!(!b.holds_permit());
    assert_eq!(b.available(), 1);
}

/// Awaits `fut`, failing (instead of hanging) if it is still pending after a minute of
/// the paused clock, which only passes when every task is stuck.
async fn within_a_minute<F: std::future::Future>(fut: F) -> F::Output {
    rt_core::time::timeout(std::time::Duration::from_secs(60), fut)
        .await
        .expect("starved: still pending after a minute")
}

#[rt_sched::test(start_paused = true)]
async fn abandoned_readiness_never_starves_another_caller() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut idle = ConcurrencyLimit::new(mock, 1);
    let mut worker = idle.clone();

    // Someone reserves and walks away, many times, while keeping the service alive.
    for _ in 0..100 {
        let reserved = idle.reserve().await.unwrap();
        assert!(reserved.get_ref().holds_permit());
        drop(reserved);
        assert_eq!(handle.reserved(), 0);
    }

    // The other caller is never starved.
    let served = rt_sched::spawn(async move {
        let response = worker.ready().await.unwrap().call(3);
        response.await.unwrap()
    });
    let (req, send) = within_a_minute(handle.next_request()).await.unwrap();
    send.send_response(req + 1);
    assert_eq!(served.await.unwrap(), 4);
    assert_eq!(idle.available(), 1);
}

#[rt_sched::test(start_paused = true)]
async fn a_waiter_is_served_when_the_holder_abandons_its_reservation() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let mut holder = ConcurrencyLimit::new(mock, 1);
    let mut waiter = holder.clone();

    let reserved = holder.reserve().await.unwrap();
    let waiting = rt_sched::spawn(async move {
        waiter.ready().await.unwrap();
        waiter.holds_permit()
    });
    rt_sched::task::yield_now().await;
    assert!(!waiting.is_finished());
    drop(reserved); // the holder changes its mind but keeps `holder`
    assert!(within_a_minute(waiting).await.unwrap());
    assert!(!holder.holds_permit());
}

#[rt_sched::test]
async fn the_shared_abandoned_readiness_check_passes() {
    // A and B on one limit of one: A's abandoned permits must come back for B.
    let semaphore = Arc::new(rt_core::sync::Semaphore::new(1));
    support::abandoned_readiness_never_starves(|mock| ConcurrencyLimit::with_semaphore(mock, semaphore.clone())).await;
    assert_eq!(semaphore.available_permits(), 1);
}
