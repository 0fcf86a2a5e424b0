//! [`SpawnReadyLayer`]: wraps services in [`SpawnReady`].

use svc_trait::Layer;

use super::SpawnReady;

/// Wraps services in a [`SpawnReady`].
///
/// # Examples
///
/// ```
/// use svc_layers::spawn_ready::SpawnReadyLayer;
/// use svc_trait::{service_fn, ServiceBuilder, ServiceExt};
///
/// # let rt = rt_sched::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let svc = ServiceBuilder::new()
///     .layer(SpawnReadyLayer::new())
///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
/// assert_eq!(svc.oneshot(5).await.unwrap(), 5);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SpawnReadyLayer {
    _priv: (),
}

impl SpawnReadyLayer {
    /// A spawn-ready layer.
    pub const fn new() -> Self {
        SpawnReadyLayer { _priv: () }
    }
}

impl<S> Layer<S> for SpawnReadyLayer {
    type Service = SpawnReady<S>;

    fn layer(&self, inner: S) -> SpawnReady<S> {
        SpawnReady::new(inner)
    }
}
