//! Errors of a [`Buffer`](crate::Buffer): the worker is gone ([`Closed`]), the inner
//! service failed ([`ServiceError`]), and the umbrella [`BufferError`] a buffer's
//! `poll_ready` and response futures return, which also carries the inner service's
//! per-request errors.

use std::any::Any;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// The buffer's worker is gone without an error from the inner service: it was dropped
/// (the runtime shut down, or the worker future of [`Buffer::pair`](crate::Buffer::pair)
/// was never polled or dropped), or it panicked.
///
/// # Examples
///
/// ```
/// use svc_buffer::error::Closed;
///
/// assert_eq!(Closed::new().to_string(), "buffer's worker is gone");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Closed(());

impl Closed {
    /// A `Closed` error.
    ///
    /// # Examples
    ///
    /// ```
    /// let _ = svc_buffer::error::Closed::new();
    /// ```
    pub const fn new() -> Closed {
        Closed(())
    }
}

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("buffer's worker is gone")
    }
}

impl StdError for Closed {}

/// The inner service failed its `poll_ready` with this error, so the buffer stopped: every
/// request queued at that moment and every later caller gets a clone of it.
///
/// The inner error is shared (behind an [`Arc`]): [`get_ref`](ServiceError::get_ref)
/// borrows it, [`source`](StdError::source) returns it.
///
/// # Examples
///
/// ```
/// use std::error::Error;
/// use std::fmt;
/// use svc_buffer::error::ServiceError;
///
/// #[derive(Debug)]
/// struct Down;
/// impl fmt::Display for Down {
///     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str("down") }
/// }
/// impl Error for Down {}
///
/// let error = ServiceError::new(Down);
/// assert_eq!(error.to_string(), "buffered service failed");
/// assert_eq!(error.source().unwrap().to_string(), "down");
/// ```
pub struct ServiceError<E> {
    inner: Arc<E>,
}

impl<E> ServiceError<E> {
    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = svc_buffer::error::ServiceError::new("down");
    /// assert_eq!(*error.get_ref(), "down");
    /// ```
    pub fn new(inner: E) -> ServiceError<E> {
        ServiceError { inner: Arc::new(inner) }
    }

    /// The inner service's error.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = svc_buffer::error::ServiceError::new(7);
    /// assert_eq!(*error.get_ref(), 7);
    /// ```
    pub fn get_ref(&self) -> &E {
        &self.inner
    }

    /// The inner service's error, shared with every other caller that got it.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = svc_buffer::error::ServiceError::new(7);
    /// let shared = error.clone().into_shared();
    /// assert!(std::ptr::eq(&*shared, error.get_ref()));
    /// ```
    pub fn into_shared(self) -> Arc<E> {
        self.inner
    }
}

impl<E: Send + Sync + 'static> ServiceError<E> {
    /// Recovers the typed error from the worker's type-erased copy.
    pub(crate) fn from_any(any: Arc<dyn Any + Send + Sync>) -> ServiceError<E> {
        let inner = any
            .downcast::<E>()
            .unwrap_or_else(|_| unreachable!("a buffer's failure always holds its service's error type"));
        ServiceError { inner }
    }
}

impl<E> Clone for ServiceError<E> {
    fn clone(&self) -> ServiceError<E> {
        ServiceError {
            inner: self.inner.clone(),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for ServiceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServiceError").field(&self.inner).finish()
    }
}

impl<E> fmt::Display for ServiceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("buffered service failed")
    }
}

impl<E: StdError + 'static> StdError for ServiceError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.inner)
    }
}

/// What went wrong with a request through a [`Buffer`](crate::Buffer), or with its
/// readiness.
///
/// One of three conditions, told apart by the predicates:
///
/// * [`is_response_error`](BufferError::is_response_error): the inner service answered
///   this request with an error (the error of its response future). Only this request
///   failed; the buffer goes on.
/// * [`is_service_error`](BufferError::is_service_error): the inner service failed its
///   `poll_ready`; the buffer has stopped and every caller gets this error
///   ([`ServiceError`]).
/// * [`is_closed`](BufferError::is_closed): the worker is gone without an error
///   ([`Closed`]).
///
/// `Display` and `source` are those of the condition: the inner error's own for a
/// response error, [`ServiceError`]'s or [`Closed`]'s otherwise (transparent, like a
/// `#[error(transparent)]` enum).
///
/// # Examples
///
/// ```
/// use svc_buffer::error::{BufferError, Closed};
///
/// let error: BufferError<std::io::Error> = Closed::new().into();
/// assert!(error.is_closed());
/// assert!(error.inner().is_none());
/// ```
pub struct BufferError<E> {
    kind: Kind<E>,
}

enum Kind<E> {
    Response(E),
    Service(ServiceError<E>),
    Closed(Closed),
}

