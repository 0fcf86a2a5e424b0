//! [`ResponseFuture`]: the response future of [`Retry`](crate::Retry).
//!
//! # States
//!
//! * `Called`: an attempt is in flight (`future` is the inner service's response future).
//!   When it completes, a request that could be copied goes to the policy's `retry`;
//!   `Some(delay)` moves to `Waiting` with the result kept aside.
//! * `Waiting`: the backoff runs. When it completes the inner service clone is polled for
//!   readiness **once**: ready, the stored copy is sent (after asking the policy for the
//!   next copy) and the future goes back to `Called`; not ready, or failed, the retry is
//!   abandoned and the kept result is returned.
//!
//! Nothing is held across polls but the stored copy, the policy clone and an unready
//! service clone: readiness is taken and used within one poll, so there is no reservation
//! to release when the future is dropped.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;
use svc_trait::Service;

use crate::counters::Counters;
use crate::policy::Policy;

pin_project! {
    /// Resolves to the response of the last attempt, or to the failure whose retry was
    /// refused or abandoned.
    ///
    /// # Errors
    ///
    /// The inner service's error type, unchanged: the error of the last attempt (as the
    /// policy left it).
    ///
    /// # Panics
    ///
    /// Polling after completion may panic (the inner response future's behaviour).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future stops retrying: the attempt in flight (its inner future) or the
    /// backoff timer is dropped, and no further request is sent.
    pub struct ResponseFuture<P, S, Req>
    where
        P: Policy<Req, S::Response, S::Error>,
        S: Service<Req>,
    {
        retrier: Option<Retrier<P, S, Req>>,
        #[pin]
        state: State<S::Future, P::Future, Result<S::Response, S::Error>>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, D, R> {
        Called { #[pin] future: F },
        Waiting { #[pin] delay: D, kept: Option<R> },
    }
}

/// What a retryable request's future needs to retry: the policy clone, an unready service
/// clone, the copy for the next attempt, and the counters.
pub(crate) struct Retrier<P, S, Req> {
    policy: P,
    service: S,
    request: Option<Req>,
    counters: Arc<Counters>,
}

impl<P, S, Req> Retrier<P, S, Req> {
    pub(crate) fn new(policy: P, service: S, request: Req, counters: Arc<Counters>) -> Self {
        Retrier {
            policy,
            service,
            request: Some(request),
            counters,
        }
    }

    /// Asks the policy about `result`, if a copy of the request is at hand.
    fn decide<Res, E>(&mut self, result: &mut Result<Res, E>) -> Option<P::Future>
    where
        P: Policy<Req, Res, E>,
    {
        let request = self.request.as_mut()?;
        self.policy.retry(request, result)
    }

    /// Sends the retry if the service is ready now; `None` (counted) abandons it.
    fn try_send(&mut self, cx: &mut Context<'_>) -> Option<S::Future>
    where
        S: Service<Req>,
        P: Policy<Req, S::Response, S::Error>,
    {
        match self.service.poll_ready(cx) {
            Poll::Ready(Ok(())) => {}
            Poll::Pending | Poll::Ready(Err(_)) => {
                self.counters.add_abandoned();
                return None;
            }
        }
        let Some(request) = self.request.take() else {
            // `decide` only asks for a retry when a copy is stored; never taken here.
            self.service.disarm();
            return None;
        };
        self.request = self.policy.clone_request(&request);
        self.counters.add_retry();
        Some(self.service.call(request))
    }
}

impl<P, S, Req> ResponseFuture<P, S, Req>
where
    P: Policy<Req, S::Response, S::Error>,
    S: Service<Req>,
{
    pub(crate) fn new(future: S::Future, retrier: Option<Retrier<P, S, Req>>) -> Self {
        ResponseFuture {
            retrier,
            state: State::Called { future },
        }
    }
}

impl<P, S, Req> Future for ResponseFuture<P, S, Req>
where
    P: Policy<Req, S::Response, S::Error>,
    S: Service<Req>,
{
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                // An attempt is in flight: on its result, ask the policy.
                StateProj::Called { future } => {
                    let mut result = ready!(future.poll(cx));
                    let Some(retrier) = this.retrier.as_mut() else {
                        return Poll::Ready(result);
                    };
                    match retrier.decide(&mut result) {
                        Some(delay) => this.state.set(State::Waiting {
                            delay,
                            kept: Some(result),
                        }),
                        None => return Poll::Ready(result),
                    }
                }
                // Backing off: then retry if the service is ready at once, else give up.
                StateProj::Waiting { delay, kept } => {
                    ready!(delay.poll(cx));
                    let kept = kept.take().expect("retry future polled after completion");
                    let retrier = this.retrier.as_mut().expect("a waiting future has a retrier");
                    match retrier.try_send(cx) {
                        Some(future) => this.state.set(State::Called { future }),
                        None => return Poll::Ready(kept),
                    }
                }
            }
        }
    }
}

impl<P, S, Req> fmt::Debug for ResponseFuture<P, S, Req>
where
    P: Policy<Req, S::Response, S::Error>,
    S: Service<Req>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Called { .. } => "called",
            State::Waiting { .. } => "waiting",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .field("retryable", &self.retrier.is_some())
            .finish()
    }
}
