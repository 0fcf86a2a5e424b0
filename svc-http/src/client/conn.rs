//! One client connection: write a request, read the response head, stream the response
//! body from the connection; hand the connection back (to a pool) once the body is done.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Weak;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_io::{AsyncRead, AsyncWrite};
use http::{Method, Request, Response, StatusCode};

use crate::body::{Body, BodyStream, SizeHint};
use crate::error::{Error, Kind};
use crate::io::{flush, write_all};
use crate::proto::decode::{Decoded, Decoder, Framing};
use crate::proto::encode;
use crate::proto::head::{self, ResponseHead};
use crate::proto::read_buf::ReadBuf;

/// The largest response head accepted.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;

/// Sends `req` over `io` (HTTP/1.1, one request) and reads the response head; the body
/// streams from the connection, which closes when the body is dropped.
///
/// The request is written in origin form (`GET /path?query HTTP/1.1`), with a `host`
/// field from the URI's authority if the request has none.
///
/// # Errors
///
/// [`Error::is_closed`] if the connection closes or resets before a response head,
/// [`Error::is_protocol`] for a malformed response, [`Error::is_invalid_request`] for a
/// URI with a scheme other than `http`; a request body's errors.
///
/// # Examples
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let stream = rt_net::TcpStream::connect("127.0.0.1:8080").await?;
/// let req = http::Request::get("http://127.0.0.1:8080/").body(svc_http::Body::empty())?;
/// let res = svc_http::client::send_request(stream, req).await?;
/// let body = res.into_body().collect(1 << 20).await?;
/// # Ok(()) }
/// ```
pub async fn send_request<IO>(io: IO, req: Request<Body>) -> Result<Response<Body>, Error>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut req = req;
    Conn::new(io).send(&mut req, "localhost", None).await
}

/// Takes back a connection whose exchange ended cleanly (a pool).
pub(crate) trait CheckIn<IO>: Send + Sync {
    fn check_in(&self, conn: Conn<IO>);
}

/// Where a connection goes once its response body is read to the end: a pointer to its
/// pool, not a boxed closure (no allocation per request), and weak, so that a response
/// body outliving the pool does not keep it alive.
pub(crate) type Recycle<IO> = Weak<dyn CheckIn<IO>>;

pub(crate) struct Conn<IO> {
    pub(crate) io: IO,
    rb: ReadBuf,
    wbuf: Vec<u8>,
}

impl<IO> fmt::Debug for Conn<IO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("buffered", &self.rb.buf.len())
            .finish_non_exhaustive()
    }
}

