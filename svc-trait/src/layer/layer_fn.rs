//! [`layer_fn`]: a layer from a closure.

use std::fmt;

use super::Layer;

/// Returns a layer that calls `f` with the inner service.
///
/// # Examples
///
/// ```
/// use svc_trait::{layer_fn, Layer};
///
/// let boxed = layer_fn(Box::new);
/// let b: Box<u8> = boxed.layer(3);
/// assert_eq!(*b, 3);
/// ```
pub fn layer_fn<F>(f: F) -> LayerFn<F> {
    LayerFn { f }
}

/// A layer made from a closure by [`layer_fn`].
#[derive(Clone, Copy)]
pub struct LayerFn<F> {
    f: F,
}

impl<F, S, Out> Layer<S> for LayerFn<F>
where
    F: Fn(S) -> Out,
{
    type Service = Out;

    fn layer(&self, inner: S) -> Out {
        (self.f)(inner)
    }
}

impl<F> fmt::Debug for LayerFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LayerFn")
            .field("f", &format_args!("{}", std::any::type_name::<F>()))
            .finish()
    }
}
