//! [`Identity`]: the layer that does nothing.

use super::Layer;

/// A layer that returns the service unchanged.
///
/// # Examples
///
/// ```
/// use svc_trait::{Identity, Layer};
///
/// assert_eq!(Identity::new().layer(5), 5);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Identity {
    _priv: (),
}

impl Identity {
    /// Returns the identity layer.
    pub const fn new() -> Self {
        Identity { _priv: () }
    }
}

impl<S> Layer<S> for Identity {
    type Service = S;

    fn layer(&self, inner: S) -> S {
        inner
    }
}
