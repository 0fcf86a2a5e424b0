//! The [`Service`] trait and its blanket implementations.

use std::future::Future;
use std::task::{Context, Poll};

/// An asynchronous function from a `Request` to a `Response`, with readiness for
/// backpressure.
///
/// A service is driven in two steps: [`poll_ready`](Service::poll_ready) until it returns
/// `Ready(Ok(()))`, then [`call`](Service::call) with one request. The future returned by
/// `call` resolves to the response or an error. This is the contract of
/// `tower_service::Service`, plus one provided method, [`disarm`](Service::disarm), that
/// fixes the reservation problem described below.
///
/// # The contract
///
/// **Call only after `Ready(Ok(()))`.** A caller must see `poll_ready` return
/// `Poll::Ready(Ok(()))` before each `call`. A service may panic, or return an error from
/// the response future, when `call` is used without readiness.
///
/// **Readiness is kept until the next `call`.** Once `poll_ready` has returned
/// `Ready(Ok(()))`, the service stays ready: polling it again returns `Ready(Ok(()))`
/// without taking a second reservation, and the next `call` consumes the readiness. After
/// that `call` the caller must poll for readiness again before the following `call`.
///
/// **An error from `poll_ready` is terminal.** A service that returns `Ready(Err(_))` from
/// `poll_ready` is considered failed: the caller should drop it (and, say, rebuild it or
/// let a balancer discard it). Polling it again is allowed but may return the same error or
/// panic. Errors from the *response future* are per request and are not terminal.
///
/// **`Pending` registers a wake-up.** Like any poll function, returning `Poll::Pending`
/// from `poll_ready` arranges for `cx`'s waker to be woken when readiness may have changed.
///
/// # The reservation problem, and `disarm`
///
/// Many services take something in `poll_ready`: a buffer slot, a semaphore permit, a
/// token from a rate limiter. In tower, a caller that sees `Ready(Ok(()))` and then decides
/// not to `call` (a `select!` that picked another branch, a balancer that picked another
/// endpoint, a request that was cancelled) holds that reservation until the service is
/// dropped; with a cloned handle in a long-lived struct that is forever, and other callers
/// starve (tower issues #408, #412, #626).
///
/// This crate fixes it with a rule and a provided method:
///
/// - A caller that has seen `Ready(Ok(()))` and decides **not** to `call` must call
///   [`disarm`](Service::disarm), or drop the service. After `disarm` the service is no
///   longer ready; the caller must poll again before calling.
/// - A service whose `poll_ready` reserves capacity releases the reservation in `disarm`.
/// - Middleware forwards `disarm` to the service it wraps (every combinator, layer and boxed
///   service of this crate does).
/// - `disarm` without a reservation (never polled, already called, already disarmed) is a
///   no-op. The default implementation does nothing, which is right for services that
///   reserve nothing.
///
/// The safe way to hold readiness is [`ServiceExt::reserve`](crate::ServiceExt::reserve):
/// it returns a [`Reserved`](crate::Reserved) guard whose `call` consumes the readiness and
/// whose `Drop` calls `disarm` if it was not used, so an early return or a cancelled
/// future can never leak a reservation.
///
/// # Cloning a ready service
///
/// Readiness belongs to one service value, not to its type. Cloning a service that has
/// returned `Ready(Ok(()))` gives a clone that is **not** ready: the reservation stays with
/// the original. The common mistake is:
///
/// ```text
/// // in a `call` of some middleware wrapping `self.inner`:
/// let mut inner = self.inner.clone(); // this clone has never been polled
/// async move { inner.call(req).await }   // contract violated
/// ```
///
/// The fix is to swap the ready service out and leave the clone behind, so the one that
/// was polled is the one that is called, and the unpolled clone is polled before the next
/// call:
///
/// ```
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
/// use svc_trait::{service_fn, Service, ServiceExt};
///
/// /// Middleware whose response future owns the inner service.
/// struct Owning<S> {
///     inner: S,
/// }
///
/// impl<S, R> Service<R> for Owning<S>
/// where
///     S: Service<R> + Clone + 'static,
///     R: 'static,
/// {
///     type Response = S::Response;
///     type Error = S::Error;
///     type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>>>>;
///
///     fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
///         self.inner.poll_ready(cx)
///     }
///
///     fn call(&mut self, req: R) -> Self::Future {
///         let clone = self.inner.clone();
///         // `self.inner` is the ready one: take it, leave the unpolled clone behind.
///         let mut ready = std::mem::replace(&mut self.inner, clone);
///         Box::pin(async move { ready.call(req).await })
///     }
///
///     fn disarm(&mut self) {
///         self.inner.disarm() // forward: the reservation, if any, is in `inner`
///     }
/// }
///
/// let mut svc = Owning { inner: service_fn(|x: u8| async move { Ok::<_, ()>(x) }) };
/// # futures::executor::block_on(async {
/// assert_eq!(svc.ready().await?.call(1).await?, 1);
/// assert_eq!(svc.ready().await?.call(2).await?, 2);
/// # Ok::<_, ()>(()) }).unwrap();
/// ```
///
/// # Examples
///
/// A service that doubles numbers and is always ready:
///
/// ```
/// use std::future::{ready, Ready};
/// use std::task::{Context, Poll};
/// use svc_trait::Service;
///
/// struct Double;
///
/// impl Service<u32> for Double {
///     type Response = u32;
///     type Error = std::convert::Infallible;
///     type Future = Ready<Result<u32, Self::Error>>;
///
///     fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
///         Poll::Ready(Ok(()))
///     }
///
///     fn call(&mut self, req: u32) -> Self::Future {
///         ready(Ok(req * 2))
///     }
/// }
///
/// use svc_trait::ServiceExt;
/// let answer = futures::executor::block_on(Double.oneshot(21)).unwrap();
/// assert_eq!(answer, 42);
/// ```
///
/// A service with a capacity of one that reserves in `poll_ready` and releases in
/// `disarm`:
///
/// ```
/// use std::future::{ready, Ready};
/// use std::task::{Context, Poll};
/// use svc_trait::Service;
///
/// struct OneSlot { free: bool, reserved: bool }
///
/// impl Service<()> for OneSlot {
///     type Response = ();
///     type Error = ();
///     type Future = Ready<Result<(), ()>>;
///
///     fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
///         if !self.reserved {
///             if !self.free {
///                 return Poll::Pending; // a real service would store the waker
///             }
///             self.free = false;
///             self.reserved = true;
///         }
///         Poll::Ready(Ok(()))
///     }
///
///     fn call(&mut self, _req: ()) -> Self::Future {
///         assert!(self.reserved, "called without readiness");
///         self.reserved = false;
///         self.free = true; // the request is answered at once
///         ready(Ok(()))
///     }
///
///     fn disarm(&mut self) {
///         if std::mem::take(&mut self.reserved) {
///             self.free = true;
///         }
///     }
/// }
///
/// let mut svc = OneSlot { free: true, reserved: false };
/// let waker = futures::task::noop_waker();
/// let mut cx = Context::from_waker(&waker);
/// assert!(svc.poll_ready(&mut cx).is_ready());
/// svc.disarm(); // changed our mind: the slot is free again
/// assert!(svc.free);
/// svc.disarm(); // no reservation: a no-op
/// assert!(svc.free);
/// ```
pub trait Service<Request> {
    /// Responses given by the service.
    type Response;

