//! [`Body`]: a message body streamed as [`Bytes`] chunks, with a size hint.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::error::{BoxError, Error, Kind};

/// A message body: empty, one buffer, or a stream of [`Bytes`] chunks.
///
/// Bodies read by this crate's server and client are streams fed straight from the
/// connection: chunks are slices of the connection's read buffer, and nothing is
/// buffered whole. A body is read with [`chunk`](Body::chunk) / [`poll_chunk`](Body::poll_chunk)
/// (or as a [`Stream`]); [`collect`](Body::collect) gathers it up to a limit.
///
/// For retries, [`replayable`](Body::replayable) turns a body into one that
/// [`try_clone`](Body::try_clone) can copy (buffering at most `limit` bytes).
///
/// # Examples
///
/// ```
/// use svc_http::Body;
///
/// # futures::executor::block_on(async {
/// let mut body = Body::from("hello");
/// assert_eq!(body.size_hint().exact(), Some(5));
/// assert_eq!(&body.chunk().await.unwrap().unwrap()[..], b"hello");
/// assert!(body.chunk().await.is_none());
/// # });
/// ```
pub struct Body {
    kind: BodyKind,
}

enum BodyKind {
    Empty,
    Full(Bytes),
    Stream(Pin<Box<dyn BodyStream>>),
}

/// What a streamed body's source provides (the connection readers of this crate, or a
/// user stream behind an adapter).
pub(crate) trait BodyStream: Send {
    /// The next chunk, an error, or `None` at the end.
    fn poll_chunk(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>>;

    /// What is known of the remaining length.
    fn size_hint(&self) -> SizeHint;
}

/// What is known of a body's remaining length: at least `lower` bytes, at most `upper`.
///
/// # Examples
///
/// ```
/// use svc_http::SizeHint;
///
/// assert_eq!(SizeHint::with_exact(3).exact(), Some(3));
/// assert_eq!(SizeHint::new().exact(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SizeHint {
    lower: u64,
    upper: Option<u64>,
}

impl SizeHint {
    /// Nothing known: at least 0 bytes, no upper bound.
    pub fn new() -> SizeHint {
        SizeHint::default()
    }

    /// Exactly `n` bytes.
    pub fn with_exact(n: u64) -> SizeHint {
        SizeHint {
            lower: n,
            upper: Some(n),
        }
    }

    /// The lower bound.
    pub fn lower(&self) -> u64 {
        self.lower
    }

    /// The upper bound, if known.
    pub fn upper(&self) -> Option<u64> {
        self.upper
    }

