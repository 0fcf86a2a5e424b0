//! [`Stack`]: two layers, one inside the other.

use super::Layer;

/// Two layers composed: `outer` wraps the service that `inner` produced.
///
/// # Examples
///
/// ```
/// use svc_trait::{layer_fn, Layer, Stack};
///
/// let inner = layer_fn(|s: String| s + " inner");
/// let outer = layer_fn(|s: String| s + " outer");
/// let both = Stack::new(inner, outer);
/// assert_eq!(both.layer("svc".to_string()), "svc inner outer");
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Stack<Inner, Outer> {
    inner: Inner,
    outer: Outer,
}

impl<Inner, Outer> Stack<Inner, Outer> {
    /// Composes `inner` (applied first, closest to the service) and `outer`.
    pub const fn new(inner: Inner, outer: Outer) -> Self {
        Stack { inner, outer }
    }

    /// Returns the inner layer.
    pub fn inner(&self) -> &Inner {
        &self.inner
    }

    /// Returns the outer layer.
    pub fn outer(&self) -> &Outer {
        &self.outer
    }
}

impl<S, Inner, Outer> Layer<S> for Stack<Inner, Outer>
where
    Inner: Layer<S>,
    Outer: Layer<Inner::Service>,
{
    type Service = Outer::Service;

    fn layer(&self, service: S) -> Outer::Service {
        self.outer.layer(self.inner.layer(service))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer_fn;

    #[test]
    fn inner_is_applied_first() {
        let stack = Stack::new(
            layer_fn(|v: Vec<u8>| [v, vec![1]].concat()),
            layer_fn(|v: Vec<u8>| [v, vec![2]].concat()),
        );
        assert_eq!(stack.layer(vec![0]), vec![0, 1, 2]);
    }
}
