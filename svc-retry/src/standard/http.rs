//! HTTP support (feature `http`): [`HttpClassifier`], [`Retryable`], and [`Replay`] for
//! `http::Request`.

use std::error::Error;

use super::classify::{is_connection_error, Classify};
use super::replay::{Replay, ReplayBody};

/// Classifies HTTP results: retries `502 Bad Gateway`, `503 Service Unavailable`,
/// `504 Gateway Timeout` and [connection errors](super::is_connection_error); never a 4xx,
/// another status, or another error.
///
/// The error type must implement `std::error::Error`; for a boxed error (`BoxError`), use
/// a closure that calls [`is_connection_error`](super::is_connection_error) on `&*err`.
///
/// # Examples
///
/// ```
/// use std::io;
/// use svc_retry::standard::{Classify, HttpClassifier};
///
/// let status = |code: u16| -> Result<http::Response<()>, io::Error> {
///     Ok(http::Response::builder().status(code).body(()).unwrap())
/// };
/// assert!(HttpClassifier.is_retryable(&status(503)));
/// assert!(!HttpClassifier.is_retryable(&status(404)));
/// assert!(!HttpClassifier.is_retryable(&status(500)));
/// assert!(HttpClassifier.is_retryable(&Err::<http::Response<()>, _>(io::Error::from(io::ErrorKind::ConnectionRefused))));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HttpClassifier;

impl<B, E> Classify<http::Response<B>, E> for HttpClassifier
where
    E: Error + 'static,
{
    fn is_retryable(&self, result: &Result<http::Response<B>, E>) -> bool {
        match result {
            Ok(response) => matches!(response.status().as_u16(), 502..=504),
            Err(err) => is_connection_error(err),
        }
    }
}

/// A request extension that marks an `http::Request` as safe to repeat although its
/// method is not idempotent (a `POST` with an idempotency key, say).
///
/// # Examples
///
/// ```
/// use svc_retry::standard::{Replay, Retryable};
///
/// let mut req = http::Request::post("/orders").body(Vec::new()).unwrap();
/// assert!(!req.is_repeatable());
/// req.extensions_mut().insert(Retryable);
/// assert!(req.is_repeatable());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retryable;

impl<B: ReplayBody> Replay for http::Request<B> {
    /// Idempotent methods (`GET`, `HEAD`, `OPTIONS`, `TRACE`, `PUT`, `DELETE`), or any
    /// request carrying [`Retryable`].
    fn is_repeatable(&self) -> bool {
        self.method().is_idempotent() || self.extensions().get::<Retryable>().is_some()
    }

    fn body_size(&self) -> Option<u64> {
        self.body().size()
    }

    /// Copies method, URI, version, headers, extensions and body.
    fn replay(&self) -> Option<Self> {
        let mut copy = http::Request::new(self.body().replay()?);
        *copy.method_mut() = self.method().clone();
        *copy.uri_mut() = self.uri().clone();
        *copy.version_mut() = self.version();
        *copy.headers_mut() = self.headers().clone();
        *copy.extensions_mut() = self.extensions().clone();
        Some(copy)
    }
}
