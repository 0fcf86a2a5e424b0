//! The future that runs a blocking closure.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs the closure on the first poll; a blocking task is never polled twice.
pub(crate) struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(crate) fn new(func: F) -> BlockingTask<F> {
        BlockingTask { func: Some(func) }
    }
}

impl<F> Unpin for BlockingTask<F> {}

impl<R, F: FnOnce() -> R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self.func.take().expect("blocking task polled after completion");
        // The closure may block as long as it likes: opt out of the cooperative budget
        // so nothing it calls is forced to yield.
        let out = rt_core::coop::with_unconstrained(func);
        Poll::Ready(out)
    }
}
