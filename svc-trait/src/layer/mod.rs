//! [`Layer`]: decorates a service with another, and the basic layers.

mod identity;
mod layer_fn;
mod stack;

pub use identity::Identity;
pub use layer_fn::{layer_fn, LayerFn};
pub use stack::Stack;

/// Wraps a service in another: the building block of middleware.
///
/// A layer turns an inner service `S` into an outer service (`Self::Service`) that usually
/// forwards `poll_ready`, `call` and [`disarm`](crate::Service::disarm) to `S`.
///
/// # Examples
///
/// ```
/// use svc_trait::{layer_fn, service_fn, Layer, MapRequest, ServiceExt};
///
/// let add_one = layer_fn(|inner| MapRequest::new(inner, |x: u32| x + 1));
/// let svc = add_one.layer(service_fn(|x: u32| async move { Ok::<_, ()>(x) }));
/// assert_eq!(futures::executor::block_on(svc.oneshot(1)), Ok(2));
/// ```
pub trait Layer<S> {
    /// The wrapped service.
    type Service;

    /// Wraps `inner`.
    fn layer(&self, inner: S) -> Self::Service;
}

impl<L: Layer<S> + ?Sized, S> Layer<S> for &L {
    type Service = L::Service;

    fn layer(&self, inner: S) -> L::Service {
        (**self).layer(inner)
    }
}