impl<IO> Conn<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    pub(crate) fn new(io: IO) -> Conn<IO> {
        Conn {
            io,
            rb: ReadBuf::new(),
            wbuf: Vec::new(),
        }
    }

    /// One exchange. `recycle` gets the connection back if it can carry another. The
    /// request's body is taken from `req` and sent; the rest of `req` is left as it was.
    ///
    /// Not an `async fn`: one of those would hold both its arguments and the locals they
    /// are moved into; this block captures the connection once and only borrows the request.
    pub(crate) fn send<'a>(
        self,
        req: &'a mut Request<Body>,
        default_host: &'a str,
        recycle: Option<Recycle<IO>>,
    ) -> impl Future<Output = Result<Response<Body>, Error>> + Send + 'a {
        let mut conn = self;
        async move {
            let is_head = req.method() == Method::HEAD;
            conn.write_request(req, default_host).await?;
            let head = conn.read_head().await?;
            conn.response(head, is_head, recycle)
        }
    }

    /// The response with `head`; its body streams from the connection.
    fn response(
        self,
        head: ResponseHead,
        is_head: bool,
        recycle: Option<Recycle<IO>>,
    ) -> Result<Response<Body>, Error> {
        let bodiless = is_head || head.status == StatusCode::NO_CONTENT || head.status == StatusCode::NOT_MODIFIED;
        let framing = if bodiless {
            Framing::Length(0)
        } else {
            head.framing.unwrap_or(Framing::Close)
        };
        let reusable = head.keep_alive && framing != Framing::Close;
        let mut res = Response::new(Body::empty());
        *res.status_mut() = head.status;
        *res.version_mut() = head.version;
        *res.headers_mut() = head.headers;
        let decoder = Decoder::new(framing, u64::MAX);
        let recycle = recycle.filter(|_| reusable);
        if decoder.is_done() {
            self.finish(recycle);
        } else {
            *res.body_mut() = Body::from_source(ResponseBody {
                conn: Some(self),
                decoder,
                recycle,
            });
        }
        Ok(res)
    }

    async fn write_request(&mut self, req: &mut Request<Body>, default_host: &str) -> Result<(), Error> {
        if req.uri().scheme().is_some_and(|s| s != &http::uri::Scheme::HTTP) {
            return Err(Error::new(
                Kind::InvalidRequest,
                Some("only http URIs are supported".into()),
            ));
        }
        let encode = encode::choose(req.body(), req.headers(), true);
        self.wbuf.clear();
        encode::request_head(
            &mut self.wbuf,
            req.method(),
            req.uri(),
            req.headers(),
            default_host,
            encode,
        );
        let body = std::mem::take(req.body_mut());
        encode::body(&mut self.io, &mut self.wbuf, body, encode).await?;
        write_all(&mut self.io, &self.wbuf).await?;
        self.wbuf.clear();
        if self.wbuf.capacity() > 4096 {
            self.wbuf = Vec::new();
        }
        flush(&mut self.io).await
    }

    /// Reads a final response head, skipping `1xx` interim responses.
    async fn read_head(&mut self) -> Result<ResponseHead, Error> {
        loop {
            if !self.rb.buf.is_empty() {
                if let Some(head) =
                    head::parse_response(&mut self.rb.buf, MAX_RESPONSE_HEAD).map_err(Error::protocol)?
                {
                    if head.status == StatusCode::SWITCHING_PROTOCOLS {
                        return Err(Error::protocol("protocol upgrades are not supported"));
                    }
                    if !head.status.is_informational() {
                        return Ok(head);
                    }
                    continue;
                }
            }
            let n = std::future::poll_fn(|cx| self.rb.poll_fill(&mut self.io, cx))
                .await
                .map_err(Error::io)?;
            if n == 0 {
                return Err(Error::closed("connection closed before a response"));
            }
        }
    }

    /// The exchange is over: hand the connection back if it is clean.
    ///
    /// The connection keeps its read block (at most 1 KiB once it is busy, see
    /// `read_buf`): the next response on it is read straight into the block, without an
    /// allocation and a copy of its own. A pool holds at most `max_idle` connections.
    fn finish(self, recycle: Option<Recycle<IO>>) {
        if let Some(pool) = recycle.and_then(|weak| weak.upgrade()) {
            if self.rb.buf.is_empty() {
                pool.check_in(self);
            }
        }
    }
}

/// A response body read from the connection.
struct ResponseBody<IO> {
    conn: Option<Conn<IO>>,
    decoder: Decoder,
    recycle: Option<Recycle<IO>>,
}

impl<IO> BodyStream for ResponseBody<IO>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn poll_chunk(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        let this = self.get_mut();
        loop {
            let Some(conn) = &mut this.conn else {
                return Poll::Ready(None);
            };
            let decoded = match this.decoder.decode(&mut conn.rb.buf) {
                Ok(Decoded::NeedMore) => match std::task::ready!(conn.rb.poll_fill(&mut conn.io, cx)) {
                    Ok(0) => this.decoder.eof(),
                    Ok(_) => continue,
                    Err(e) => Err(Error::io(e)),
                },
                other => other,
            };
            return Poll::Ready(match decoded {
                Ok(Decoded::Data(chunk)) => Some(Ok(chunk)),
                Ok(Decoded::NeedMore) => continue,
                Ok(Decoded::Done) => {
                    if let Some(conn) = this.conn.take() {
                        conn.finish(this.recycle.take());
                    }
                    None
                }
                Err(e) => {
                    this.conn = None;
                    Some(Err(e))
                }
            });
        }
    }

    fn size_hint(&self) -> SizeHint {
        self.decoder
            .remaining()
            .map_or_else(SizeHint::new, SizeHint::with_exact)
    }
}
