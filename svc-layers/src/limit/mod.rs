//! Limit the number of requests in flight at once.
//!
//! [`ConcurrencyLimit`] admits a request only while it holds one permit of a
//! [`Semaphore`](rt_core::sync::Semaphore): `poll_ready` acquires the permit (that is the
//! reservation), `call` moves it into the [`ResponseFuture`], and the permit goes back
//! when the response future completes or is dropped. A caller that reserved and then
//! changed its mind calls [`Service::disarm`](svc_trait::Service::disarm) (or drops the
//! [`Reserved`](svc_trait::Reserved) guard), which releases the permit at once, so
//! abandoned readiness never starves other callers (tower issues #408, #412, #626).
//!
//! # Who shares a limit
//!
//! | built with | limit |
//! |---|---|
//! | [`ConcurrencyLimit::new`] | its own; clones of that service share it |
//! | [`ConcurrencyLimitLayer::new`] | one per service the layer builds |
//! | [`ConcurrencyLimitLayer::shared`] | one for every service the layer (and its clones) builds |
//! | [`ConcurrencyLimit::with_semaphore`] / [`ConcurrencyLimitLayer::with_semaphore`] | the given semaphore's |
//!
//! A clone of a `ConcurrencyLimit` is the same logical service, so it counts against the
//! same limit; a fresh clone holds no permit (readiness belongs to the value, not the type).
//!
//! # Errors
//!
//! The limit adds no failure of its own: the inner service's error type passes through
//! unchanged. (A semaphore handed in with `with_semaphore` must not be closed; see
//! [`ConcurrencyLimit::with_semaphore`].)
//!
//! # Examples
//!
//! ```
//! use svc_layers::limit::ConcurrencyLimitLayer;
//! use svc_trait::{service_fn, Layer, Service, ServiceExt};
//!
//! # futures::executor::block_on(async {
//! let layer = ConcurrencyLimitLayer::new(2);
//! let mut svc = layer.layer(service_fn(|x: u32| async move { Ok::<_, ()>(x * 2) }));
//! assert_eq!(svc.ready().await?.call(21).await?, 42);
//! assert_eq!(svc.available(), 2); // the permit went back with the response
//! # Ok::<_, ()>(()) }).unwrap();
//! ```

mod future;
mod layer;
mod service;

pub use self::future::ResponseFuture;
pub use self::layer::ConcurrencyLimitLayer;
pub use self::service::ConcurrencyLimit;
