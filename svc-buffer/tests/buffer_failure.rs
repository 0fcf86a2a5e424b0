//! Failure: the inner service's readiness error reaches queued callers, callers holding
//! a reservation and later callers; a worker that is gone without an error gives
//! `Closed`, including after its runtime shut down.

mod support;

use std::error::Error as _;
use std::task::Poll;

use support::{assert_pending, expect_ready, is_ready, mock_buffer, noop_cx};
use svc_buffer::Buffer;
use svc_trait::{Service, ServiceExt};

#[test]
fn a_readiness_error_reaches_queued_reserved_and_later_callers() {
    let (buffer, mut worker, handle) = mock_buffer(4);
    handle.allow(0);
    let mut queued: Vec<_> = (0..2)
        .map(|i| {
            let mut caller = buffer.clone();
            assert!(is_ready(&mut caller));
            caller.call(i)
        })
        .collect();
    let mut reserved = buffer.clone();
    assert!(is_ready(&mut reserved));
    assert_pending(&mut worker);

    handle.send_error("connection reset");
    // The worker fails, answers the queued requests, and waits for the reserved slot.
    assert_pending(&mut worker);
    for response in &mut queued {
        let error = expect_ready(response).unwrap_err();
        assert!(error.is_service_error(), "{error:?}");
        assert!(error.inner().unwrap().is_injected());
        assert_eq!(
            error.source().unwrap().source().unwrap().to_string(),
            "connection reset"
        );
    }
    // A reservation taken before the failure can still send, and is answered.
    let mut late = reserved.call(9);
    // Closed and drained (no reservation left): the worker is done, handles or not.
    assert_eq!(worker.poll_unpin_ready(), Poll::Ready(()));
    assert!(expect_ready(&mut late).unwrap_err().is_service_error());

    // Later callers see the same (shared) error from `poll_ready`.
    let mut later = buffer.clone();
    let error = match later.poll_ready(&mut noop_cx()) {
        Poll::Ready(Err(error)) => error,
        other => panic!("expected the failure, got {other:?}"),
    };
    let first = error.service_error().unwrap().clone().into_shared();
    let again = match reserved.poll_ready(&mut noop_cx()) {
        Poll::Ready(Err(error)) => error.service_error().unwrap().clone().into_shared(),
        _ => panic!("expected the failure"),
    };
    assert!(std::sync::Arc::ptr_eq(&first, &again), "one error, shared");

    let metrics = buffer.metrics();
    assert!(metrics.is_service_failed());
    assert_eq!((metrics.failed(), metrics.served()), (3, 0));
    assert_eq!(handle.calls(), 0, "nothing reached the failed service");
    assert_eq!(handle.mocks(), 0, "the worker dropped the failed service");
}

/// `poll_unpin` spelled for the worker.
trait PollUnpin {
    fn poll_unpin_ready(&mut self) -> Poll<()>;
}

impl<W: std::future::Future<Output = ()> + Unpin> PollUnpin for W {
    fn poll_unpin_ready(&mut self) -> Poll<()> {
        support::poll_once(self)
    }
}

#[test]
fn a_failed_worker_dropped_mid_drain_still_answers_with_the_error() {
    let (buffer, mut worker, handle) = mock_buffer(4);
    handle.allow(0);
    let mut caller = buffer.clone();
    let mut reserved = buffer.clone();
    assert!(is_ready(&mut caller) && is_ready(&mut reserved));
    let mut first = caller.call(1);
    handle.send_error("boom");
    assert_pending(&mut worker); // fails and answers `first`
    let mut second = reserved.call(2); // queued after the drain
    drop(worker);
    assert!(expect_ready(&mut first).unwrap_err().is_service_error());
    assert!(expect_ready(&mut second).unwrap_err().is_service_error());
}

#[test]
fn a_dropped_worker_gives_closed() {
    let (buffer, worker, handle) = mock_buffer(4);
    handle.allow(0);
    let mut queued = buffer.clone();
    let mut reserved = buffer.clone();
    assert!(is_ready(&mut queued) && is_ready(&mut reserved));
    let mut response = queued.call(1);
    drop(worker);

    assert!(buffer.is_closed());
    assert!(expect_ready(&mut response).unwrap_err().is_closed());
    // A reservation taken before the worker went away: the call fails with `Closed`.
    let error = expect_ready(&mut reserved.call(2)).unwrap_err();
    assert!(error.is_closed() && error.inner().is_none());
    assert_eq!(error.to_string(), "buffer's worker is gone");
    let mut later = buffer.clone();
    assert!(matches!(later.poll_ready(&mut noop_cx()), Poll::Ready(Err(e)) if e.is_closed()));
    assert!(!buffer.metrics().is_service_failed());
}

#[test]
fn closed_after_the_runtime_shut_down() {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    handle.allow(0);
    let rt = rt_sched::Builder::new_multi_thread().worker_threads(2).build().unwrap();
    let (buffer, mut pending) = rt.block_on(async move {
        let mut buffer = Buffer::new(mock, 8);
        let pending = buffer.ready().await.unwrap().call(1);
        (buffer, pending)
    });
    assert_pending(&mut pending);
    drop(rt);

    futures::executor::block_on(async {
        assert!(pending.await.unwrap_err().is_closed());
        let error = buffer.clone().oneshot(2).await.unwrap_err();
        assert!(error.is_closed(), "{error:?}");
    });
    assert_eq!(handle.mocks(), 0, "the worker and its service were dropped");
}

#[test]
fn the_worker_ends_when_the_last_handle_is_gone() {
    let (buffer, mut worker, handle) = mock_buffer(2);
    let clone = buffer.clone();
    assert_pending(&mut worker);
    drop(buffer);
    assert_pending(&mut worker);
    drop(clone);
    assert_eq!(support::poll_once(&mut worker), Poll::Ready(()));
    assert_eq!(handle.mocks(), 0);
    assert_eq!(handle.reserved(), 0, "the idle worker held no reservation");
}

#[test]
fn an_idle_worker_holds_no_inner_reservation() {
    let (_buffer, mut worker, handle) = mock_buffer(2);
    handle.allow(1);
    assert_pending(&mut worker);
    assert_eq!(handle.reserved(), 0);
    assert_eq!(handle.allowance(), 1, "the worker disarmed the mock while idle");
}

#[rt_sched::test]
async fn a_panicking_service_gives_closed() {
    let svc = svc_trait::service_fn(|x: u32| {
        assert!(x != 13, "unlucky request");
        async move { Ok::<_, std::io::Error>(x) }
    });
    let buffer = Buffer::new(svc, 4);
    assert_eq!(buffer.clone().oneshot(1).await.unwrap(), 1);
    let error = buffer.clone().oneshot(13).await.unwrap_err();
    assert!(error.is_closed(), "{error:?}");
    let error = buffer.clone().oneshot(2).await.unwrap_err();
    assert!(error.is_closed() && !buffer.metrics().is_service_failed());
}

#[test]
#[should_panic]
fn new_outside_a_runtime_panics() {
    let (mock, _handle) = svc_mock::pair::<u32, u32>();
    let _ = Buffer::new(mock, 1);
}
