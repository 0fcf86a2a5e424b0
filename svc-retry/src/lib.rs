//! Retry middleware for `svc-trait` services: a [`Retry`] service driven by a [`Policy`],
//! a Finagle-style retry [`Budget`], [`ExponentialBackoff`] with jitter on `rt-core`'s
//! timer, and a ready-made [`Standard`](standard::Standard) policy.
//!
//! A proxy retries so that one bad endpoint or one dropped connection does not reach the
//! user; it must never turn a brownout into a retry storm. Three things keep retries in
//! check here:
//!
//! * **A budget.** Every original request deposits, every retry withdraws; deposits expire
//!   after a time-to-live. Retries are limited to a ratio of recent traffic (20 % by
//!   default) plus a small reserve. Withdrawal is one atomic check-and-subtract, so it is
//!   exact under any concurrency.
//! * **Fail fast.** A retry is sent only if the inner service is ready at once; otherwise
//!   the retry is abandoned and the original failure returned. Retries never queue behind
//!   an overloaded service.
//! * **A guard.** Only requests that are safe to repeat, and small enough to keep a copy
//!   of, are retried.
//!
//! # Tutorial
//!
//! Wrap a service with [`RetryLayer`] and a policy. The [`Standard`](standard::Standard)
//! policy is built from a classifier of retryable results, a guard that copies requests
//! safe to repeat, a maximum number of attempts, a budget and a backoff:
//!
//! ```
//! use std::sync::atomic::{AtomicU32, Ordering};
//! use std::sync::Arc;
//! use std::time::Duration;
//! use svc_retry::{standard::Standard, Budget, ExponentialBackoff, Jitter, RetryLayer};
//! use svc_trait::{service_fn, Service, ServiceBuilder, ServiceExt};
//!
//! # rt_sched::Runtime::new().unwrap().block_on(async {
//! // A service that fails twice, then answers.
//! let calls = Arc::new(AtomicU32::new(0));
//! let flaky = {
//!     let calls = calls.clone();
//!     service_fn(move |name: &'static str| {
//!         let n = calls.fetch_add(1, Ordering::SeqCst);
//!         async move { if n < 2 { Err("unavailable") } else { Ok(format!("hello, {name}")) } }
//!     })
//! };
//!
//! let policy = Standard::builder()
//!     .classify(|result: &Result<String, &str>| result.is_err()) // retry every error
//!     .guard(|req: &&'static str| Some(*req))                   // every request is safe to repeat
//!     .max_attempts(3)
//!     .budget(Budget::new(Duration::from_secs(10), 10, 0.2)?)
//!     .backoff(ExponentialBackoff::new(Duration::from_millis(1), Duration::from_millis(10), Jitter::Full)?)
//!     .build();
//! let layer = RetryLayer::new(policy);
//! let counters = layer.counters().clone();
//! let mut svc = ServiceBuilder::new().layer(layer).service(flaky);
//!
//! let greeting = svc.ready().await.unwrap().call("world").await;
//! assert_eq!(greeting.as_deref(), Ok("hello, world"));
//! assert_eq!((counters.requests(), counters.retries()), (1, 2));
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! For HTTP, `standard::Standard::http` (feature `http`, on by default)
//! retries `502`/`503`/`504` responses and connection errors of idempotent requests (or
//! requests carrying the `standard::Retryable` extension) whose bodies are at
//! most 64 KiB.
//!
//! Write your own [`Policy`] for anything else; its shape is tower 0.5's.
//!
//! # Errors
//!
//! `Retry` adds no error type: its errors are the inner service's, unchanged (the last
//! attempt's error, or the failure whose retry was refused or abandoned). Configuration
//! mistakes are errors at construction: [`InvalidBudget`], [`InvalidBackoff`].
//!
//! # Counters
//!
//! [`Retry::stats`] (or the shared [`Counters`] of a [`RetryLayer`]) reports requests,
//! retries sent, retries refused by the budget, and retries abandoned because the inner
//! service was not ready.
#![forbid(unsafe_code)]

mod backoff;
mod budget;
mod builder;
mod counters;
mod error;
pub mod future;
mod layer;
mod policy;
mod service;
pub mod standard;

pub use backoff::{Delay, ExponentialBackoff, Jitter};
pub use budget::Budget;
pub use builder::ServiceBuilderExt;
pub use counters::{Counters, Stats};
pub use error::{InvalidBackoff, InvalidBudget};
pub use layer::RetryLayer;
pub use policy::Policy;
pub use service::Retry;
