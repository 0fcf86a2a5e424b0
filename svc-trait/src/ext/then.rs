//! [`Then`]: runs an asynchronous function on the inner service's result.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::{Layer, Service};

/// Service returned by [`ServiceExt::then`](crate::ServiceExt::then).
///
/// `f` receives the whole result (response or error) and returns a future. Errors of
/// `poll_ready` are converted with `From` into the error type of that future.
#[derive(Clone)]
pub struct Then<S, F> {
    inner: S,
    f: F,
}

impl<S, F> Then<S, F> {
    /// Wraps `inner`, chaining `f` after each call.
    pub fn new(inner: S, f: F) -> Self {
        Then { inner, f }
    }

    /// Returns a layer that wraps services in `Then` with `f`.
    pub fn layer(f: F) -> ThenLayer<F> {
        ThenLayer { f }
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, Fut, R, E> Service<Req> for Then<S, F>
where
    S: Service<Req>,
    F: FnOnce(Result<S::Response, S::Error>) -> Fut + Clone,
    Fut: Future<Output = Result<R, E>>,
    E: From<S::Error>,
{
    type Response = R;
    type Error = E;
    type Future = ThenFuture<S::Future, Fut, F>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        self.inner.poll_ready(cx).map_err(E::from)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        ThenFuture::new(Box::pin(self.inner.call(req)), self.f.clone())
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for Then<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Then")
            .field("inner", &self.inner)
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

/// The two steps of a chained future, shared by [`ThenFuture`] and
/// [`AndThenFuture`](crate::AndThenFuture).
pub(crate) enum Chain<F1, F2, N> {
    First(Pin<Box<F1>>, Option<N>),
    Second(Pin<Box<F2>>),
    Done,
}

impl<F1: Future, F2: Future, N> Chain<F1, F2, N> {
    /// Polls the chain; `next` decides, from the first output, either the second future
    /// (`Ok`) or the final output (`Err`).
    pub(crate) fn poll_chain(
        &mut self,
        cx: &mut Context<'_>,
        next: impl FnOnce(F1::Output, N) -> Result<F2, F2::Output>,
    ) -> Poll<F2::Output> {
        if let Chain::First(fut, f) = self {
            let out = std::task::ready!(fut.as_mut().poll(cx));
            let f = f.take().expect("first step completes once");
            match next(out, f) {
                Ok(second) => *self = Chain::Second(Box::pin(second)),
                Err(done) => {
                    *self = Chain::Done;
                    return Poll::Ready(done);
                }
            }
        }
        match self {
            Chain::Second(fut) => {
                let out = std::task::ready!(fut.as_mut().poll(cx));
                *self = Chain::Done;
                Poll::Ready(out)
            }
            _ => panic!("chained future polled after completion"),
        }
    }

    pub(crate) fn state(&self) -> &'static str {
        match self {
            Chain::First(..) => "first",
            Chain::Second(_) => "second",
            Chain::Done => "done",
        }
    }
}

/// Response future of [`Then`]. Both steps are boxed (no unsafe, no pin projection).
#[must_use = "futures do nothing unless polled"]
pub struct ThenFuture<F1, F2, N> {
    chain: Chain<F1, F2, N>,
}

impl<F1, F2, N> ThenFuture<F1, F2, N> {
    fn new(first: Pin<Box<F1>>, f: N) -> Self {
        ThenFuture {
            chain: Chain::First(first, Some(f)),
        }
    }
}

impl<F1, F2, N> Unpin for ThenFuture<F1, F2, N> {}

impl<F1, F2, N> Future for ThenFuture<F1, F2, N>
where
    F1: Future,
    F2: Future,
    N: FnOnce(F1::Output) -> F2,
{
    type Output = F2::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F2::Output> {
        self.chain.poll_chain(cx, |out, f| Ok(f(out)))
    }
}

impl<F1: Future, F2: Future, N> fmt::Debug for ThenFuture<F1, F2, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThenFuture")
            .field("state", &self.chain.state())
            .finish()
    }
}

/// Layer producing [`Then`] services.
#[derive(Clone)]
pub struct ThenLayer<F> {
    f: F,
}

impl<F> ThenLayer<F> {
    /// Returns a layer chaining `f` after each call.
    pub fn new(f: F) -> Self {
        ThenLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for ThenLayer<F> {
    type Service = Then<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        Then::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for ThenLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThenLayer")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::{ready, Ready};
    use std::task::{Context, Poll};

    use super::Chain;

    fn poll<F1: std::future::Future, F2: std::future::Future, N>(
        chain: &mut Chain<F1, F2, N>,
        next: impl FnOnce(F1::Output, N) -> Result<F2, F2::Output>,
    ) -> Poll<F2::Output> {
        let waker = futures::task::noop_waker();
        chain.poll_chain(&mut Context::from_waker(&waker), next)
    }

    #[test]
    fn chain_runs_the_second_step() {
        let mut chain: Chain<Ready<u8>, Ready<u16>, u16> = Chain::First(Box::pin(ready(2)), Some(10));
        assert_eq!(chain.state(), "first");
        let out = poll(&mut chain, |x, n| Ok(ready(u16::from(x) * n)));
        assert_eq!(out, Poll::Ready(20));
        assert_eq!(chain.state(), "done");
    }

    #[test]
    fn chain_can_finish_after_the_first_step() {
        let mut chain: Chain<Ready<u8>, Ready<u8>, ()> = Chain::First(Box::pin(ready(1)), Some(()));
        assert_eq!(poll(&mut chain, |x, ()| Err(x + 1)), Poll::Ready(2));
        assert_eq!(chain.state(), "done");
    }

    #[test]
    #[should_panic(expected = "polled after completion")]
    fn chain_panics_when_polled_after_completion() {
        let mut chain: Chain<Ready<u8>, Ready<u8>, ()> = Chain::Done;
        let _ = poll(&mut chain, |x, ()| Err(x));
    }
}
