//! Boxed services: one type for any service with given request, response and error types.
//!
//! | type | `Clone` | `Send` | `Sync` |
//! |---|---|---|---|
//! | [`BoxService`] | no | yes | no |
//! | [`SyncBoxService`] | no | yes | yes |
//! | [`BoxCloneService`] | yes | yes | no |
//! | [`BoxCloneSyncService`] | yes | yes | yes |
//!
//! Their response futures are [`BoxFuture`]s (`Send`). All of them forward
//! [`disarm`](crate::Service::disarm) to the boxed service.

mod clone;
mod unique;

pub use clone::{BoxCloneService, BoxCloneSyncService};
pub use unique::{BoxService, SyncBoxService};

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Service;

/// A type-erased error, `Send + Sync`, for those who want one error type everywhere.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response future of the boxed services.
pub type BoxFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>> + Send>>;

/// Adapts a service to return [`BoxFuture`]s, so it fits behind a trait object.
#[derive(Clone)]
pub(crate) struct Boxed<S> {
    inner: S,
}

impl<S> Boxed<S> {
    pub(crate) fn new(inner: S) -> Self {
        Boxed { inner }
    }
}

impl<S, Req> Service<Req> for Boxed<S>
where
    S: Service<Req>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxFuture<S::Response, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        Box::pin(self.inner.call(req))
    }

    fn disarm(&mut self) {
        self.inner.disarm()
    }
}
