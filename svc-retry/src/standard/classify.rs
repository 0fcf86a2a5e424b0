//! [`Classify`]: which results are worth another attempt.

use std::error::Error;
use std::io;

/// Tells the [`Standard`](super::Standard) policy whether a result is worth retrying.
///
/// Implemented for closures `Fn(&Result<Res, E>) -> bool` and, with the `http` feature,
/// by `HttpClassifier` for `http::Response`s.
///
/// # Examples
///
/// ```
/// use svc_retry::standard::Classify;
///
/// let retry_errors = |r: &Result<u16, String>| r.is_err();
/// assert!(retry_errors.is_retryable(&Err("reset".to_string())));
/// assert!(!retry_errors.is_retryable(&Ok(200)));
/// ```
pub trait Classify<Res, E> {
    /// Returns true if `result` should be retried (if attempts and budget allow).
    fn is_retryable(&self, result: &Result<Res, E>) -> bool;
}

impl<F, Res, E> Classify<Res, E> for F
where
    F: Fn(&Result<Res, E>) -> bool,
{
    fn is_retryable(&self, result: &Result<Res, E>) -> bool {
        self(result)
    }
}

/// Returns true if `err`, or an error in its [`source`](Error::source) chain, is an
/// [`io::Error`] saying the connection failed: refused, reset, aborted, not connected,
/// broken pipe, or closed early (`UnexpectedEof`, the race of a request sent on a
/// keep-alive connection the server was closing).
///
/// Timeouts are not connection errors: retrying them feeds an overloaded server.
///
/// # Examples
///
/// ```
/// use std::io;
/// use svc_retry::standard::is_connection_error;
///
/// assert!(is_connection_error(&io::Error::from(io::ErrorKind::ConnectionReset)));
/// assert!(!is_connection_error(&io::Error::from(io::ErrorKind::TimedOut)));
/// ```
pub fn is_connection_error(err: &(dyn Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            use io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionRefused | ConnectionReset | ConnectionAborted | NotConnected | BrokenPipe | UnexpectedEof
            ) {
                return true;
            }
        }
        next = err.source();
    }
    false
}
