//! Requests whose caller dropped its response future are skipped by the worker, never
//! sent to the inner service, and their slots come back.

mod support;

use support::{assert_pending, expect_ready, is_ready, mock_buffer};
use svc_trait::Service;

#[test]
fn dropped_response_futures_are_skipped_and_free_their_slots() {
    const BOUND: usize = 3;
    let (buffer, mut worker, mut handle) = mock_buffer(BOUND);
    handle.allow(0);
    for i in 0..BOUND as u32 {
        let mut caller = buffer.clone();
        assert!(is_ready(&mut caller));
        drop(caller.call(i)); // the caller goes away at once
    }
    assert!(!is_ready(&mut buffer.clone()), "the abandoned requests fill the queue");
    assert_pending(&mut worker);

    handle.allow(u64::MAX);
    assert_pending(&mut worker);
    assert!(
        handle.try_next_request().is_none(),
        "no abandoned request reached the service"
    );
    assert_eq!(handle.calls(), 0);
    let metrics = buffer.metrics();
    assert_eq!(
        (metrics.skipped(), metrics.served(), metrics.queue_depth()),
        (BOUND as u64, 0, 0)
    );

    // A new caller gets through.
    let mut caller = buffer.clone();
    assert!(is_ready(&mut caller));
    let mut response = caller.call(7);
    assert_pending(&mut worker);
    let (request, send) = handle.try_next_request().unwrap();
    assert_eq!(request, 7);
    send.send_response(8);
    assert_eq!(expect_ready(&mut response).unwrap(), 8);
    assert_eq!(buffer.metrics().served(), 1);
}

#[test]
fn a_caller_gone_after_the_call_drops_the_inner_future() {
    let (buffer, mut worker, mut handle) = mock_buffer(2);
    let mut caller = buffer.clone();
    assert!(is_ready(&mut caller));
    let mut response = caller.call(1);
    assert_pending(&mut worker);
    assert_pending(&mut response); // holds the inner response future now
    let (_, send) = handle.try_next_request().unwrap();
    drop(response);
    assert!(send.is_canceled(), "the inner response future was dropped with it");
}

#[test]
fn a_response_error_is_per_request() {
    let (buffer, mut worker, mut handle) = mock_buffer(2);
    let mut caller = buffer.clone();
    assert!(is_ready(&mut caller));
    let mut failing = caller.call(1);
    assert!(is_ready(&mut caller));
    let mut fine = caller.call(2);
    assert_pending(&mut worker);
    handle.try_next_request().unwrap().1.send_error("bad request");
    handle.try_next_request().unwrap().1.send_response(2);
    let error = expect_ready(&mut failing).unwrap_err();
    assert!(error.is_response_error() && !error.is_service_error());
    assert!(error.into_response_error().unwrap().is_injected());
    assert_eq!(expect_ready(&mut fine).unwrap(), 2);
    assert!(is_ready(&mut caller), "the buffer goes on");
    assert!(!buffer.metrics().is_service_failed());
}