impl<E> BufferError<E> {
    /// The inner service answered the request with `error`.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = svc_buffer::error::BufferError::response("timed out");
    /// assert!(error.is_response_error());
    /// ```
    pub fn response(error: E) -> BufferError<E> {
        BufferError {
            kind: Kind::Response(error),
        }
    }

    /// Whether the worker is gone without an error from the inner service.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::{BufferError, Closed};
    /// assert!(BufferError::<()>::from(Closed::new()).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed(_))
    }

    /// Whether the inner service failed its readiness, which stopped the buffer.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::{BufferError, ServiceError};
    /// assert!(BufferError::from(ServiceError::new("down")).is_service_error());
    /// ```
    pub fn is_service_error(&self) -> bool {
        matches!(self.kind, Kind::Service(_))
    }

    /// Whether the inner service answered this request with an error.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::BufferError;
    /// assert!(!BufferError::response(1).is_closed());
    /// ```
    pub fn is_response_error(&self) -> bool {
        matches!(self.kind, Kind::Response(_))
    }

    /// The inner service's error: its answer to this request, or its readiness failure.
    /// `None` for [`Closed`].
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::{BufferError, ServiceError};
    /// assert_eq!(BufferError::response(1).inner(), Some(&1));
    /// assert_eq!(BufferError::from(ServiceError::new(2)).inner(), Some(&2));
    /// ```
    pub fn inner(&self) -> Option<&E> {
        match &self.kind {
            Kind::Response(e) => Some(e),
            Kind::Service(e) => Some(e.get_ref()),
            Kind::Closed(_) => None,
        }
    }

    /// The [`ServiceError`], when the inner service failed its readiness.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::{BufferError, ServiceError};
    /// let error = BufferError::from(ServiceError::new("down"));
    /// assert_eq!(*error.service_error().unwrap().get_ref(), "down");
    /// ```
    pub fn service_error(&self) -> Option<&ServiceError<E>> {
        match &self.kind {
            Kind::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The inner service's answer to this request, or `self` back for the other
    /// conditions.
    ///
    /// # Errors
    ///
    /// `Err(self)` when this is not a response error.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_buffer::error::{BufferError, Closed};
    /// assert_eq!(BufferError::response(1).into_response_error().ok(), Some(1));
    /// assert!(BufferError::<u8>::from(Closed::new()).into_response_error().is_err());
    /// ```
    pub fn into_response_error(self) -> Result<E, BufferError<E>> {
        match self.kind {
            Kind::Response(e) => Ok(e),
            kind => Err(BufferError { kind }),
        }
    }
}

impl<E> From<Closed> for BufferError<E> {
    fn from(closed: Closed) -> BufferError<E> {
        BufferError {
            kind: Kind::Closed(closed),
        }
    }
}

impl<E> From<ServiceError<E>> for BufferError<E> {
    fn from(error: ServiceError<E>) -> BufferError<E> {
        BufferError {
            kind: Kind::Service(error),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for BufferError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Response(e) => f.debug_tuple("Response").field(e).finish(),
            Kind::Service(e) => fmt::Debug::fmt(e, f),
            Kind::Closed(e) => fmt::Debug::fmt(e, f),
        }
    }
}

impl<E: fmt::Display> fmt::Display for BufferError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Response(e) => fmt::Display::fmt(e, f),
            Kind::Service(e) => fmt::Display::fmt(e, f),
            Kind::Closed(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: StdError + 'static> StdError for BufferError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            Kind::Response(e) => e.source(),
            Kind::Service(e) => e.source(),
            Kind::Closed(e) => e.source(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_keeps_its_source() {
        let io = std::io::Error::other("connection reset");
        let error = BufferError::from(ServiceError::new(io));
        assert!(error.is_service_error() && !error.is_closed() && !error.is_response_error());
        assert_eq!(error.to_string(), "buffered service failed");
        assert_eq!(error.source().unwrap().to_string(), "connection reset");
        assert_eq!(error.inner().unwrap().kind(), std::io::ErrorKind::Other);
    }

    #[test]
    fn response_errors_are_transparent() {
        let io = std::io::Error::other("bad request");
        let error = BufferError::response(io);
        assert_eq!(error.to_string(), "bad request");
        assert!(error.service_error().is_none());
        assert_eq!(error.into_response_error().unwrap().to_string(), "bad request");
    }

    #[test]
    fn erased_copies_round_trip() {
        let any: Arc<dyn Any + Send + Sync> = Arc::new(String::from("down"));
        let back = ServiceError::<String>::from_any(any.clone());
        assert_eq!(back.get_ref(), "down");
        assert_eq!(Arc::strong_count(&any), 2, "shared, not copied");
    }

    #[test]
    fn errors_are_send_sync() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<BufferError<std::io::Error>>();
        assert_send_sync::<ServiceError<std::io::Error>>();
        assert_send_sync::<Closed>();
    }
}
