//! [`Error`]: what a mock's `poll_ready` or response future fails with.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

pub use svc_trait::BoxError;

/// The error of a [`Mock`](crate::Mock) service.
///
/// It is one of three conditions, told apart by predicates:
///
/// - [`is_closed`](Error::is_closed): the [`Handle`](crate::Handle) was dropped, so no one
///   will ever answer;
/// - [`is_dropped`](Error::is_dropped): the [`SendResponse`](crate::SendResponse) of this
///   request was dropped without an answer;
/// - [`is_injected`](Error::is_injected): the test injected an error, with
///   [`Handle::send_error`](crate::Handle::send_error) (readiness) or
///   [`SendResponse::send_error`](crate::SendResponse::send_error) (one response). The
///   injected error is the [`source`](StdError::source) and can be downcast through
///   [`get_ref`](Error::get_ref).
///
/// It is `Clone` (an injected readiness error is returned to every clone of the mock) and
/// `Send + Sync + 'static`, so it composes with typed middleware errors.
#[derive(Clone)]
pub struct Error {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    Closed,
    Dropped,
    Injected(Arc<dyn StdError + Send + Sync>),
}

impl Error {
    pub(crate) fn closed() -> Error {
        Error { kind: Kind::Closed }
    }

    pub(crate) fn dropped() -> Error {
        Error { kind: Kind::Dropped }
    }

    pub(crate) fn injected(e: BoxError) -> Error {
        Error {
            kind: Kind::Injected(Arc::from(e)),
        }
    }

    /// Returns true if the handle was dropped.
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed)
    }

    /// Returns true if the request's responder was dropped without answering.
    pub fn is_dropped(&self) -> bool {
        matches!(self.kind, Kind::Dropped)
    }

    /// Returns true if the error was injected by the test.
    pub fn is_injected(&self) -> bool {
        matches!(self.kind, Kind::Injected(_))
    }

    /// Returns the injected error, if this is one.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::ServiceExt;
    ///
    /// # futures::executor::block_on(async {
    /// let (mut svc, handle) = svc_mock::pair::<(), ()>();
    /// handle.send_error("no capacity");
    /// let err = svc.ready().await.unwrap_err();
    /// assert_eq!(err.get_ref().unwrap().to_string(), "no capacity");
    /// # });
    /// ```
    pub fn get_ref(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        match &self.kind {
            Kind::Injected(e) => Some(&**e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Closed => f.write_str("mock handle dropped"),
            Kind::Dropped => f.write_str("mock response dropped without an answer"),
            Kind::Injected(e) => write!(f, "mock error: {e}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Closed => f.write_str("Error(Closed)"),
            Kind::Dropped => f.write_str("Error(Dropped)"),
            Kind::Injected(e) => f.debug_tuple("Error").field(e).finish(),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            Kind::Injected(e) => Some(&**e),
            _ => None,
        }
    }
}
