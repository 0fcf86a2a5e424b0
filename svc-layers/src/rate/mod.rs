//! Limit the rate of requests, with clones sharing one rate.
//!
//! [`RateLimit`] takes one token from a [`RateLimiter`] in `poll_ready` (the
//! reservation), waits on the runtime's timer when none is left, uses the token in
//! `call`, and refunds it in [`disarm`](svc_trait::Service::disarm) (or when the ready
//! service is dropped), so abandoned readiness wastes no rate.
//!
//! Unlike tower's `RateLimit` (tower #794), [`RateLimit`] is `Clone` and clones share one
//! rate: the limiter is a lock-free token bucket (GCRA on one atomic word) behind an
//! `Arc`, exact under any number of concurrent callers.
//!
//! # Semantics
//!
//! A [`Rate`] of `num` per `per` admits bursts of up to `num` and refills one token every
//! `per / num` (rounded up to a whole nanosecond, so the rate is never exceeded): over any
//! span of time `d`, at most `num + d * num / per` requests pass. See [`RateLimiter`].
//!
//! | built with | rate |
//! |---|---|
//! | [`RateLimit::new`] | its own; clones of that service share it |
//! | [`RateLimitLayer::new`] / [`RateLimitLayer::from_rate`] | one per service the layer builds |
//! | [`RateLimitLayer::shared`] | one for every service the layer (and its clones) builds |
//! | [`RateLimit::with_limiter`] / [`RateLimitLayer::with_limiter`] | the given limiter's |
//!
//! # Errors
//!
//! The rate limit adds no failure of its own: the inner error type passes through
//! unchanged. [`Rate::try_new`] reports an invalid rate as [`InvalidRate`];
//! [`Rate::new`] panics on one.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use svc_layers::rate::RateLimitLayer;
//! use svc_trait::{service_fn, Layer, Service, ServiceExt};
//!
//! # futures::executor::block_on(async {
//! let layer = RateLimitLayer::new(5, Duration::from_secs(1));
//! let mut svc = layer.layer(service_fn(|x: u32| async move { Ok::<_, ()>(x + 1) }));
//! assert_eq!(svc.ready().await?.call(1).await?, 2);
//! assert_eq!(svc.limiter().available(), 4);
//! # Ok::<_, ()>(()) }).unwrap();
//! ```

mod error;
mod layer;
mod limiter;
#[allow(clippy::module_inception)]
mod rate;
mod service;

pub use self::error::InvalidRate;
pub use self::layer::RateLimitLayer;
pub use self::limiter::RateLimiter;
pub use self::rate::Rate;
pub use self::service::RateLimit;
