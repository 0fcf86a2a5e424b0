//! [`BoxService`] and [`SyncBoxService`]: boxed services that are not `Clone`.

use std::fmt;
use std::task::{Context, Poll};

use super::{BoxFuture, Boxed};
use crate::{layer_fn, LayerFn, Service};

macro_rules! box_service {
    ($(#[$doc:meta])* $name:ident, $($bounds:tt)+) => {
        $(#[$doc])*
        pub struct $name<T, U, E> {
            inner: Box<dyn Service<T, Response = U, Error = E, Future = BoxFuture<U, E>> + $($bounds)+>,
        }

        impl<T, U, E> $name<T, U, E> {
            /// Boxes `inner`.
            pub fn new<S>(inner: S) -> Self
            where
                S: Service<T, Response = U, Error = E> + $($bounds)+ + 'static,
                S::Future: Send + 'static,
            {
                $name { inner: Box::new(Boxed::new(inner)) }
            }

            /// Returns a layer that boxes the services it wraps.
            pub fn layer<S>() -> LayerFn<fn(S) -> Self>
            where
                S: Service<T, Response = U, Error = E> + $($bounds)+ + 'static,
                S::Future: Send + 'static,
            {
                layer_fn(Self::new)
            }
        }

        impl<T, U, E> Service<T> for $name<T, U, E> {
            type Response = U;
            type Error = E;
            type Future = BoxFuture<U, E>;

            fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), E>> {
                self.inner.poll_ready(cx)
            }

            fn call(&mut self, req: T) -> BoxFuture<U, E> {
                self.inner.call(req)
            }

            fn disarm(&mut self) {
                self.inner.disarm()
            }
        }

        impl<T, U, E> fmt::Debug for $name<T, U, E> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }
    };
}

box_service! {
    /// A boxed `Send` service with request `T`, response `U` and error `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, BoxService, ServiceExt};
    ///
    /// let svc: BoxService<u8, u8, ()> = service_fn(|x: u8| async move { Ok(x) }).boxed();
    /// assert_eq!(futures::executor::block_on(svc.oneshot(1)), Ok(1));
    /// ```
    BoxService, Send
}

box_service! {
    /// A boxed `Send + Sync` service with request `T`, response `U` and error `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt, SyncBoxService};
    ///
    /// let svc = SyncBoxService::new(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    /// let shared = std::sync::Arc::new(std::sync::Mutex::new(svc));
    /// # let _ = shared;
    /// ```
    SyncBoxService, Send + Sync
}
