//! `call_all` and readiness: a request is taken before readiness is polled, backpressure
//! reaches the request stream, readiness errors end the stream, `into_inner`.
#![cfg(feature = "stream")]

mod support;

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::{self, FusedStream};
use futures::StreamExt;
use support::{Counter, Counting, Gate};
use svc_trait::{Service, ServiceExt};

fn poll_next<St: futures::Stream + Unpin>(stream: &mut St) -> Poll<Option<St::Item>> {
    let waker = futures::task::noop_waker();
    stream.poll_next_unpin(&mut Context::from_waker(&waker))
}

/// A stream of `0..n` that counts the items pulled from it.
fn counted(n: u8) -> (impl futures::Stream<Item = u8> + Unpin, Arc<Counter>) {
    let pulled = Arc::new(Counter::default());
    let counter = pulled.clone();
    let stream = stream::iter(0..n).inspect(move |_| counter.set(counter.get() + 1));
    (stream, pulled)
}

#[test]
fn a_pending_service_gets_at_most_one_buffered_request() {
    let (requests, pulled) = counted(10);
    let mut responses = Gate::default().call_all(requests);
    for _ in 0..3 {
        assert_eq!(poll_next(&mut responses), Poll::Pending);
    }
    assert_eq!(pulled.get(), 1, "only one request may wait for readiness");
    assert_eq!(responses.in_flight(), 0);

    responses.get_mut().open = true;
    let mut got = vec![];
    while let Poll::Ready(Some(r)) = poll_next(&mut responses) {
        got.push(r.unwrap());
    }
    assert_eq!(got, (0..10).collect::<Vec<_>>(), "the buffered request is not lost");
    assert_eq!(pulled.get(), 10);
}

#[test]
fn no_readiness_is_held_while_the_request_stream_is_pending() {
    let (svc, counts) = Counting::new();
    let requests = stream::iter([1u8, 2]).chain(stream::pending());
    let mut responses = svc.call_all(requests);
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(1))));
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(2))));
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    assert_eq!(counts.held.get(), 0, "readiness taken with no request to send");
    assert_eq!(counts.calls.get(), 2);
}

#[test]
fn into_inner_returns_a_service_holding_no_readiness() {
    let (svc, counts) = Counting::new();
    let mut responses = svc.call_all(stream::iter([1u8]).chain(stream::pending()));
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(1))));
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    let mut svc = responses.into_inner();
    assert_eq!(counts.held.get(), 0);
    assert_eq!(counts.disarms.get(), 0, "nothing was left to disarm");
    // Usable as usual: ready, call.
    let out = futures::executor::block_on(async { ServiceExt::<u8>::ready(&mut svc).await.unwrap().call(9).await });
    assert_eq!(out, Ok(9));

    // The same through `unordered`, with a pending (gated) service and a buffered request.
    let (requests, pulled) = counted(3);
    let mut responses = Gate::default().call_all(requests).unordered();
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    let gate = responses.into_inner();
    assert_eq!(pulled.get(), 1);
    assert!(!gate.open && gate.polls == 1);
}

#[test]
fn a_readiness_error_is_yielded_once_and_ends_the_stream() {
    let (requests, pulled) = counted(5);
    let gate = Gate {
        failed: true,
        ..Gate::default()
    };
    let mut responses = gate.call_all(requests);
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Err("failed"))));
    assert_eq!(poll_next(&mut responses), Poll::Ready(None));
    assert!(responses.is_terminated());
    assert_eq!(responses.get_ref().polls, 1, "a failed service is not polled again");
    assert_eq!(pulled.get(), 1, "no request is pulled after the error");
}

#[test]
fn responses_sent_before_a_readiness_error_come_first() {
    let (svc, pending) = support::Manual::new();
    let mut fail_after = 2;
    // Fails readiness from the third request on.
    let svc = FailAfter {
        inner: svc,
        left: &mut fail_after,
    };
    let mut responses = svc.call_all(stream::iter([0u8, 1, 2, 3])).unordered();
    assert_eq!(poll_next(&mut responses), Poll::Pending, "0 and 1 are in flight");
    assert_eq!(responses.in_flight(), 2);
    support::answer(&pending, &1);
    support::answer(&pending, &0);
    let mut got = vec![];
    while let Poll::Ready(Some(r)) = poll_next(&mut responses) {
        got.push(r);
    }
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], Err("worn out"), "the readiness error comes last");
    assert!(responses.is_terminated());
}

/// Wraps a service; `poll_ready` fails once `left` calls have been made.
struct FailAfter<'a, S> {
    inner: S,
    left: &'a mut usize,
}

impl<S: Service<u8, Error = &'static str>> Service<u8> for FailAfter<'_, S> {
    type Response = S::Response;
    type Error = &'static str;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if *self.left == 0 {
            return Poll::Ready(Err("worn out"));
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: u8) -> Self::Future {
        *self.left -= 1;
        self.inner.call(req)
    }
}
