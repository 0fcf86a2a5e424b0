//! A mock service pair for testing `svc-trait` middleware, like tower-test's `mock::pair`.
//!
//! [`pair`] returns a [`Mock`], a service, and a [`Handle`] that controls the mock's
//! readiness and answers its calls. Wrap the mock in the middleware under test, drive the
//! middleware from the test, and play the inner service through the handle:
//!
//! ```
//! use svc_trait::{Service, ServiceExt};
//!
//! # futures::executor::block_on(async {
//! let (mut svc, mut handle) = svc_mock::pair::<&str, usize>();
//!
//! // Readiness: one call allowed, then `poll_ready` stays pending.
//! handle.allow(1);
//! let response = svc.ready().await.unwrap().call("hello");
//! assert_eq!(handle.allowance(), 0);
//!
//! // The handle sees the request and answers it.
//! let (request, send) = handle.next_request().await.unwrap();
//! assert_eq!(request, "hello");
//! send.send_response(5);
//! assert_eq!(response.await.unwrap(), 5);
//! # });
//! ```
//!
//! # Reservations
//!
//! A `poll_ready` that returns `Ready(Ok(()))` takes one unit of the allowance and holds
//! it until the mock is called, [disarmed](svc_trait::Service::disarm) or dropped;
//! [`Handle::reserved`] counts what is held. That makes the mock a probe for the
//! reservation rule of `svc-trait`: middleware that forwards `disarm` gives the unit back,
//! middleware that leaks readiness leaves `reserved()` above zero and, with a small
//! allowance, starves other callers.
//!
//! # Errors
//!
//! Failures are one opaque [`Error`] type with predicates (`is_closed`, `is_dropped`,
//! `is_injected`); it implements `std::error::Error`, is `Clone`, `Send` and `Sync`, so
//! typed middleware errors can wrap it.
//!
//! The mock needs no runtime: it is built on `std::sync::Mutex` and wakers, so it works
//! under any executor.
#![forbid(unsafe_code)]

mod error;
mod handle;
mod mock;
mod response;
mod shared;

pub use error::{BoxError, Error};
pub use handle::{Handle, SendResponse};
pub use mock::Mock;
pub use response::ResponseFuture;

/// Creates a mock service and the handle that controls it.
///
/// The allowance starts unlimited: the mock is always ready until
/// [`Handle::allow`] says otherwise.
pub fn pair<Req, Resp>() -> (Mock<Req, Resp>, Handle<Req, Resp>) {
    let shared = shared::Shared::new();
    let mock = Mock::new(shared.clone());
    (mock, Handle::new(shared))
}