    /// Errors produced by the service, from `poll_ready` (terminal) or from the response
    /// future (per request).
    type Error;

    /// The future response value.
    type Future: Future<Output = Result<Self::Response, Self::Error>>;

    /// Returns `Ready(Ok(()))` when the service can accept a request.
    ///
    /// Readiness is kept until the next [`call`](Service::call) or
    /// [`disarm`](Service::disarm). A service may reserve capacity here; it must then
    /// release it in `disarm`.
    ///
    /// # Errors
    ///
    /// An error means the service has failed for good; the caller should drop it.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>>;

    /// Processes the request and returns the response asynchronously.
    ///
    /// Must only be used after `poll_ready` returned `Ready(Ok(()))`; it consumes that
    /// readiness.
    ///
    /// # Panics
    ///
    /// Implementations may panic when called without readiness.
    fn call(&mut self, req: Request) -> Self::Future;

    /// Gives back readiness obtained from `poll_ready` without calling.
    ///
    /// A caller that saw `Ready(Ok(()))` and will not `call` must call this (or drop the
    /// service). A service that reserves capacity in `poll_ready` releases it here;
    /// middleware forwards it to the service it wraps. Without a reservation it is a
    /// no-op. The default does nothing.
    fn disarm(&mut self) {}
}

impl<S, Request> Service<Request> for &mut S
where
    S: Service<Request> + ?Sized,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        (**self).poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> S::Future {
        (**self).call(req)
    }

    fn disarm(&mut self) {
        (**self).disarm()
    }
}

impl<S, Request> Service<Request> for Box<S>
where
    S: Service<Request> + ?Sized,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        (**self).poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> S::Future {
        (**self).call(req)
    }

    fn disarm(&mut self) {
        (**self).disarm()
    }
}
