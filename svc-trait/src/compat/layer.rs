//! [`FromTowerLayer`] and [`IntoTowerLayer`]: a layer of one kind used as the other.

use super::{FromTower, IntoTower};

/// A `tower_layer::Layer` used as our [`Layer`](crate::Layer) (feature `tower`), for
/// instance in a [`ServiceBuilder`](crate::ServiceBuilder) through
/// [`tower_layer`](crate::ServiceBuilder::tower_layer).
///
/// It wraps our service `S` in [`IntoTower`], applies the tower layer, and wraps the
/// result in [`FromTower`]. `disarm` from above stops at the `FromTower` (a no-op, see the
/// [module docs](super)).
///
/// # Examples
///
/// ```
/// use svc_trait::{compat::FromTowerLayer, service_fn, Layer, ServiceExt};
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let layer = FromTowerLayer::new(tower::timeout::TimeoutLayer::new(std::time::Duration::from_secs(1)));
/// let svc = layer.layer(service_fn(|x: u8| async move { Ok::<_, tower::BoxError>(x) }));
/// assert_eq!(svc.oneshot(9).await.unwrap(), 9);
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct FromTowerLayer<L> {
    layer: L,
}

impl<L> FromTowerLayer<L> {
    /// Wraps the tower layer `layer`.
    pub fn new(layer: L) -> Self {
        FromTowerLayer { layer }
    }

    /// Returns the tower layer.
    pub fn into_inner(self) -> L {
        self.layer
    }
}

impl<S, L> crate::Layer<S> for FromTowerLayer<L>
where
    L: tower_layer::Layer<IntoTower<S>>,
{
    type Service = FromTower<L::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        FromTower::new(self.layer.layer(IntoTower::new(inner)))
    }
}

/// Our [`Layer`](crate::Layer) used as a `tower_layer::Layer` (feature `tower`), for
/// instance in `tower::ServiceBuilder`.
///
/// It wraps the tower service `S` in [`FromTower`], applies our layer, and wraps the
/// result in [`IntoTower`]. Our layer may call `disarm` on the `FromTower` below it, which
/// is a no-op (see the [module docs](super)).
///
/// # Examples
///
/// ```
/// use svc_trait::{compat::IntoTowerLayer, MapResponseLayer};
/// use tower::ServiceExt;
///
/// let svc = tower::ServiceBuilder::new()
///     .layer(IntoTowerLayer::new(MapResponseLayer::new(|x: u8| x * 2)))
///     .service_fn(|x: u8| async move { Ok::<_, ()>(x) });
/// assert_eq!(futures::executor::block_on(svc.oneshot(21)), Ok(42));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct IntoTowerLayer<L> {
    layer: L,
}

impl<L> IntoTowerLayer<L> {
    /// Wraps our layer `layer`.
    pub fn new(layer: L) -> Self {
        IntoTowerLayer { layer }
    }

    /// Returns our layer.
    pub fn into_inner(self) -> L {
        self.layer
    }
}

impl<S, L> tower_layer::Layer<S> for IntoTowerLayer<L>
where
    L: crate::Layer<FromTower<S>>,
{
    type Service = IntoTower<L::Service>;

    fn layer(&self, inner: S) -> Self::Service {
        IntoTower::new(self.layer.layer(FromTower::new(inner)))
    }
}