    /// The exact length, if the bounds agree.
    pub fn exact(&self) -> Option<u64> {
        self.upper.filter(|&upper| upper == self.lower)
    }
}

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body { kind: BodyKind::Empty }
    }

    /// A body from a stream of chunks, of unknown length (sent chunked by HTTP/1.1).
    ///
    /// # Examples
    ///
    /// ```
    /// use bytes::Bytes;
    /// use svc_http::Body;
    ///
    /// let chunks = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("a")), Ok(Bytes::from("b"))]);
    /// let body = Body::from_stream(chunks);
    /// assert_eq!(body.size_hint().exact(), None);
    /// ```
    pub fn from_stream<S, E>(stream: S) -> Body
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        Body::from_source(UserStream {
            stream: Box::pin(stream),
            len: None,
        })
    }

    /// A body from a stream that yields exactly `len` bytes (sent with a
    /// `content-length`; a stream that yields another length fails the message).
    pub fn from_stream_with_len<S, E>(stream: S, len: u64) -> Body
    where
        S: Stream<Item = Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        Body::from_source(UserStream {
            stream: Box::pin(stream),
            len: Some(len),
        })
    }

    pub(crate) fn from_source(source: impl BodyStream + 'static) -> Body {
        Body {
            kind: BodyKind::Stream(Box::pin(source)),
        }
    }

    /// What is known of the remaining length.
    pub fn size_hint(&self) -> SizeHint {
        match &self.kind {
            BodyKind::Empty => SizeHint::with_exact(0),
            BodyKind::Full(bytes) => SizeHint::with_exact(bytes.len() as u64),
            BodyKind::Stream(stream) => stream.size_hint(),
        }
    }

    /// Whether the body is known to have nothing more to give.
    pub fn is_end_stream(&self) -> bool {
        self.size_hint().upper() == Some(0)
    }

    /// The next chunk, an error, or `None` at the end.
    ///
    /// # Errors
    ///
    /// A body read from a connection fails if the connection breaks or its framing is
    /// bad (see [`Error`]); a user stream's errors come out as [`Error::is_user`].
    pub fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        match &mut self.kind {
            BodyKind::Empty => Poll::Ready(None),
            BodyKind::Full(_) => match std::mem::replace(&mut self.kind, BodyKind::Empty) {
                BodyKind::Full(bytes) if !bytes.is_empty() => Poll::Ready(Some(Ok(bytes))),
                _ => Poll::Ready(None),
            },
            BodyKind::Stream(stream) => stream.as_mut().poll_chunk(cx),
        }
    }

    /// The next chunk, an error, or `None` at the end.
    ///
    /// # Errors
    ///
    /// As [`poll_chunk`](Body::poll_chunk).
    pub async fn chunk(&mut self) -> Option<Result<Bytes, Error>> {
        std::future::poll_fn(|cx| self.poll_chunk(cx)).await
    }

    /// Reads the whole body into one buffer.
    ///
    /// # Errors
    ///
    /// [`Error::is_too_large`] if the body is longer than `limit`; else as
    /// [`poll_chunk`](Body::poll_chunk).
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let body = svc_http::Body::from("hello");
    /// assert_eq!(&body.collect(1024).await.unwrap()[..], b"hello");
    /// # });
    /// ```
    pub async fn collect(mut self, limit: usize) -> Result<Bytes, Error> {
        if self.size_hint().lower() > limit as u64 {
            return Err(too_large());
        }
        match std::mem::replace(&mut self.kind, BodyKind::Empty) {
            BodyKind::Full(bytes) => return Ok(bytes),
            other => self.kind = other,
        }
        let mut first: Option<Bytes> = None;
        let mut buf = BytesMut::new();
        while let Some(chunk) = self.chunk().await {
            let chunk = chunk?;
            let len = first.as_ref().map_or(0, Bytes::len) + buf.len() + chunk.len();
            if len > limit {
                return Err(too_large());
            }
            match first.take() {
                None if buf.is_empty() => first = Some(chunk),
                previous => {
                    buf.extend_from_slice(&previous.unwrap_or_default());
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        Ok(first.unwrap_or_else(|| buf.freeze()))
    }

    /// Makes the body replayable: reads it whole (up to `limit` bytes) so that
    /// [`try_clone`](Body::try_clone) can copy it for another attempt.
    ///
    /// # Errors
    ///
    /// As [`collect`](Body::collect): [`Error::is_too_large`] over `limit`.
    pub async fn replayable(self, limit: usize) -> Result<Body, Error> {
        match self.kind {
            BodyKind::Empty | BodyKind::Full(_) => Ok(self),
            BodyKind::Stream(_) => Ok(Body::from(self.collect(limit).await?)),
        }
    }

    /// A copy of the body if it is held in memory (empty, or built from a buffer, or made
    /// [`replayable`](Body::replayable)); `None` for a stream.
    ///
    /// # Examples
    ///
    /// ```
    /// let body = svc_http::Body::from("abc");
    /// assert_eq!(body.try_clone().unwrap().size_hint().exact(), Some(3));
    /// ```
    pub fn try_clone(&self) -> Option<Body> {
        match &self.kind {
            BodyKind::Empty => Some(Body::empty()),
            BodyKind::Full(bytes) => Some(Body::from(bytes.clone())),
            BodyKind::Stream(_) => None,
        }
    }

    /// The bytes of a body held in one buffer (for the writers' single-write fast path).
    pub(crate) fn as_full(&self) -> Option<&[u8]> {
        match &self.kind {
            BodyKind::Empty => Some(&[]),
            BodyKind::Full(bytes) => Some(bytes),
            BodyKind::Stream(_) => None,
        }
    }
}

fn too_large() -> Error {
    Error::new(Kind::TooLarge, None)
}

impl Default for Body {
    fn default() -> Body {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            BodyKind::Empty => "empty",
            BodyKind::Full(_) => "full",
            BodyKind::Stream(_) => "stream",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("size_hint", &self.size_hint())
            .finish()
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body {
            kind: BodyKind::Full(bytes),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::from(Bytes::from(bytes))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::from(Bytes::from(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(s))
    }
}

impl Stream for Body {
    type Item = Result<Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_chunk(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, None)
    }
}

/// A user's stream behind the [`BodyStream`] interface.
struct UserStream<E> {
    stream: Pin<Box<dyn Stream<Item = Result<Bytes, E>> + Send>>,
    len: Option<u64>,
}

impl<E: Into<BoxError>> BodyStream for UserStream<E> {
    fn poll_chunk(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        let item = std::task::ready!(self.stream.as_mut().poll_next(cx));
        Poll::Ready(item.map(|res| {
            let chunk = res.map_err(|e| Error::new(Kind::User, Some(e.into())))?;
            if let Some(len) = &mut self.len {
                *len = len.saturating_sub(chunk.len() as u64);
            }
            Ok(chunk)
        }))
    }

    fn size_hint(&self) -> SizeHint {
        self.len.map_or_else(SizeHint::new, SizeHint::with_exact)
    }
}
