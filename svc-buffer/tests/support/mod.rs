//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use svc_buffer::{Buffer, Worker};
use svc_mock::{Handle, Mock};

/// The mock's response future, the buffer's `F`.
pub type MockFuture = svc_mock::ResponseFuture<u32>;

/// A buffer handle in front of a `Mock<u32, u32>`.
pub type MockBuffer = Buffer<u32, MockFuture>;

/// The worker of a [`MockBuffer`].
pub type MockWorker = Worker<Mock<u32, u32>, u32>;

/// A buffer of `bound` over a fresh mock, its worker (not spawned) and the mock's handle.
pub fn mock_buffer(bound: usize) -> (MockBuffer, MockWorker, Handle<u32, u32>) {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let (buffer, worker) = Buffer::pair(mock, bound);
    (buffer, worker, handle)
}

/// A context whose waker does nothing: the tests poll by hand.
pub fn noop_cx() -> Context<'static> {
    Context::from_waker(futures::task::noop_waker_ref())
}

/// Polls `future` once.
pub fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut noop_cx())
}

/// Polls `future` once and expects `Pending`.
#[track_caller]
pub fn assert_pending<F: Future + Unpin>(future: &mut F) {
    assert!(poll_once(future).is_pending(), "expected Pending");
}

/// Polls `future` once and expects it ready.
#[track_caller]
pub fn expect_ready<F: Future + Unpin>(future: &mut F) -> F::Output {
    match poll_once(future) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("expected Ready"),
    }
}

/// Whether the buffer handle's `poll_ready` is `Ready(Ok(()))`.
pub fn is_ready(buffer: &mut MockBuffer) -> bool {
    use svc_trait::Service;
    matches!(buffer.poll_ready(&mut noop_cx()), Poll::Ready(Ok(())))
}
