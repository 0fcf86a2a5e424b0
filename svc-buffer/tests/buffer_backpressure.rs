//! Backpressure at the bound, and reservations that are abandoned (disarmed, dropped
//! with their handle, or held by a response future that was dropped) never pinning a
//! slot.

mod support;

use std::task::Poll;

use support::{assert_pending, expect_ready, is_ready, mock_buffer, noop_cx, poll_once};
use svc_trait::{Service, ServiceExt};

#[test]
fn callers_wait_at_the_bound_and_resume_in_order() {
    let (mut buffer, mut worker, mut handle) = mock_buffer(2);
    handle.allow(0);
    let mut first = buffer.clone();
    let mut second = buffer.clone();
    assert!(is_ready(&mut first) && is_ready(&mut second));
    let mut r1 = first.call(1);
    let mut r2 = second.call(2);

    // The queue is full: a third caller waits, the worker waits for the mock.
    assert!(!is_ready(&mut buffer));
    assert_pending(&mut worker);
    assert_eq!(buffer.metrics().queue_depth(), 2);

    // One unit of readiness: the worker takes exactly one request, freeing one slot.
    handle.allow(1);
    assert_pending(&mut worker);
    let (request, send) = handle.try_next_request().expect("the first request");
    assert_eq!(request, 1, "FIFO");
    assert!(handle.try_next_request().is_none());
    assert!(is_ready(&mut buffer), "a slot was freed");
    assert!(!is_ready(&mut buffer.clone()), "and only one");

    send.send_response(10);
    assert_eq!(expect_ready(&mut r1).unwrap(), 10);
    assert_pending(&mut r2);
}

#[test]
fn disarmed_and_dropped_reservations_free_the_bound() {
    const BOUND: usize = 4;
    let (buffer, mut worker, mut handle) = mock_buffer(BOUND);
    // Not ready: every call below is queued (none takes the direct path).
    handle.allow(0);
    let mut holders: Vec<_> = (0..BOUND).map(|_| buffer.clone()).collect();
    for holder in &mut holders {
        assert!(is_ready(holder));
    }
    // Every slot is reserved: a newcomer waits.
    let mut newcomer = buffer.clone();
    assert!(!is_ready(&mut newcomer));
    assert_eq!(buffer.metrics().queue_depth(), BOUND);

    // Abandon them all: half disarmed (and kept), half dropped.
    for holder in holders.iter_mut().take(BOUND / 2) {
        holder.disarm();
        holder.disarm(); // a second disarm is a no-op
    }
    holders.truncate(BOUND / 2);
    // The waiting newcomer got the first freed slot (FIFO); the others are free.
    assert_eq!(buffer.metrics().queue_depth(), 1);
    assert!(is_ready(&mut newcomer));

    // New callers get through, all of them up to the bound.
    let mut responses = vec![newcomer.call(0)];
    for i in 1..BOUND as u32 {
        let mut caller = buffer.clone();
        assert!(is_ready(&mut caller), "caller {i}");
        responses.push(caller.call(i));
    }
    assert!(!is_ready(&mut buffer.clone()), "the bound holds");
    handle.allow(BOUND as u64);
    assert_pending(&mut worker);
    for i in 0..BOUND as u32 {
        let (request, send) = handle.try_next_request().unwrap();
        assert_eq!(request, i);
        send.send_response(i + 100);
    }
    for (i, mut response) in responses.into_iter().enumerate() {
        assert_eq!(expect_ready(&mut response).unwrap(), i as u32 + 100);
    }
    assert_eq!(buffer.metrics().served(), BOUND as u64);
}

#[test]
fn reserve_guards_dropped_early_do_not_leak() {
    futures::executor::block_on(async {
        let (buffer, worker, mut handle) = mock_buffer(2);
        let worker = std::thread::spawn(move || futures::executor::block_on(worker));
        for _ in 0..10 {
            let mut svc = buffer.clone();
            let guard = svc.reserve().await.unwrap();
            drop(guard); // early return: the guard disarms
        }
        let mut caller = buffer.clone();
        let response = caller.ready().await.unwrap().call(5);
        let (request, send) = handle.next_request().await.unwrap();
        send.send_response(request * 2);
        assert_eq!(response.await.unwrap(), 10);
        drop((buffer, caller));
        worker.join().unwrap();
    });
}

#[test]
fn a_clone_of_a_ready_handle_is_not_ready() {
    let (mut buffer, _worker, _handle) = mock_buffer(1);
    assert!(is_ready(&mut buffer));
    let mut clone = buffer.clone();
    assert!(!is_ready(&mut clone), "the only slot belongs to the original");
    assert_eq!(buffer.poll_ready(&mut noop_cx()).map(|r| r.is_ok()), Poll::Ready(true));
}

#[test]
#[should_panic(expected = "without a reservation")]
fn call_without_readiness_panics() {
    let (mut buffer, _worker, _handle) = mock_buffer(1);
    drop(buffer.call(1));
}

#[test]
#[should_panic(expected = "bound of at least 1")]
fn a_zero_bound_panics() {
    let _ = mock_buffer(0);
}

#[test]
fn slow_responses_do_not_block_the_worker() {
    let (buffer, mut worker, mut handle) = mock_buffer(4);
    let mut slow = buffer.clone();
    let mut fast = buffer.clone();
    assert!(is_ready(&mut slow) && is_ready(&mut fast));
    let mut slow_response = slow.call(1);
    let mut fast_response = fast.call(2);
    assert_pending(&mut worker);
    let (_, slow_send) = handle.try_next_request().unwrap();
    let (_, fast_send) = handle.try_next_request().unwrap();
    fast_send.send_response(2);
    assert_eq!(expect_ready(&mut fast_response).unwrap(), 2);
    assert_pending(&mut slow_response);
    slow_send.send_response(1);
    assert_eq!(expect_ready(&mut slow_response).unwrap(), 1);
    assert!(poll_once(&mut worker).is_pending(), "handles are alive");
}
