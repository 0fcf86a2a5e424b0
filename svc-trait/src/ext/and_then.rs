//! [`AndThen`]: runs an asynchronous function on each successful response.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::then::Chain;
use crate::{Layer, Service};

/// Service returned by [`ServiceExt::and_then`](crate::ServiceExt::and_then).
///
/// `f` receives each successful response and returns a future with the same error type;
/// errors of the inner service skip `f`.
#[derive(Clone)]
pub struct AndThen<S, F> {
    inner: S,
    f: F,
}

impl<S, F> AndThen<S, F> {
    /// Wraps `inner`, chaining `f` after each successful call.
    pub fn new(inner: S, f: F) -> Self {
        AndThen { inner, f }
    }

    /// Returns a layer that wraps services in `AndThen` with `f`.
    pub fn layer(f: F) -> AndThenLayer<F> {
        AndThenLayer { f }
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, Fut, R> Service<Req> for AndThen<S, F>
where
    S: Service<Req>,
    F: FnOnce(S::Response) -> Fut + Clone,
    Fut: Future<Output = Result<R, S::Error>>,
{
    type Response = R;
    type Error = S::Error;
    type Future = AndThenFuture<S::Future, Fut, F>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        AndThenFuture {
            chain: Chain::first(self.inner.call(req), self.f.clone()),
        }
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for AndThen<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AndThen")
            .field("inner", &self.inner)
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

pin_project! {
    /// Response future of [`AndThen`]: the inner future, then (on success) the future of
    /// `f`, each polled in place (no allocation).
    #[must_use = "futures do nothing unless polled"]
    pub struct AndThenFuture<F1, F2, N> {
        #[pin]
        chain: Chain<F1, F2, N>,
    }
}

impl<F1, F2, N, T, R, E> Future for AndThenFuture<F1, F2, N>
where
    F1: Future<Output = Result<T, E>>,
    F2: Future<Output = Result<R, E>>,
    N: FnOnce(T) -> F2,
{
    type Output = Result<R, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().chain.poll_chain(cx, |out, f| match out {
            Ok(response) => Ok(f(response)),
            Err(e) => Err(Err(e)),
        })
    }
}

impl<F1: Future, F2: Future, N> fmt::Debug for AndThenFuture<F1, F2, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AndThenFuture")
            .field("state", &self.chain.state())
            .finish()
    }
}

/// Layer producing [`AndThen`] services.
#[derive(Clone)]
pub struct AndThenLayer<F> {
    f: F,
}

impl<F> AndThenLayer<F> {
    /// Returns a layer chaining `f` after each successful call.
    pub fn new(f: F) -> Self {
        AndThenLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for AndThenLayer<F> {
    type Service = AndThen<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        AndThen::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for AndThenLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AndThenLayer")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}
