//! [`Then`]: runs an asynchronous function on the inner service's result.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

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
        ThenFuture::new(self.inner.call(req), self.f.clone())
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

pin_project! {
    /// The two steps of a chained future, shared by [`ThenFuture`] and
    /// [`AndThenFuture`](crate::AndThenFuture). Both steps are polled in place.
    #[project = ChainProj]
    #[project_replace = ChainReplace]
    pub(crate) enum Chain<F1, F2, N> {
        First { #[pin] fut: F1, next: N },
        Second { #[pin] fut: F2 },
        Done,
    }
}

impl<F1: Future, F2: Future, N> Chain<F1, F2, N> {
    /// Starts with `fut`; `next` builds the second step from its output.
    pub(crate) fn first(fut: F1, next: N) -> Self {
        Chain::First { fut, next }
    }

    /// Polls the chain; `step` decides, from the first output, either the second future
    /// (`Ok`) or the final output (`Err`).
    pub(crate) fn poll_chain(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        step: impl FnOnce(F1::Output, N) -> Result<F2, F2::Output>,
    ) -> Poll<F2::Output> {
        if let ChainProj::First { fut, .. } = self.as_mut().project() {
            let out = std::task::ready!(fut.poll(cx));
            // Drop the finished first future in place and move `next` out.
            let ChainReplace::First { next, .. } = self.as_mut().project_replace(Chain::Done) else {
                unreachable!("the chain is in its first step")
            };
            match step(out, next) {
                Ok(second) => self.set(Chain::Second { fut: second }),
                Err(done) => return Poll::Ready(done),
            }
        }
        match self.as_mut().project() {
            ChainProj::Second { fut } => {
                let out = std::task::ready!(fut.poll(cx));
                self.set(Chain::Done);
                Poll::Ready(out)
            }
            _ => panic!("chained future polled after completion"),
        }
    }

    pub(crate) fn state(&self) -> &'static str {
        match self {
            Chain::First { .. } => "first",
            Chain::Second { .. } => "second",
            Chain::Done => "done",
        }
    }
}

pin_project! {
    /// Response future of [`Then`]: the inner future, then the future of `f`, each polled
    /// in place (no allocation).
    #[must_use = "futures do nothing unless polled"]
    pub struct ThenFuture<F1, F2, N> {
        #[pin]
        chain: Chain<F1, F2, N>,
    }
}

impl<F1: Future, F2: Future, N> ThenFuture<F1, F2, N> {
    fn new(first: F1, f: N) -> Self {
        ThenFuture {
            chain: Chain::first(first, f),
        }
    }
}

impl<F1, F2, N> Future for ThenFuture<F1, F2, N>
where
    F1: Future,
    F2: Future,
    N: FnOnce(F1::Output) -> F2,
{
    type Output = F2::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F2::Output> {
        self.project().chain.poll_chain(cx, |out, f| Ok(f(out)))
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
    use std::future::{ready, Future, Ready};
    use std::pin::{pin, Pin};
    use std::task::{Context, Poll};

    use super::Chain;

    fn poll<F1: Future, F2: Future, N>(
        chain: Pin<&mut Chain<F1, F2, N>>,
        next: impl FnOnce(F1::Output, N) -> Result<F2, F2::Output>,
    ) -> Poll<F2::Output> {
        let waker = futures::task::noop_waker();
        chain.poll_chain(&mut Context::from_waker(&waker), next)
    }

    #[test]
    fn chain_runs_the_second_step() {
        let mut chain = pin!(Chain::<Ready<u8>, Ready<u16>, u16>::first(ready(2), 10));
        assert_eq!(chain.state(), "first");
        let out = poll(chain.as_mut(), |x, n| Ok(ready(u16::from(x) * n)));
        assert_eq!(out, Poll::Ready(20));
        assert_eq!(chain.state(), "done");
    }

    #[test]
    fn chain_waits_for_each_step() {
        let mut chain = pin!(Chain::<_, Ready<u8>, ()>::first(futures::future::pending::<u8>(), ()));
        assert_eq!(poll(chain.as_mut(), |x, ()| Err(x)), Poll::Pending);
        assert_eq!(chain.state(), "first");

        let mut chain = pin!(Chain::<Ready<u8>, _, ()>::first(ready(1), ()));
        let out = poll(chain.as_mut(), |_, ()| Ok(futures::future::pending::<u8>()));
        assert_eq!(out, Poll::Pending);
        assert_eq!(chain.state(), "second");
    }

    #[test]
    fn chain_can_finish_after_the_first_step() {
        let mut chain = pin!(Chain::<Ready<u8>, Ready<u8>, ()>::first(ready(1), ()));
        assert_eq!(poll(chain.as_mut(), |x, ()| Err(x + 1)), Poll::Ready(2));
        assert_eq!(chain.state(), "done");
    }

    #[test]
    #[should_panic(expected = "polled after completion")]
    fn chain_panics_when_polled_after_completion() {
        let mut chain = pin!(Chain::<Ready<u8>, Ready<u8>, ()>::first(ready(1), ()));
        assert_eq!(poll(chain.as_mut(), |x, ()| Err(x)), Poll::Ready(1));
        let _ = poll(chain.as_mut(), |x, ()| Err(x));
    }
}
