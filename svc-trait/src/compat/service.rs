//! [`IntoTower`] and [`FromTower`]: a service of one trait seen through the other.

use std::task::{Context, Poll};

/// Our [`Service`](crate::Service) as a `tower_service::Service` (feature `tower`).
///
/// `poll_ready`, `call` and the response future pass through unchanged. Tower callers
/// cannot [`disarm`](crate::Service::disarm): readiness they abandon is released only when
/// they call or drop the adapter (see the [module docs](super)).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_trait::{service_fn, ServiceExt};
/// use tower::ServiceExt as _;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let svc = service_fn(|x: u8| async move { Ok::<_, tower::BoxError>(x + 1) }).into_tower();
/// let svc = tower::timeout::Timeout::new(svc, Duration::from_secs(1));
/// assert_eq!(svc.oneshot(1).await.unwrap(), 2);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct IntoTower<S> {
    inner: S,
}

impl<S> IntoTower<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        IntoTower { inner }
    }

    /// Returns a reference to the wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Returns a mutable reference to the wrapped service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Returns the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req> tower_service::Service<Req> for IntoTower<S>
where
    S: crate::Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> S::Future {
        self.inner.call(req)
    }
}

/// A `tower_service::Service` as our [`Service`](crate::Service) (feature `tower`).
///
/// `poll_ready`, `call` and the response future pass through unchanged.
/// [`disarm`](crate::Service::disarm) is a no-op: tower has no way to release a
/// reservation taken by `poll_ready` except dropping the service, so a reservation of the
/// tower service stays held until the next `call` or until this adapter is dropped (see
/// the [module docs](super)).
///
/// # Examples
///
/// ```
/// use svc_trait::{compat::FromTower, ServiceExt};
///
/// let svc = FromTower::new(tower::service_fn(|s: String| async move { Ok::<_, ()>(s.len()) }));
/// assert_eq!(futures::executor::block_on(svc.oneshot("four".into())), Ok(4));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct FromTower<S> {
    inner: S,
}

impl<S> FromTower<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        FromTower { inner }
    }

    /// Returns a reference to the wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Returns a mutable reference to the wrapped service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Returns the wrapped service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req> crate::Service<Req> for FromTower<S>
where
    S: tower_service::Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> S::Future {
        self.inner.call(req)
    }

    /// A no-op: tower cannot release a reservation short of dropping the service.
    fn disarm(&mut self) {}
}
