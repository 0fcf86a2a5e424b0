//! [`MapErr`]: transforms the errors of the inner service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::map_future::MapFuture;
use crate::{Layer, Service};

/// Service returned by [`ServiceExt::map_err`](crate::ServiceExt::map_err).
#[derive(Clone)]
pub struct MapErr<S, F> {
    inner: S,
    f: F,
}

impl<S, F> MapErr<S, F> {
    /// Wraps `inner`, mapping each error with `f`.
    pub fn new(inner: S, f: F) -> Self {
        MapErr { inner, f }
    }

    /// Returns a layer that wraps services in `MapErr` with `f`.
    pub fn layer(f: F) -> MapErrLayer<F> {
        MapErrLayer { f }
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, E> Service<Req> for MapErr<S, F>
where
    S: Service<Req>,
    F: FnOnce(S::Error) -> E + Clone,
{
    type Response = S::Response;
    type Error = E;
    type Future = MapErrFuture<S::Future, F>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
        self.inner.poll_ready(cx).map_err(self.f.clone())
    }

    fn call(&mut self, req: Req) -> Self::Future {
        MapErrFuture {
            inner: MapFuture::new(self.inner.call(req), self.f.clone()),
        }
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapErr<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapErr")
            .field("inner", &self.inner)
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

pin_project! {
    /// Response future of [`MapErr`]: polls the inner future in place (no allocation) and
    /// maps its error.
    #[must_use = "futures do nothing unless polled"]
    pub struct MapErrFuture<Fut, F> {
        #[pin]
        inner: MapFuture<Fut, F>,
    }
}

impl<Fut, F, T, E, E2> Future for MapErrFuture<Fut, F>
where
    Fut: Future<Output = Result<T, E>>,
    F: FnOnce(E) -> E2,
{
    type Output = Result<T, E2>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project()
            .inner
            .poll_map(cx, "MapErrFuture", |f, out| out.map_err(f))
    }
}

impl<Fut, F> fmt::Debug for MapErrFuture<Fut, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapErrFuture")
            .field("done", &self.inner.is_complete())
            .finish()
    }
}

/// Layer producing [`MapErr`] services.
#[derive(Clone)]
pub struct MapErrLayer<F> {
    f: F,
}

impl<F> MapErrLayer<F> {
    /// Returns a layer mapping errors with `f`.
    pub fn new(f: F) -> Self {
        MapErrLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapErrLayer<F> {
    type Service = MapErr<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapErr::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapErrLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapErrLayer")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}
