//! [`ServiceExt`]: readiness helpers and combinators for every [`Service`].

mod oneshot;
mod ready;
mod reserve;

pub use oneshot::Oneshot;
pub use ready::{Ready, ReadyOneshot};
pub use reserve::{Reserve, Reserved};

use crate::Service;

/// Extension methods for every [`Service`].
pub trait ServiceExt<Req>: Service<Req> {
    /// Waits until the service is ready and yields `&mut Self`.
    ///
    /// The caller then holds readiness: it must `call`, or
    /// [`disarm`](Service::disarm) if it decides not to. [`reserve`](ServiceExt::reserve)
    /// does the disarming for you.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, Service, ServiceExt};
    ///
    /// # futures::executor::block_on(async {
    /// let mut svc = service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// let response = svc.ready().await?.call(7).await?;
    /// assert_eq!(response, 7);
    /// # Ok::<_, ()>(()) }).unwrap();
    /// ```
    fn ready(&mut self) -> Ready<'_, Self, Req> {
        Ready::new(self)
    }

    /// Waits until the service is ready and yields the service itself.
    fn ready_oneshot(self) -> ReadyOneshot<Self, Req>
    where
        Self: Sized,
    {
        ReadyOneshot::new(self)
    }

    /// Waits until the service is ready, calls it once with `req`, and yields the response.
    fn oneshot(self, req: Req) -> Oneshot<Self, Req>
    where
        Self: Sized,
    {
        Oneshot::new(self, req)
    }

    /// Waits until the service is ready and yields a [`Reserved`] guard holding the
    /// readiness: use it with [`Reserved::call`]; dropping it unused calls
    /// [`disarm`](Service::disarm).
    fn reserve(&mut self) -> Reserve<'_, Self, Req> {
        Reserve::new(self)
    }
}

impl<S: Service<Req> + ?Sized, Req> ServiceExt<Req> for S {}
