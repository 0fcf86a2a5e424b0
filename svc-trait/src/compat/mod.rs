//! Adapters between this crate and tower (feature `tower`): services and layers, both
//! ways.
//!
//! | from | to | adapter |
//! |---|---|---|
//! | our [`Service`](crate::Service) | `tower_service::Service` | [`IntoTower`], [`ServiceExt::into_tower`](crate::ServiceExt::into_tower) |
//! | `tower_service::Service` | our [`Service`](crate::Service) | [`FromTower`], [`from_tower`] |
//! | our [`Layer`](crate::Layer) | `tower_layer::Layer` | [`IntoTowerLayer`] |
//! | `tower_layer::Layer` | our [`Layer`](crate::Layer) | [`FromTowerLayer`], [`ServiceBuilder::tower_layer`](crate::ServiceBuilder::tower_layer) |
//!
//! The response future passes through unchanged in both directions; the adapters add
//! nothing per request.
//!
//! # `disarm` across the boundary
//!
//! Tower's trait has no [`disarm`](crate::Service::disarm), so the reservation fix stops at
//! the boundary:
//!
//! - **Tower callers never disarm.** [`IntoTower`] forwards `poll_ready` and `call` and
//!   nothing else. A tower caller that sees `Ready(Ok)` and does not call keeps the
//!   reservation of the service inside until it calls or drops the `IntoTower`, exactly as
//!   with any tower service.
//! - **[`FromTower`]'s `disarm` is a no-op**: tower has no way to release a reservation
//!   taken by its `poll_ready` other than dropping the service. A reservation taken by a
//!   tower service (a `ConcurrencyLimit` permit, a `Buffer` slot) stays held until the next
//!   `call` or until the `FromTower` is dropped.
//!
//! So a stack that needs abandoned readiness released must keep the reserving middleware
//! on this crate's side of the boundary.
//!
//! # Examples
//!
//! A tower layer in our builder, and our service in tower's `ServiceExt::oneshot`:
//!
//! ```
//! use svc_trait::{ServiceBuilder, ServiceExt};
//!
//! # futures::executor::block_on(async {
//! let svc = ServiceBuilder::new()
//!     .map_response(|n: usize| n + 1)
//!     .tower_layer(tower::limit::ConcurrencyLimitLayer::new(2))
//!     .service_fn(|s: String| async move { Ok::<_, std::convert::Infallible>(s.len()) });
//! assert_eq!(svc.oneshot("abc".to_string()).await.unwrap(), 4);
//!
//! let tower_svc = svc_trait::service_fn(|x: u8| async move { Ok::<_, ()>(x) }).into_tower();
//! assert_eq!(tower::ServiceExt::oneshot(tower_svc, 5).await, Ok(5));
//! # });
//! ```

mod layer;
mod service;

pub use layer::{FromTowerLayer, IntoTowerLayer};
pub use service::{FromTower, IntoTower};

/// Wraps the tower service `service` so that it implements this crate's
/// [`Service`](crate::Service). Its [`disarm`](crate::Service::disarm) is a no-op (see the
/// [module docs](self)).
///
/// # Examples
///
/// ```
/// use svc_trait::{compat, ServiceExt};
///
/// let tower_svc = tower::service_fn(|x: u8| async move { Ok::<_, ()>(x * 3) });
/// let svc = compat::from_tower(tower_svc).map_response(|x| x + 1);
/// assert_eq!(futures::executor::block_on(svc.oneshot(2)), Ok(7));
/// ```
pub fn from_tower<S>(service: S) -> FromTower<S> {
    FromTower::new(service)
}
