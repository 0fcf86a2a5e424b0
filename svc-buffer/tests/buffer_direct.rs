//! The direct path: a call that finds nothing queued and the service ready goes
//! straight to the service on the caller's task; anything else goes through the queue,
//! in order.

mod support;

use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};

use support::{assert_pending, expect_ready, is_ready, mock_buffer, poll_once};
use svc_buffer::Buffer;
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

/// `call` without a reservation panics, as documented, even when the slot count alone
/// would allow the direct path (exactly one slot in use, by another caller's queued
/// request): it neither goes direct nor overtakes that request.
#[test]
fn a_call_without_a_reservation_panics_and_overtakes_nothing() {
    let (buffer, _worker, mut handle) = mock_buffer(4);
    handle.allow(0);
    let mut first = buffer.clone();
    assert!(is_ready(&mut first));
    let _r1 = first.call(1); // not ready: queued, holds the one slot in use
    handle.allow(1); // the service becomes ready before the worker runs

    let mut rogue = buffer.clone(); // never polled: no reservation
    let out = panic::catch_unwind(AssertUnwindSafe(|| rogue.call(2)));
    let overtook = handle.try_next_request().map(|(request, _)| request);
    assert!(
        out.is_err(),
        "call without a reservation did not panic; the service got request {overtook:?} \
         ahead of the queued request 1"
    );
}

/// A service that panics in `call` when told to, ready otherwise.
#[derive(Clone)]
struct Fragile {
    panic_next: Arc<AtomicBool>,
    calls: Arc<AtomicUsize>,
}

impl Service<u32> for Fragile {
    type Response = u32;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<u32, std::io::Error>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: u32) -> Self::Future {
        self.calls.fetch_add(1, SeqCst);
        if self.panic_next.swap(false, SeqCst) {
            panic!("inner service panicked on the worker");
        }
        std::future::ready(Ok(request))
    }
}

/// The service panics while the *worker* calls it. The unwind releases the lock, but the
/// service stays in its slot until the `Worker` is dropped (rt-sched drops it right
/// after catching the panic; a worker driven under `catch_unwind` may live on). Until
/// then, the direct path must not call the service that panicked half-way through a
/// call: callers get `Closed`, as they do once the worker is gone, and so does the
/// worker if it is polled again.
#[test]
fn a_service_that_panicked_on_the_worker_is_not_called_again() {
    let panic_next = Arc::new(AtomicBool::new(false));
    let calls = Arc::new(AtomicUsize::new(0));
    let svc = Fragile {
        panic_next: panic_next.clone(),
        calls: calls.clone(),
    };
    let (buffer, mut worker): (Buffer<u32, _>, _) = Buffer::pair(svc, 4);
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);

    // Two reservations, so the first call is queued for the worker.
    let (mut a, mut b) = (buffer.clone(), buffer.clone());
    assert!(a.poll_ready(&mut cx).is_ready() && b.poll_ready(&mut cx).is_ready());
    let _queued = a.call(1);
    b.disarm();

    panic_next.store(true, SeqCst);
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let unwound = panic::catch_unwind(AssertUnwindSafe(|| poll_once(&mut worker)));
    panic::set_hook(hook);
    assert!(unwound.is_err(), "the worker's call panicked");
    assert_eq!(calls.load(SeqCst), 1);

    // The worker panicked; its future is not dropped yet.
    let mut c = buffer.clone();
    assert!(c.poll_ready(&mut cx).is_ready());
    let mut response = c.call(2);
    let out = expect_ready(&mut Pin::new(&mut response));
    assert_eq!(calls.load(SeqCst), 1, "the panicked service was called again: {out:?}");
    assert!(out.unwrap_err().is_closed());
    assert_eq!(poll_once(&mut worker), Poll::Ready(()), "a polled-again worker ends");
    assert_eq!(calls.load(SeqCst), 1);
    drop(worker);
}
