//! [`ResponseFuture`]: a buffered request's answer.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;
use rt_core::sync::oneshot;

use crate::message::Reply;
use crate::shared::Failure;
use crate::BufferError;

pin_project! {
    /// The future [`Buffer::call`](svc_trait::Service::call) returns: for a queued
    /// request, it waits for the worker to call the inner service, then polls the inner
    /// response future itself; for a request that took the direct path, it polls the
    /// inner response future from the start.
    ///
    /// # Errors
    ///
    /// The inner response future's error ([`BufferError::is_response_error`]), the
    /// inner service's readiness failure ([`BufferError::is_service_error`]), or
    /// [`BufferError::is_closed`] when the worker went away before calling the
    /// service with this request, or the service panicked.
    ///
    /// # Cancel safety
    ///
    /// Dropping it while the request is still queued makes the worker skip the request
    /// (it is never sent to the inner service); dropping it once the service was called
    /// (by the worker, or on the direct path) drops the inner response future, with
    /// whatever that means for the inner service.
    ///
    /// # Panics
    ///
    /// When polled after it completed.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        /// Queued: waiting for the worker's reply.
        Waiting { rx: oneshot::Receiver<Reply<F>> },
        /// Called: polling the inner response future.
        Running { #[pin] future: F },
        /// Failed before it was queued; `None` once reported.
        Failed { failure: Option<Failure> },
    }
}

impl<F> ResponseFuture<F> {
    /// A queued request's future.
    pub(crate) fn new(rx: oneshot::Receiver<Reply<F>>) -> ResponseFuture<F> {
        ResponseFuture {
            state: State::Waiting { rx },
        }
    }

    /// A request the handle handed to the inner service itself (the direct path).
    pub(crate) fn called(future: F) -> ResponseFuture<F> {
        ResponseFuture {
            state: State::Running { future },
        }
    }

    /// A request that could not be queued.
    pub(crate) fn failed(failure: Failure) -> ResponseFuture<F> {
        ResponseFuture {
            state: State::Failed { failure: Some(failure) },
        }
    }
}

impl<F, T, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<T, E>>,
    E: Send + Sync + 'static,
{
    type Output = Result<T, BufferError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::Waiting { rx } => {
                    let future = match ready!(Pin::new(rx).poll(cx)) {
                        Ok(Ok(future)) => future,
                        Ok(Err(error)) => return Poll::Ready(Err(Failure::Service(error).into_error())),
                        Err(_) => return Poll::Ready(Err(Failure::Closed.into_error())),
                    };
                    state.set(State::Running { future });
                }
                StateProj::Running { future } => return future.poll(cx).map_err(BufferError::response),
                StateProj::Failed { failure } => {
                    let failure = failure.take().expect("ResponseFuture polled after completion");
                    return Poll::Ready(Err(failure.into_error()));
                }
            }
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Waiting { .. } => "waiting",
            State::Running { .. } => "running",
            State::Failed { .. } => "failed",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}
