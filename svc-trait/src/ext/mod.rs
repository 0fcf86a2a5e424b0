//! [`ServiceExt`]: readiness helpers and combinators for every [`Service`].

mod and_then;
#[cfg(feature = "stream")]
mod call_all;
mod map_err;
mod map_future;
mod map_request;
mod map_response;
mod oneshot;
mod ready;
mod reserve;
mod then;

pub use and_then::{AndThen, AndThenFuture, AndThenLayer};
#[cfg(feature = "stream")]
pub use call_all::{CallAll, CallAllUnordered};
pub use map_err::{MapErr, MapErrFuture, MapErrLayer};
pub use map_request::{MapRequest, MapRequestLayer};
pub use map_response::{MapResponse, MapResponseFuture, MapResponseLayer};
pub use oneshot::Oneshot;
pub use ready::{Ready, ReadyOneshot};
pub use reserve::{Reserve, Reserved};
pub use then::{Then, ThenFuture, ThenLayer};

use crate::{BoxCloneService, BoxService, Service};

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
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, Service, ServiceExt};
    ///
    /// # futures::executor::block_on(async {
    /// let svc = service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// let mut ready = svc.ready_oneshot().await?; // owns the readiness
    /// assert_eq!(ready.call(3).await?, 3);
    /// # Ok::<_, ()>(()) }).unwrap();
    /// ```
    fn ready_oneshot(self) -> ReadyOneshot<Self, Req>
    where
        Self: Sized,
    {
        ReadyOneshot::new(self)
    }

    /// Waits until the service is ready, calls it once with `req`, and yields the response.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, ()>(x + 1) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(1)), Ok(2));
    /// ```
    fn oneshot(self, req: Req) -> Oneshot<Self, Req>
    where
        Self: Sized,
    {
        Oneshot::new(self, req)
    }

    /// Waits until the service is ready and yields a [`Reserved`] guard holding the
    /// readiness: use it with [`Reserved::call`]; dropping it unused calls
    /// [`disarm`](Service::disarm).
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # futures::executor::block_on(async {
    /// let mut svc = service_fn(|x: u8| async move { Ok::<_, ()>(x) });
    /// let reserved = svc.reserve().await?;
    /// let cancelled = true;
    /// if cancelled {
    ///     return Ok(()); // `reserved` is dropped here and disarms the service
    /// }
    /// reserved.call(1).await?;
    /// # Ok::<_, ()>(()) }).unwrap();
    /// ```
    fn reserve(&mut self) -> Reserve<'_, Self, Req> {
        Reserve::new(self)
    }

    /// Calls the service with each request of the stream `requests`, and returns the stream
    /// of results in the order of the requests (feature `stream`).
    ///
    /// Several requests may be in flight at once, as the service's readiness allows;
    /// [`CallAll::unordered`] yields results as they finish instead. The next request is
    /// taken from `requests` before the service is polled for readiness, so the stream never
    /// holds readiness while waiting for a request, and buffers at most one request while
    /// the service is not ready.
    ///
    /// # Errors
    ///
    /// Errors of response futures are yielded in place and the stream goes on; an error
    /// from `poll_ready` ends it (see [`CallAll`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: i32| async move { if x < 0 { Err(x) } else { Ok(x) } });
    /// let results = svc.call_all(futures::stream::iter([1, -2, 3]));
    /// let results: Vec<_> = futures::executor::block_on(results.collect());
    /// assert_eq!(results, [Ok(1), Err(-2), Ok(3)]);
    /// ```
    #[cfg(feature = "stream")]
    fn call_all<St>(self, requests: St) -> CallAll<Self, St>
    where
        Self: Sized,
        St: futures_core::Stream<Item = Req>,
    {
        CallAll::new(self, requests)
    }

    /// Maps each request with `f` before the inner service sees it.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|s: String| async move { Ok::<_, ()>(s.len()) })
    ///     .map_request(|n: u8| "x".repeat(n.into()));
    /// assert_eq!(futures::executor::block_on(svc.oneshot(3)), Ok(3));
    /// ```
    fn map_request<F, R>(self, f: F) -> MapRequest<Self, F>
    where
        Self: Sized,
        F: FnMut(R) -> Req,
    {
        MapRequest::new(self, f)
    }

    /// Maps each successful response with `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, ()>(x) }).map_response(|x| x * 10);
    /// assert_eq!(futures::executor::block_on(svc.oneshot(4)), Ok(40));
    /// ```
    fn map_response<F, R>(self, f: F) -> MapResponse<Self, F>
    where
        Self: Sized,
        F: FnOnce(Self::Response) -> R + Clone,
    {
        MapResponse::new(self, f)
    }

    /// Maps each error (of `poll_ready` and of the response future) with `f`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|_: ()| async { Err::<(), _>(5u8) }).map_err(|e| format!("e{e}"));
    /// assert_eq!(futures::executor::block_on(svc.oneshot(())), Err("e5".to_string()));
    /// ```
    fn map_err<F, E>(self, f: F) -> MapErr<Self, F>
    where
        Self: Sized,
        F: FnOnce(Self::Error) -> E + Clone,
    {
        MapErr::new(self, f)
    }

    /// Chains an asynchronous `f` after each call, given the whole result.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: i32| async move { if x < 0 { Err(()) } else { Ok(x) } })
    ///     .then(|res| async move { Ok::<_, ()>(res.unwrap_or(0)) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(-1)), Ok(0));
    /// ```
    fn then<F, Fut, R, E>(self, f: F) -> Then<Self, F>
    where
        Self: Sized,
        E: From<Self::Error>,
        F: FnOnce(Result<Self::Response, Self::Error>) -> Fut + Clone,
        Fut: std::future::Future<Output = Result<R, E>>,
    {
        Then::new(self, f)
    }

    /// Chains an asynchronous `f` after each successful call.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, ()>(x) })
    ///     .and_then(|x| async move { Ok(u16::from(x) + 1) });
    /// assert_eq!(futures::executor::block_on(svc.oneshot(1)), Ok(2));
    /// ```
    fn and_then<F, Fut, R>(self, f: F) -> AndThen<Self, F>
    where
        Self: Sized,
        F: FnOnce(Self::Response) -> Fut + Clone,
        Fut: std::future::Future<Output = Result<R, Self::Error>>,
    {
        AndThen::new(self, f)
    }

    /// Wraps the service in [`IntoTower`](crate::compat::IntoTower), a
    /// `tower_service::Service` (feature `tower`).
    ///
    /// Tower callers cannot [`disarm`](Service::disarm); see the
    /// [`compat`](crate::compat) module docs.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, ()>(x + 1) }).into_tower();
    /// assert_eq!(futures::executor::block_on(tower::ServiceExt::oneshot(svc, 1)), Ok(2));
    /// ```
    #[cfg(feature = "tower")]
    fn into_tower(self) -> crate::compat::IntoTower<Self>
    where
        Self: Sized,
    {
        crate::compat::IntoTower::new(self)
    }

    /// Boxes the service into a [`BoxService`].
    fn boxed(self) -> BoxService<Req, Self::Response, Self::Error>
    where
        Self: Sized + Send + 'static,
        Self::Future: Send + 'static,
    {
        BoxService::new(self)
    }

    /// Boxes the service into a clonable [`BoxCloneService`].
    fn boxed_clone(self) -> BoxCloneService<Req, Self::Response, Self::Error>
    where
        Self: Sized + Clone + Send + 'static,
        Self::Future: Send + 'static,
    {
        BoxCloneService::new(self)
    }
}

impl<S: Service<Req> + ?Sized, Req> ServiceExt<Req> for S {}
