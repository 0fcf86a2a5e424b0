//! [`ResponseFuture`]: the inner response future plus the permit it holds.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;
use rt_core::sync::OwnedSemaphorePermit;

pin_project! {
    /// Future of [`ConcurrencyLimit`](super::ConcurrencyLimit): the inner service's response
    /// future, holding the permit of its request.
    ///
    /// The permit is released as soon as the inner future completes (not later, when this
    /// future is dropped), or when this future is dropped before completing.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        permit: Option<OwnedSemaphorePermit>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, permit: OwnedSemaphorePermit) -> Self {
        ResponseFuture {
            inner,
            permit: Some(permit),
        }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let output = ready!(this.inner.poll(cx));
        // The request is done: give its place back before handing out the response.
        this.permit.take();
        Poll::Ready(output)
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("holds_permit", &self.permit.is_some())
            .finish_non_exhaustive()
    }
}
