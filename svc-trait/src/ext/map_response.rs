//! [`MapResponse`]: transforms the responses of the inner service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::map_future::MapFuture;
use crate::{Layer, Service};

/// Service returned by [`ServiceExt::map_response`](crate::ServiceExt::map_response).
#[derive(Clone)]
pub struct MapResponse<S, F> {
    inner: S,
    f: F,
}

impl<S, F> MapResponse<S, F> {
    /// Wraps `inner`, mapping each response with `f`.
    pub fn new(inner: S, f: F) -> Self {
        MapResponse { inner, f }
    }

    /// Returns a layer that wraps services in `MapResponse` with `f`.
    pub fn layer(f: F) -> MapResponseLayer<F> {
        MapResponseLayer { f }
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, Req, R> Service<Req> for MapResponse<S, F>
where
    S: Service<Req>,
    F: FnOnce(S::Response) -> R + Clone,
{
    type Response = R;
    type Error = S::Error;
    type Future = MapResponseFuture<S::Future, F>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        MapResponseFuture {
            inner: MapFuture::new(self.inner.call(req), self.f.clone()),
        }
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapResponse<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponse")
            .field("inner", &self.inner)
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

pin_project! {
    /// Response future of [`MapResponse`]: polls the inner future in place (no allocation)
    /// and maps its response.
    #[must_use = "futures do nothing unless polled"]
    pub struct MapResponseFuture<Fut, F> {
        #[pin]
        inner: MapFuture<Fut, F>,
    }
}

impl<Fut, F, T, E, R> Future for MapResponseFuture<Fut, F>
where
    Fut: Future<Output = Result<T, E>>,
    F: FnOnce(T) -> R,
{
    type Output = Result<R, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project()
            .inner
            .poll_map(cx, "MapResponseFuture", |f, out| out.map(f))
    }
}

impl<Fut, F> fmt::Debug for MapResponseFuture<Fut, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponseFuture")
            .field("done", &self.inner.is_complete())
            .finish()
    }
}

/// Layer producing [`MapResponse`] services.
#[derive(Clone)]
pub struct MapResponseLayer<F> {
    f: F,
}

impl<F> MapResponseLayer<F> {
    /// Returns a layer mapping responses with `f`.
    pub fn new(f: F) -> Self {
        MapResponseLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapResponseLayer<F> {
    type Service = MapResponse<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapResponse::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapResponseLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapResponseLayer")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}
