//! `SpawnReady`: readiness driven on a background task, errors coming back typed,
//! runtime shutdown, disarm.

mod support;

use std::task::Poll;
use std::time::Duration;

use rt_sched::task::yield_now;
use svc_layers::spawn_ready::{SpawnReady, SpawnReadyLayer};
use svc_mock::{Handle, Mock};
use svc_trait::{Layer, Service, ServiceExt};

/// Lets the background task run until `done` holds (bounded, so a bug fails instead of
/// hanging).
async fn run_background_until(mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        yield_now().await;
    }
    panic!("the background task made no progress");
}

/// A `SpawnReady` whose mock is not ready, polled once so the mock is on the background.
async fn in_background() -> (SpawnReady<Mock<u32, u32>>, Handle<u32, u32>) {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = SpawnReady::new(mock);
    assert!(support::poll_ready_once(&mut svc).await.is_pending());
    assert!(svc.is_in_background());
    assert!(svc.get_ref().is_none());
    (svc, handle)
}

#[rt_sched::test]
async fn a_ready_inner_never_leaves_home() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = SpawnReadyLayer::new().layer(mock);
    let response = svc.ready().await.unwrap().call(1);
    assert!(!svc.is_in_background());
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 1);
    send.send_response(2);
    assert_eq!(response.await.unwrap(), 2);
}

#[rt_sched::test]
async fn readiness_is_driven_while_nobody_polls() {
    let (mut svc, mut handle) = in_background().await;
    handle.allow(1);
    // Nobody polls `svc`: the background task takes the reservation on its own.
    run_background_until(|| handle.reserved() == 1).await;
    assert!(svc.is_in_background(), "not picked up yet");
    // The next poll finds the service home and ready.
    assert!(matches!(support::poll_ready_once(&mut svc).await, Poll::Ready(Ok(()))));
    assert!(!svc.is_in_background());
    assert!(svc.get_ref().unwrap().is_ready());

    let response = svc.call(5);
    let (req, send) = handle.next_request().await.unwrap();
    assert_eq!(req, 5);
    send.send_response(6);
    assert_eq!(response.await.unwrap(), 6);
    assert_eq!(handle.reserved(), 0);
}

#[rt_sched::test]
async fn the_waiting_caller_is_woken_when_the_service_comes_home() {
    let (mut svc, handle) = in_background().await;
    let allow_later = rt_sched::spawn(async move {
        yield_now().await;
        handle.allow(1);
        handle
    });
    svc.ready().await.unwrap();
    let handle = allow_later.await.unwrap();
    assert_eq!(handle.reserved(), 1);
}

#[rt_sched::test]
async fn a_readiness_error_on_the_background_comes_back_typed() {
    let (mut svc, handle) = in_background().await;
    handle.send_error("connect failed");
    let err = svc.ready().await.unwrap_err();
    assert!(!err.is_cancelled());
    assert!(err.inner().unwrap().is_injected());
    assert_eq!(err.into_inner().unwrap().to_string(), "mock error: connect failed");
    // The service was dropped on the background task: gone for good.
    assert!(svc.ready().await.unwrap_err().is_cancelled());
    assert_eq!(handle.mocks(), 0);
}

#[rt_sched::test]
async fn errors_at_home_pass_through_typed() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = SpawnReady::new(mock);

    let response = svc.ready().await.unwrap().call(1);
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("bad request");
    assert!(response.await.unwrap_err().inner().unwrap().is_injected());

    handle.send_error("broken");
    let err = svc.ready().await.unwrap_err();
    assert!(err.is_inner());
    assert!(!svc.is_in_background(), "a failed service is not sent away");
}

#[rt_sched::test]
async fn dropping_the_service_ends_the_background_task() {
    let (svc, handle) = in_background().await;
    assert_eq!(handle.mocks(), 1);
    drop(svc);
    run_background_until(|| handle.mocks() == 0).await;
}

#[test]
fn runtime_shutdown_cancels_a_waiting_caller() {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = SpawnReady::new(mock);
    {
        let _enter = rt.enter();
        let first = futures::executor::block_on(support::poll_ready_once(&mut svc));
        assert!(first.is_pending());
    }
    assert!(svc.is_in_background());
    let dropper = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        drop(rt);
    });
    // Waits (off the runtime) until the runtime drops the task: an error, not a hang.
    let err = futures::executor::block_on(svc.ready()).unwrap_err();
    assert!(err.is_cancelled());
    assert_eq!(err.to_string(), "background readiness task cancelled");
    assert_eq!(handle.mocks(), 0, "the service was dropped with the task");
    dropper.join().unwrap();
}

#[test]
fn a_runtime_dropped_before_the_task_ran_cancels_too() {
    let rt = rt_sched::Builder::new_current_thread().enable_all().build().unwrap();
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let mut svc = SpawnReady::new(mock);
    rt.block_on(async {
        assert!(support::poll_ready_once(&mut svc).await.is_pending());
    });
    drop(rt);
    assert!(futures::executor::block_on(svc.ready()).unwrap_err().is_cancelled());
}

#[rt_sched::test]
async fn disarm_is_forwarded_when_home() {
    let (mut svc, handle) = in_background().await;
    svc.disarm(); // away: nothing to disarm, and the background goes on
    assert!(svc.is_in_background());
    handle.allow(1);
    svc.ready().await.unwrap();
    assert_eq!(handle.reserved(), 1);
    svc.disarm();
    assert_eq!(handle.reserved(), 0);
    assert_eq!(handle.allowance(), 1);
    assert!(!svc.get_ref().unwrap().is_ready());
}

#[rt_sched::test]
async fn abandoned_readiness_never_starves() {
    support::abandoned_readiness_never_starves(SpawnReady::new).await;
}

#[rt_sched::test]
#[should_panic(expected = "called before `poll_ready`")]
async fn a_call_without_readiness_panics() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    drop(SpawnReady::new(mock).call(1));
}

#[test]
fn spawn_ready_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SpawnReady<Mock<u32, u32>>>();
    assert_send_sync::<svc_layers::spawn_ready::SpawnReadyError<svc_mock::Error>>();
}
