//! [`LoadShedLayer`]: wraps services in [`LoadShed`].

use svc_trait::Layer;

use super::LoadShed;

/// Wraps services in a [`LoadShed`].
///
/// # Examples
///
/// ```
/// use svc_layers::load_shed::LoadShedLayer;
/// use svc_trait::{service_fn, ServiceBuilder, ServiceExt};
///
/// let svc = ServiceBuilder::new()
///     .layer(LoadShedLayer::new())
///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
/// assert_eq!(futures::executor::block_on(svc.oneshot(3)).unwrap(), 3);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadShedLayer {
    _priv: (),
}

impl LoadShedLayer {
    /// A load-shedding layer.
    pub const fn new() -> Self {
        LoadShedLayer { _priv: () }
    }
}

impl<S> Layer<S> for LoadShedLayer {
    type Service = LoadShed<S>;

    fn layer(&self, inner: S) -> LoadShed<S> {
        LoadShed::new(inner)
    }
}
