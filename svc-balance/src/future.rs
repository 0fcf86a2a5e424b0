//! [`ResponseFuture`]: an endpoint's response, with the request's completion tracked.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use crate::error::BalanceError;
use crate::load::{InFlight, Load, TrackCompletion};

pin_project! {
    /// The response future of a [`Balance`](crate::Balance): the chosen endpoint's
    /// response future, which also records the answer for failure accrual and hands the
    /// request's [`InFlight`] guard to the [`TrackCompletion`].
    ///
    /// # Errors
    ///
    /// The endpoint's error, as [`BalanceError::endpoint`] (typed), or
    /// [`is_closed`](BalanceError::is_closed) if the balancer's driver dropped the
    /// endpoint between `poll_ready` and `call`.
    ///
    /// # Cancel safety
    ///
    /// Dropping it drops the endpoint's future and completes the request (for the load
    /// metric and for a removed endpoint waiting to drain); an endpoint on probation is
    /// probed again.
    pub struct ResponseFuture<F, L: Load, C> {
        #[pin]
        state: State<F>,
        guard: Option<InFlight<L>>,
        completion: C,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        Called { #[pin] future: F },
        Closed,
    }
}

impl<F, L: Load, C> ResponseFuture<F, L, C> {
    pub(crate) fn new(future: F, guard: InFlight<L>, completion: C) -> Self {
        ResponseFuture {
            state: State::Called { future },
            guard: Some(guard),
            completion,
        }
    }

    pub(crate) fn closed(completion: C) -> Self {
        ResponseFuture {
            state: State::Closed,
            guard: None,
            completion,
        }
    }
}

impl<F, L, C, T, E> Future for ResponseFuture<F, L, C>
where
    F: Future<Output = Result<T, E>>,
    L: Load,
    C: TrackCompletion<L, T>,
{
    type Output = Result<C::Output, BalanceError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let future = match this.state.project() {
            StateProj::Called { future } => future,
            StateProj::Closed => return Poll::Ready(Err(BalanceError::closed())),
        };
        let result = ready!(future.poll(cx));
        let mut guard = this.guard.take().expect("ResponseFuture polled after completion");
        guard.resolve(result.is_ok());
        Poll::Ready(match result {
            Ok(response) => Ok(this.completion.track(guard, response)),
            Err(error) => Err(BalanceError::endpoint(error)),
        })
    }
}

impl<F, L: Load, C> fmt::Debug for ResponseFuture<F, L, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("in_flight", &self.guard.is_some())
            .finish_non_exhaustive()
    }
}
