//! The direct path: a call that finds nothing queued and the service ready goes
//! straight to the service on the caller's task; anything else goes through the queue,
//! in order.

mod support;

use std::task::Poll;

use support::{assert_pending, expect_ready, is_ready, mock_buffer, poll_once};
use svc_trait::{Service, ServiceExt};

#[test]
fn an_idle_buffer_calls_the_service_on_the_callers_task() {
    let (buffer, mut worker, mut handle) = mock_buffer(4);
    // The worker is never polled: only the direct path can serve these.
    for i in 0..3 {
        let mut caller = buffer.clone();
        assert!(is_ready(&mut caller));
        let mut response = caller.call(i);
        let (request, send) = handle.try_next_request().expect("called at once");
        assert_eq!(request, i);
        assert_eq!(buffer.metrics().queue_depth(), 0, "the reservation was given back");
        send.send_response(i + 10);
        assert_eq!(expect_ready(&mut response).unwrap(), i + 10);
    }
    let metrics = buffer.metrics();
    assert_eq!((metrics.served(), metrics.served_directly()), (3, 3));
    // The worker has nothing to do, and holds no readiness when it waits.
    assert_pending(&mut worker);
    assert_eq!(handle.reserved(), 0);
}

#[test]
fn a_queued_request_is_not_overtaken() {
    let (buffer, mut worker, mut handle) = mock_buffer(4);
    handle.allow(0);
    let (mut first, mut second) = (buffer.clone(), buffer.clone());
    assert!(is_ready(&mut first));
    let mut r1 = first.call(1); // not ready: queued
    assert!(handle.try_next_request().is_none());

    // The service becomes ready before the worker runs. A newcomer finds it ready,
    // but a request is queued: it queues behind it instead of overtaking it.
    handle.allow(2);
    assert!(is_ready(&mut second));
    let mut r2 = second.call(2);
    assert!(handle.try_next_request().is_none(), "the newcomer did not go direct");

    assert_pending(&mut worker);
    let (a, send_a) = handle.try_next_request().unwrap();
    let (b, send_b) = handle.try_next_request().unwrap();
    assert_eq!((a, b), (1, 2), "FIFO");
    send_a.send_response(1);
    send_b.send_response(2);
    assert_eq!(expect_ready(&mut r1).unwrap(), 1);
    assert_eq!(expect_ready(&mut r2).unwrap(), 2);
    let metrics = buffer.metrics();
    assert_eq!((metrics.served(), metrics.served_directly()), (2, 0));
}

#[test]
fn another_callers_reservation_sends_to_the_queue() {
    let (buffer, mut worker, mut handle) = mock_buffer(4);
    let (mut first, mut second) = (buffer.clone(), buffer.clone());
    assert!(is_ready(&mut first) && is_ready(&mut second));
    // Two slots in use: `first` cannot tell whether `second` is about to queue.
    let mut r1 = first.call(1);
    assert!(handle.try_next_request().is_none(), "queued");
    // Now `second` is alone with a queued request ahead: queued too.
    let mut r2 = second.call(2);
    assert!(handle.try_next_request().is_none(), "queued");
    assert_pending(&mut worker);
    for expected in [1, 2] {
        let (request, send) = handle.try_next_request().unwrap();
        assert_eq!(request, expected);
        send.send_response(expected * 10);
    }
    assert_eq!(expect_ready(&mut r1).unwrap(), 10);
    assert_eq!(expect_ready(&mut r2).unwrap(), 20);
}

#[test]
fn a_readiness_failure_on_the_direct_path_reaches_every_caller_through_the_worker() {
    let (buffer, mut worker, handle) = mock_buffer(4);
    handle.send_error("backend gone");
    let mut caller = buffer.clone();
    assert!(is_ready(&mut caller));
    // Alone: the direct path sees the error, records it, drops the service and
    // queues the request for the worker to answer.
    let mut first = caller.call(1);
    assert_eq!(handle.mocks(), 0, "the service was dropped at once");
    assert!(buffer.metrics().is_service_failed());
    assert_pending(&mut first);

    // The queue closes on the worker's next turn; until then a caller still gets a
    // slot, and its request is answered with the failure too.
    let mut other = buffer.clone();
    assert!(is_ready(&mut other));
    let mut second = other.call(2);

    assert_eq!(poll_once(&mut worker), Poll::Ready(()));
    for response in [&mut first, &mut second] {
        let error = expect_ready(response).unwrap_err();
        assert!(error.is_service_error(), "{error:?}");
        assert_eq!(
            error.inner().map(|e| e.to_string()),
            Some("mock error: backend gone".into())
        );
    }
    let error = expect_ready(&mut buffer.clone().ready()).unwrap_err();
    assert!(error.is_service_error(), "{error:?}");
    let metrics = buffer.metrics();
    assert_eq!((metrics.served(), metrics.failed()), (0, 2));
}
