//! Fail fast instead of waiting: [`LoadShed`] and [`LoadShedLayer`].
//!
//! Backpressure makes callers wait in `poll_ready` until the service has capacity.
//! Sometimes waiting is worse than failing (a server that should answer "busy" at once,
//! a caller with a fallback). `LoadShed` turns "not ready" into an immediate error:
//! its `poll_ready` is always ready, and a request that arrives while the inner service
//! is not ready fails with [`Overloaded`] without reaching it.
//!
//! Put it **outside** the layer that limits capacity (a concurrency or rate limit), so
//! the limit's `Pending` is what gets shed.
//!
//! # Errors
//!
//! [`LoadShedError<E>`] is typed: [`is_overloaded`](LoadShedError::is_overloaded), or the
//! inner service's `E` (readiness errors pass through, as does the response's), with
//! [`into_box_error`](LoadShedError::into_box_error) for a `BoxError`.
//!
//! # Readiness
//!
//! The inner service is only called after it returned `Ready(Ok(()))`. `disarm` forwards
//! to the inner service when it was ready, so a reservation taken by an inner limit is
//! released when the caller walks away.
//!
//! # Examples
//!
//! ```
//! use std::task::{Context, Poll};
//! use svc_layers::load_shed::LoadShed;
//! use svc_trait::{Service, ServiceExt};
//!
//! /// A service that is never ready.
//! struct Busy;
//! impl Service<()> for Busy {
//!     type Response = ();
//!     type Error = std::convert::Infallible;
//!     type Future = std::future::Ready<Result<(), Self::Error>>;
//!     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
//!         Poll::Pending
//!     }
//!     fn call(&mut self, _: ()) -> Self::Future {
//!         unreachable!("never called without readiness")
//!     }
//! }
//!
//! # futures::executor::block_on(async {
//! let err = LoadShed::new(Busy).oneshot(()).await.unwrap_err();
//! assert!(err.is_overloaded());
//! # });
//! ```

mod error;
mod future;
mod layer;
mod service;

pub use self::error::{LoadShedError, Overloaded};
pub use self::future::ResponseFuture;
pub use self::layer::LoadShedLayer;
pub use self::service::LoadShed;
