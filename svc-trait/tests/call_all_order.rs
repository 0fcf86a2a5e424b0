//! `call_all`: results in request order, or in completion order with `unordered`.
#![cfg(feature = "stream")]

mod support;

use std::task::{Context, Poll};

use futures::executor::block_on;
use futures::stream::{self, FusedStream};
use futures::StreamExt;
use support::{answer, Gate, Manual};
use svc_trait::{service_fn, ServiceExt};

fn poll_next<St: futures::Stream + Unpin>(stream: &mut St) -> Poll<Option<St::Item>> {
    let waker = futures::task::noop_waker();
    stream.poll_next_unpin(&mut Context::from_waker(&waker))
}

#[test]
fn responses_come_in_request_order() {
    let (svc, pending) = Manual::new();
    let mut responses = svc.call_all(stream::iter([0u8, 1, 2]));
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    assert_eq!(
        responses.in_flight(),
        3,
        "all requests are sent while the service is ready"
    );
    answer(&pending, &2);
    answer(&pending, &1);
    assert_eq!(poll_next(&mut responses), Poll::Pending, "0 is not answered yet");
    answer(&pending, &0);
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(0))));
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(1))));
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(2))));
    assert!(!responses.is_terminated());
    assert_eq!(poll_next(&mut responses), Poll::Ready(None));
    assert!(responses.is_terminated());
    assert_eq!(poll_next(&mut responses), Poll::Ready(None), "stays ended");
}

#[test]
fn unordered_yields_in_completion_order() {
    let (svc, pending) = Manual::new();
    let mut responses = svc.call_all(stream::iter([0u8, 1, 2])).unordered();
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    answer(&pending, &2);
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(2))));
    answer(&pending, &0);
    answer(&pending, &1);
    let mut rest = vec![];
    while let Poll::Ready(Some(r)) = poll_next(&mut responses) {
        rest.push(r.unwrap());
    }
    rest.sort_unstable();
    assert_eq!(rest, [0, 1]);
    assert!(responses.is_terminated());
}

#[test]
fn unordered_keeps_what_the_ordered_stream_had_finished() {
    let (svc, pending) = Manual::new();
    let mut ordered = svc.call_all(stream::iter([0u8, 1]));
    assert_eq!(poll_next(&mut ordered), Poll::Pending);
    answer(&pending, &1);
    assert_eq!(poll_next(&mut ordered), Poll::Pending, "1 waits for 0");
    let mut unordered = ordered.unordered();
    assert_eq!(poll_next(&mut unordered), Poll::Ready(Some(Ok(1))));
    answer(&pending, &0);
    assert_eq!(poll_next(&mut unordered), Poll::Ready(Some(Ok(0))));
    assert_eq!(poll_next(&mut unordered), Poll::Ready(None));
}

#[test]
fn response_errors_are_yielded_in_place_and_do_not_end_the_stream() {
    let svc = service_fn(|x: u8| async move {
        if x % 2 == 1 {
            Err(x)
        } else {
            Ok(x)
        }
    });
    let results: Vec<_> = block_on(svc.call_all(stream::iter(0..5)).collect());
    assert_eq!(results, [Ok(0), Err(1), Ok(2), Err(3), Ok(4)]);
}

#[test]
fn a_dropped_answer_is_an_item_error() {
    let (svc, pending) = Manual::new();
    let mut responses = svc.call_all(stream::iter([0u8, 1]));
    assert_eq!(poll_next(&mut responses), Poll::Pending);
    pending.lock().unwrap().remove(0); // drops the sender of request 0
    answer(&pending, &1);
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Err("dropped"))));
    assert_eq!(poll_next(&mut responses), Poll::Ready(Some(Ok(1))));
}

#[test]
fn an_empty_stream_ends_without_polling_the_service() {
    let mut responses = Gate::default().call_all(stream::empty::<u8>());
    assert_eq!(poll_next(&mut responses), Poll::Ready(None));
    assert_eq!(responses.get_ref().polls, 0, "no request, no readiness");
    let mut responses = Gate::default().call_all(stream::empty::<u8>()).unordered();
    assert_eq!(poll_next(&mut responses), Poll::Ready(None));
    assert_eq!(responses.into_inner().polls, 0);
}

#[test]
fn a_long_ready_stream_is_answered_completely() {
    // More requests than one poll's send budget, through an executor that honours wake-ups.
    let svc = service_fn(|x: u32| async move { Ok::<_, ()>(x) });
    let results: Vec<_> = block_on(svc.call_all(stream::iter(0..1000)).collect());
    assert_eq!(results.len(), 1000);
    assert!(results.iter().enumerate().all(|(i, r)| *r == Ok(i as u32)));
}
