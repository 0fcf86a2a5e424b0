//! Fail requests that take too long: [`Timeout`] and [`TimeoutLayer`].
//!
//! Each request gets a deadline when it is passed to `call`; if the response is not
//! there by then, the response future fails with a [`TimeoutError`] whose
//! [`is_elapsed`](TimeoutError::is_elapsed) is `true`, and the inner response future is
//! dropped (cancelling the work, for services that cancel on drop).
//!
//! # Choosing the timeout
//!
//! The timeout of a request comes from a [`TimeoutPolicy`]:
//!
//! | policy | built by | timeout |
//! |---|---|---|
//! | [`Duration`](std::time::Duration) | [`Timeout::new`], [`TimeoutLayer::new`] | the same for all |
//! | [`Override`] | [`Timeout::with_override`], [`TimeoutLayer::with_override`] | a closure's `Some(d)`, else the default |
//! | `Fn(&Req) -> Option<Duration>` | [`Timeout::with_policy`] | the closure's; `None` is no timeout |
//! | `ExtensionOr` (feature `http`) | `Timeout::with_extension`, `TimeoutLayer::with_extension` | the `RequestTimeout` extension, else the default |
//!
//! # Timers
//!
//! The deadline runs on `rt_core::time`, so it follows a paused test clock. `call` only
//! reads the clock; the response future polls the inner future **first** and registers a
//! timer only when it has to wait, so a service that answers at once costs no timer.
//! When the runtime shuts its timer down, pending timers fire: a request still waiting
//! then fails as elapsed rather than hanging.
//!
//! # Errors
//!
//! [`TimeoutError<E>`] is typed: it is either [`Elapsed`] or the inner service's `E`
//! (from `poll_ready` or from the response), reachable with
//! [`inner`](TimeoutError::inner) / [`into_inner`](TimeoutError::into_inner) and through
//! `source()`. For a `BoxError`, use [`TimeoutError::into_box_error`] (flattened: the
//! inner error or an `Elapsed`), or `BoxError::from` when `E` is an `Error + Send + Sync`.
//!
//! # Readiness
//!
//! `poll_ready` and `disarm` forward to the inner service; `Timeout` reserves nothing
//! itself.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use svc_layers::timeout::Timeout;
//! use svc_trait::{service_fn, ServiceExt};
//!
//! # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
//! # rt.block_on(async {
//! let slow = service_fn(|()| async {
//!     rt_core::time::sleep(Duration::from_secs(60)).await;
//!     Ok::<_, std::io::Error>(())
//! });
//! let err = Timeout::new(slow, Duration::from_secs(1)).oneshot(()).await.unwrap_err();
//! assert!(err.is_elapsed());
//! # });
//! ```

mod error;
#[cfg(feature = "http")]
mod extension;
mod future;
mod layer;
mod policy;
mod service;

pub use self::error::{Elapsed, TimeoutError};
#[cfg(feature = "http")]
pub use self::extension::{ExtensionOr, RequestTimeout};
pub use self::future::ResponseFuture;
pub use self::layer::TimeoutLayer;
pub use self::policy::{Override, TimeoutPolicy};
pub use self::service::Timeout;
