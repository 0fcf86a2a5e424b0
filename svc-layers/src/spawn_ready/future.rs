//! [`ResponseFuture`]: the inner response with its error made typed.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::SpawnReadyError;

pin_project! {
    /// Response future of [`SpawnReady`](super::SpawnReady): the inner service's
    /// response, its error wrapped in a [`SpawnReadyError`].
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        response: F,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(response: F) -> Self {
        ResponseFuture { response }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, SpawnReadyError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().response.poll(cx).map_err(SpawnReadyError::inner_error)
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
