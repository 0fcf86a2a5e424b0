//! [`MapRequest`]: transforms requests before the inner service sees them.

use std::fmt;
use std::task::{Context, Poll};

use crate::{Layer, Service};

/// Service returned by [`ServiceExt::map_request`](crate::ServiceExt::map_request).
#[derive(Clone)]
pub struct MapRequest<S, F> {
    inner: S,
    f: F,
}

impl<S, F> MapRequest<S, F> {
    /// Wraps `inner`, mapping each request with `f`.
    pub fn new(inner: S, f: F) -> Self {
        MapRequest { inner, f }
    }

    /// Returns a layer that wraps services in `MapRequest` with `f`.
    pub fn layer(f: F) -> MapRequestLayer<F> {
        MapRequestLayer { f }
    }

    /// Returns the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, F, R1, R2> Service<R1> for MapRequest<S, F>
where
    S: Service<R2>,
    F: FnMut(R1) -> R2,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: R1) -> S::Future {
        self.inner.call((self.f)(req))
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}

impl<S: fmt::Debug, F> fmt::Debug for MapRequest<S, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRequest")
            .field("inner", &self.inner)
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}

/// Layer producing [`MapRequest`] services.
#[derive(Clone)]
pub struct MapRequestLayer<F> {
    f: F,
}

impl<F> MapRequestLayer<F> {
    /// Returns a layer mapping requests with `f`.
    pub fn new(f: F) -> Self {
        MapRequestLayer { f }
    }
}

impl<S, F: Clone> Layer<S> for MapRequestLayer<F> {
    type Service = MapRequest<S, F>;

    fn layer(&self, inner: S) -> Self::Service {
        MapRequest::new(inner, self.f.clone())
    }
}

impl<F> fmt::Debug for MapRequestLayer<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapRequestLayer")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}
