//! [`Error`]: the one error type of this crate, opaque, with a predicate per condition.

use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A boxed error, as services and body streams return them.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// An HTTP error: a connection that could not be made or broke, a timeout, a peer that
/// spoke bad HTTP, a body over its limit, or an error from a user's body stream.
///
/// Opaque: ask it with the predicates. Connection errors keep the [`io::Error`] behind
/// them as [`source()`](StdError::source), so a classifier that walks the source chain
/// for `ConnectionRefused` / `ConnectionReset` / `UnexpectedEof` kinds (such as
/// `svc_retry::standard::is_connection_error`) recognises them.
///
/// # Examples
///
/// ```
/// # async fn f() {
/// use svc_http::client::{Pool, PoolConfig};
/// use svc_trait::ServiceExt;
/// // Nothing listens on port 1.
/// let pool = Pool::new("127.0.0.1:1".parse().unwrap(), PoolConfig::default());
/// let req = http::Request::new(svc_http::Body::empty());
/// let err = pool.oneshot(req).await.unwrap_err();
/// assert!(err.is_connect());
/// # }
/// ```
pub struct Error {
    kind: Kind,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Connecting failed (refused, unreachable, ...).
    Connect,
    /// Connecting took longer than the connect timeout.
    ConnectTimeout,
    /// The peer closed or reset the connection before a complete message.
    Closed,
    /// Another I/O error.
    Io,
    /// The peer's bytes are not valid HTTP/1.1 (or break a framing rule).
    Protocol,
    /// A body went over its configured limit.
    TooLarge,
    /// A body stream given by a user failed.
    User,
    /// A request that cannot be sent (no path, a scheme we do not speak, ...).
    InvalidRequest,
}

impl Error {
    pub(crate) fn new(kind: Kind, source: Option<BoxError>) -> Error {
        Error { kind, source }
    }

    pub(crate) fn protocol(what: &'static str) -> Error {
        Error::new(Kind::Protocol, Some(what.into()))
    }

    /// An I/O error: `Closed` for the kinds that mean the peer went away, else `Io`.
    pub(crate) fn io(err: io::Error) -> Error {
        use io::ErrorKind::*;
        let kind = match err.kind() {
            ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof | NotConnected => Kind::Closed,
            _ => Kind::Io,
        };
        Error::new(kind, Some(err.into()))
    }

    /// The peer closed the connection before the message was complete.
    pub(crate) fn closed(what: &'static str) -> Error {
        Error::new(
            Kind::Closed,
            Some(io::Error::new(io::ErrorKind::UnexpectedEof, what).into()),
        )
    }

    /// Connecting failed or timed out.
    pub fn is_connect(&self) -> bool {
        matches!(self.kind, Kind::Connect | Kind::ConnectTimeout)
    }

    /// A timeout (so far only the connect timeout: see [`is_connect`](Self::is_connect)).
    pub fn is_timeout(&self) -> bool {
        self.kind == Kind::ConnectTimeout
    }

    /// The connection closed or was reset before a complete message (for a client: before
    /// a complete response; the request may or may not have been processed).
    pub fn is_closed(&self) -> bool {
        self.kind == Kind::Closed
    }

    /// An I/O error other than a closed connection.
    pub fn is_io(&self) -> bool {
        self.kind == Kind::Io
    }

    /// The peer broke the HTTP/1.1 syntax or a framing rule.
    pub fn is_protocol(&self) -> bool {
        self.kind == Kind::Protocol
    }

    /// A body was longer than its configured limit.
    pub fn is_too_large(&self) -> bool {
        self.kind == Kind::TooLarge
    }

    /// A user's body stream failed; [`source()`](StdError::source) is its error.
    pub fn is_user(&self) -> bool {
        self.kind == Kind::User
    }

    /// The request could not be sent as it is (an `https` URI, a body whose length does
    /// not match its `content-length`, ...).
    pub fn is_invalid_request(&self) -> bool {
        self.kind == Kind::InvalidRequest
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            Kind::Connect => "connect failed",
            Kind::ConnectTimeout => "connect timed out",
            Kind::Closed => "connection closed before the message was complete",
            Kind::Io => "i/o error",
            Kind::Protocol => "http protocol error",
            Kind::TooLarge => "body over its size limit",
            Kind::User => "body stream failed",
            Kind::InvalidRequest => "invalid request",
        };
        match &self.source {
            Some(source) => write!(f, "{what}: {source}"),
            None => f.write_str(what),
        }
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn StdError + 'static))
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match err.kind {
            Kind::Connect => io::ErrorKind::ConnectionRefused,
            Kind::ConnectTimeout => io::ErrorKind::TimedOut,
            Kind::Closed => io::ErrorKind::UnexpectedEof,
            Kind::Protocol | Kind::TooLarge | Kind::InvalidRequest => io::ErrorKind::InvalidData,
            Kind::Io | Kind::User => io::ErrorKind::Other,
        };
        io::Error::new(kind, err)
    }
}
