//! [`BoxCloneService`] and [`BoxCloneSyncService`]: boxed services that are `Clone`.

use std::fmt;
use std::task::{Context, Poll};

use super::{BoxFuture, Boxed};
use crate::{layer_fn, LayerFn, Service};

macro_rules! box_clone_service {
    ($(#[$doc:meta])* $name:ident, $tr:ident, $($bounds:tt)+) => {
        /// A boxed service that can clone itself into a box.
        trait $tr<T, U, E>:
            Service<T, Response = U, Error = E, Future = BoxFuture<U, E>> + $($bounds)+
        {
            fn clone_box(&self) -> Box<dyn $tr<T, U, E>>;
        }

        impl<T, U, E, S> $tr<T, U, E> for S
        where
            S: Service<T, Response = U, Error = E, Future = BoxFuture<U, E>>
                + Clone
                + $($bounds)+
                + 'static,
        {
            fn clone_box(&self) -> Box<dyn $tr<T, U, E>> {
                Box::new(self.clone())
            }
        }

        $(#[$doc])*
        ///
        /// Cloning gives a service that is **not** ready, even if this one is (see
        /// [`Service`]'s docs on cloning).
        pub struct $name<T, U, E> {
            inner: Box<dyn $tr<T, U, E>>,
        }

        impl<T, U, E> $name<T, U, E> {
            /// Boxes `inner`.
            pub fn new<S>(inner: S) -> Self
            where
                S: Service<T, Response = U, Error = E> + Clone + $($bounds)+ + 'static,
                S::Future: Send + 'static,
            {
                $name { inner: Box::new(Boxed::new(inner)) }
            }

            /// Returns a layer that boxes the services it wraps.
            pub fn layer<S>() -> LayerFn<fn(S) -> Self>
            where
                S: Service<T, Response = U, Error = E> + Clone + $($bounds)+ + 'static,
                S::Future: Send + 'static,
            {
                layer_fn(Self::new)
            }
        }

        impl<T, U, E> Clone for $name<T, U, E> {
            fn clone(&self) -> Self {
                $name { inner: self.inner.clone_box() }
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

box_clone_service! {
    /// A boxed, clonable `Send` service with request `T`, response `U` and error `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, BoxCloneService, ServiceExt};
    ///
    /// let svc: BoxCloneService<u8, u8, ()> =
    ///     service_fn(|x: u8| async move { Ok(x) }).boxed_clone();
    /// assert_eq!(futures::executor::block_on(svc.clone().oneshot(2)), Ok(2));
    /// ```
    BoxCloneService, CloneService, Send
}

box_clone_service! {
    /// A boxed, clonable `Send + Sync` service with request `T`, response `U` and error `E`.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, BoxCloneSyncService, ServiceExt};
    ///
    /// let svc = BoxCloneSyncService::new(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
    /// let clone = svc.clone();
    /// std::thread::spawn(move || drop(clone)).join().unwrap();
    /// assert_eq!(futures::executor::block_on(svc.oneshot(3)), Ok(3));
    /// ```
    BoxCloneSyncService, CloneSyncService, Send + Sync
}
