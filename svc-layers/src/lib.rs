//! Everyday middleware for [`svc_trait`] services: timeouts, load shedding, readiness on
//! a task of its own, concurrency and rate limits.
//!
//! Each middleware is a [`Service`](svc_trait::Service) that wraps another, and a
//! [`Layer`](svc_trait::Layer) that builds it, in a module of its own:
//!
//! | module | service / layer | what it does |
//! |---|---|---|
//! | [`timeout`] | [`Timeout`](timeout::Timeout) / [`TimeoutLayer`](timeout::TimeoutLayer) | fails a request that takes too long; per-request override by closure or (feature `http`) request extension |
//! | [`load_shed`] | [`LoadShed`](load_shed::LoadShed) / [`LoadShedLayer`](load_shed::LoadShedLayer) | fails at once with `Overloaded` instead of waiting for readiness |
//! | [`spawn_ready`] | [`SpawnReady`](spawn_ready::SpawnReady) / [`SpawnReadyLayer`](spawn_ready::SpawnReadyLayer) | drives readiness on a spawned task |
//! | [`limit`] | concurrency limit | at most `n` requests in flight |
//! | [`rate`] | rate limit | at most `n` requests per period |
//!
//! [`ServiceBuilderExt`] adds them to [`ServiceBuilder`](svc_trait::ServiceBuilder) as
//! methods. Timers and background tasks run on `rt-core` / `rt-sched`: a `Timeout`
//! follows a paused test clock, and `SpawnReady` spawns on the current rt-sched runtime.
//!
//! # A stack
//!
//! The first layer added is the outermost: here a request is first checked by the load
//! shedder, then gets its deadline, then reaches the service.
//!
//! ```
//! use std::time::Duration;
//! use svc_layers::ServiceBuilderExt;
//! use svc_trait::{Service, ServiceBuilder, ServiceExt};
//!
//! # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
//! # rt.block_on(async {
//! let mut svc = ServiceBuilder::new()
//!     .load_shed()
//!     .timeout(Duration::from_millis(100))
//!     .service_fn(|ms: u64| async move {
//!         rt_core::time::sleep(Duration::from_millis(ms)).await;
//!         Ok::<_, std::io::Error>(ms)
//!     });
//!
//! assert_eq!(svc.ready().await?.call(10).await?, 10);
//!
//! // Too slow: the timeout's error, wrapped in the load shedder's, both typed.
//! let err = svc.ready().await?.call(500).await.unwrap_err();
//! assert!(!err.is_overloaded());
//! assert!(err.inner().unwrap().is_elapsed());
//! # Ok::<_, svc_layers::load_shed::LoadShedError<_>>(())
//! # }).unwrap();
//! ```
//!
//! # Typed errors
//!
//! A middleware that adds a failure of its own says so in its error type instead of
//! boxing everything: [`TimeoutError<E>`](timeout::TimeoutError) (elapsed),
//! [`LoadShedError<E>`](load_shed::LoadShedError) (overloaded),
//! [`SpawnReadyError<E>`](spawn_ready::SpawnReadyError) (background task cancelled).
//! Each is an opaque struct with predicates (`is_elapsed`, `is_overloaded`,
//! `is_cancelled`), keeps the inner service's `E` reachable (`inner`, `into_inner`,
//! `source`), and has a `BoxError` path:
//!
//! - `into_box_error()` flattens into a [`BoxError`](svc_trait::BoxError): the inner
//!   error as it is, or the middleware's condition (`Elapsed`, `Overloaded`, `Cancelled`),
//!   so `err.is::<Elapsed>()` works as with tower. It needs only `E: Into<BoxError>`,
//!   which includes `E = BoxError`: `.map_err(TimeoutError::into_box_error)`.
//! - When `E: std::error::Error + Send + Sync + 'static`, std's `From` impl boxes the
//!   whole typed error (`BoxError::from(err)`, or `?`).
//!
//! (A blanket `From<TimeoutError<E>> for BoxError` cannot be written: it would overlap
//! std's impl for every `Error + Send + Sync` type.) To get tower's flat errors from a
//! whole stack, map after each layer:
//!
//! ```
//! use std::time::Duration;
//! use svc_layers::load_shed::LoadShedError;
//! use svc_layers::timeout::{Elapsed, TimeoutError};
//! use svc_layers::ServiceBuilderExt;
//! use svc_trait::{BoxError, ServiceBuilder, ServiceExt};
//!
//! # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
//! # rt.block_on(async {
//! let svc = ServiceBuilder::new()
//!     .map_err(LoadShedError::into_box_error)
//!     .load_shed()
//!     .map_err(TimeoutError::into_box_error)
//!     .timeout(Duration::from_millis(100))
//!     .service_fn(|()| async {
//!         rt_core::time::sleep(Duration::from_secs(1)).await;
//!         Ok::<_, BoxError>(())
//!     });
//! let err: BoxError = svc.oneshot(()).await.unwrap_err();
//! assert!(err.is::<Elapsed>());
//! # });
//! ```
//!
//! # Readiness and `disarm`
//!
//! `svc-trait` fixes tower's reservation problem with [`Service::disarm`](svc_trait::Service::disarm):
//! a caller that saw `Ready(Ok(()))` and will not call must disarm (or drop) the service.
//! Every middleware here forwards `disarm` to the service it wraps, and those that
//! reserve capacity in `poll_ready` (a concurrency permit, a rate token) release it in
//! `disarm`. So readiness obtained through
//! [`ServiceExt::reserve`](svc_trait::ServiceExt::reserve) and then abandoned (the
//! `Reserved` guard dropped) never starves another caller.
#![forbid(unsafe_code)]

// --- timeout, load shedding, spawn-ready, builder extension (owner: wip-layers-a) ---
mod builder;
pub mod load_shed;
pub mod spawn_ready;
pub mod timeout;

pub use builder::ServiceBuilderExt;

// --- concurrency limit, rate limit (owner: wip-layers-b) ---
pub mod limit;
pub mod rate;
pub use limit::{ConcurrencyLimit, ConcurrencyLimitLayer};
pub use rate::{Rate, RateLimit, RateLimitLayer};
