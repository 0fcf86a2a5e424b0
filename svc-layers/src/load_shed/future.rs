//! [`ResponseFuture`]: the inner response, or an immediate `Overloaded`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::LoadShedError;

pin_project! {
    /// Response future of [`LoadShed`](super::LoadShed): the inner service's response,
    /// or, for a shed request, an [`Overloaded`](super::Overloaded) error at the first
    /// poll.
    #[must_use = "futures do nothing unless polled"]
    pub struct ResponseFuture<F> {
        #[pin]
        response: Option<F>,
    }
}

impl<F> ResponseFuture<F> {
    /// The inner service's response.
    pub(crate) fn called(response: F) -> Self {
        ResponseFuture {
            response: Some(response),
        }
    }

    /// A shed request.
    pub(crate) fn overloaded() -> Self {
        ResponseFuture { response: None }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, LoadShedError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().response.as_pin_mut() {
            Some(response) => response.poll(cx).map_err(LoadShedError::inner_error),
            None => Poll::Ready(Err(LoadShedError::overloaded())),
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("overloaded", &self.response.is_none())
            .finish_non_exhaustive()
    }
}
