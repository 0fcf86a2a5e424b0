//! The `Service` abstraction of the rt-stack workspace.
//!
//! A [`Service`] is an asynchronous function from a request to a response, with readiness
//! for backpressure (`poll_ready` then `call`), as in `tower-service`. It adds
//! [`Service::disarm`], which releases readiness a caller will not use, so a reservation
//! taken in `poll_ready` can no longer leak (tower #408, #412, #626).
//!
//! Middleware is a [`Layer`]: it wraps a service in another. [`ServiceBuilder`] stacks
//! layers, the first added outermost; [`ServiceExt`] adds readiness helpers and
//! combinators; [`BoxService`] and friends erase the type of a stack.
//!
//! No unsafe code. One required dependency, `pin-project-lite` (a declarative macro, no
//! runtime code), so that combinator futures (`map_response`, `map_err`, `then`,
//! `and_then`, `oneshot`, `Either`) poll the inner future in place: boxing it cost one
//! allocation per request per combinator. Optional: `futures-core` (feature `stream`, on by
//! default) for `ServiceExt::call_all`, and `tower-service` + `tower-layer` (feature
//! `tower`) for `compat`, adapters to and from tower's `Service` and `Layer`.
//!
//! # Example
//!
//! ```
//! use svc_trait::{service_fn, Service, ServiceExt};
//!
//! # futures::executor::block_on(async {
//! let mut svc = service_fn(|x: u32| async move { Ok::<_, ()>(x * 2) });
//!
//! // Wait for readiness, then call; or hold readiness in a guard that disarms on drop.
//! assert_eq!(svc.ready().await?.call(2).await?, 4);
//! let reserved = svc.reserve().await?;
//! assert_eq!(reserved.call(3).await?, 6);
//! # Ok::<_, ()>(()) }).unwrap();
//! ```
//!
//! Stacking layers:
//!
//! ```
//! use svc_trait::{ServiceBuilder, ServiceExt};
//!
//! let svc = ServiceBuilder::new()
//!     .map_request(|s: &str| s.trim().to_string()) // outermost: runs first
//!     .map_response(|n: usize| n * 2)
//!     .service_fn(|s: String| async move { Ok::<_, ()>(s.len()) });
//! assert_eq!(futures::executor::block_on(svc.oneshot("  abc ")), Ok(6));
//! ```
#![forbid(unsafe_code)]

mod boxed;
mod builder;
#[cfg(feature = "tower")]
pub mod compat;
mod either;
mod ext;
mod layer;
mod service;
mod service_fn;

pub use boxed::{BoxCloneService, BoxCloneSyncService, BoxError, BoxFuture, BoxService, SyncBoxService};
pub use builder::ServiceBuilder;
pub use either::{Either, EitherFuture};
pub use ext::{
    AndThen, AndThenFuture, AndThenLayer, MapErr, MapErrFuture, MapErrLayer, MapRequest, MapRequestLayer, MapResponse,
    MapResponseFuture, MapResponseLayer, Oneshot, Ready, ReadyOneshot, Reserve, Reserved, ServiceExt, Then, ThenFuture,
    ThenLayer,
};
#[cfg(feature = "stream")]
pub use ext::{CallAll, CallAllUnordered};
pub use layer::{layer_fn, Identity, Layer, LayerFn, Stack};
pub use service::Service;
pub use service_fn::{service_fn, ServiceFn};
