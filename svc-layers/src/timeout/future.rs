//! [`ResponseFuture`]: the inner response raced against the deadline.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;
use rt_core::time::Sleep;

use super::TimeoutError;

pin_project! {
    /// Response future of [`Timeout`](super::Timeout).
    ///
    /// The inner future is polled first, so a response that is ready at its first poll
    /// completes without registering a timer (the [`Sleep`] was created by `call`, which
    /// reads the clock but does not touch the timer wheel).
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        response: F,
        sleep: Option<Sleep>,
    }
}

impl<F> ResponseFuture<F> {
    /// Races `response` against `sleep` (`None`: no deadline).
    pub(crate) fn new(response: F, sleep: Option<Sleep>) -> Self {
        ResponseFuture { response, sleep }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, TimeoutError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // The response first: a ready answer never reaches the timer.
        if let Poll::Ready(result) = this.response.poll(cx) {
            return Poll::Ready(result.map_err(TimeoutError::inner_error));
        }
        // Then the deadline (`Sleep` is `Unpin`).
        match this.sleep {
            Some(sleep) => match Pin::new(sleep).poll(cx) {
                Poll::Ready(()) => Poll::Ready(Err(TimeoutError::elapsed())),
                Poll::Pending => Poll::Pending,
            },
            None => Poll::Pending,
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("deadline", &self.sleep.as_ref().map(Sleep::deadline))
            .finish_non_exhaustive()
    }
}
