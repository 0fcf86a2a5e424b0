//! Shared helpers: an in-memory stream and a response parser.
#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncWrite};
use svc_http::{server, Body};
use svc_trait::{service_fn, Service};

/// A stream that yields `input` in the given pieces, then end of stream (or nothing more
/// if `hang`), and records what is written.
pub struct MockIo {
    pub input: VecDeque<Vec<u8>>,
    pub hang: bool,
    pub output: Arc<Mutex<Vec<u8>>>,
    pub closed: Arc<Mutex<bool>>,
}

impl MockIo {
    pub fn new(pieces: Vec<Vec<u8>>, hang: bool) -> MockIo {
        MockIo {
            // An empty read means end of stream: drop empty pieces.
            input: pieces.into_iter().filter(|p| !p.is_empty()).collect(),
            hang,
            output: Arc::default(),
            closed: Arc::default(),
        }
    }
}

impl AsyncRead for MockIo {
    fn poll_read(mut self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        match self.input.pop_front() {
            Some(mut piece) => {
                let n = piece.len().min(buf.len());
                buf[..n].copy_from_slice(&piece[..n]);
                if n < piece.len() {
                    self.input.push_front(piece.split_off(n));
                }
                Poll::Ready(Ok(n))
            }
            None if self.hang => Poll::Pending,
            None => Poll::Ready(Ok(0)),
        }
    }
}

impl AsyncWrite for MockIo {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.output.lock().unwrap().extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        *self.closed.lock().unwrap() = true;
        Poll::Ready(Ok(()))
    }
}

/// A handler answering with the method, path and the whole request body.
pub fn echo(
) -> impl Service<http::Request<Body>, Response = http::Response<Body>, Error = Infallible, Future: Send> + Clone + Send
{
    service_fn(|req: http::Request<Body>| async move {
        let head = format!("{} {} ", req.method(), req.uri().path());
        let body = match req.into_body().collect(1 << 20).await {
            Ok(bytes) => format!("{head}{}", String::from_utf8_lossy(&bytes)),
            Err(e) => format!("{head}error: {e}"),
        };
        Ok(http::Response::new(Body::from(body)))
    })
}

/// Serves `pieces` (then end of stream) with `svc` and `config`; returns the output.
pub async fn serve_with<S>(pieces: Vec<Vec<u8>>, svc: S, config: server::Config) -> Vec<u8>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>>,
    S::Error: Into<svc_http::BoxError>,
{
    let io = MockIo::new(pieces, false);
    let out = io.output.clone();
    let _ = server::serve_connection(io, svc, config).await;
    let out = out.lock().unwrap().clone();
    out
}

/// Serves `input` in one piece with the echo handler and default config.
pub async fn serve(input: &[u8]) -> Vec<u8> {
    serve_with(vec![input.to_vec()], echo(), server::Config::default()).await
}

/// A parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Parsed {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn body_str(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Parses the responses in `out` (framed by content-length or chunked; `100` interim
/// responses included). Panics on anything malformed: the server must write well-formed
/// responses.
pub fn parse_responses(out: &[u8]) -> Vec<Parsed> {
    parse_responses_with(out, &[])
}

/// [`parse_responses`] where the responses at the indices in `bodiless` answer `HEAD`.
pub fn parse_responses_with(mut out: &[u8], bodiless: &[usize]) -> Vec<Parsed> {
    let mut all = Vec::new();
    while !out.is_empty() {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut res = httparse::Response::new(&mut headers);
        let len = match res.parse(out).expect("well-formed response head") {
            httparse::Status::Complete(len) => len,
            httparse::Status::Partial => panic!("truncated response head: {:?}", String::from_utf8_lossy(out)),
        };
        let status = res.code.unwrap();
        let headers: Vec<(String, String)> = res
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8(h.value.to_vec()).unwrap(),
                )
            })
            .collect();
        out = &out[len..];
        let find = |n: &str| headers.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let body = if status / 100 == 1 || status == 204 || status == 304 || bodiless.contains(&all.len()) {
            Vec::new()
        } else if let Some(cl) = find("content-length") {
            let n: usize = cl.parse().unwrap();
            let body = out[..n].to_vec();
            out = &out[n..];
            body
        } else if find("transfer-encoding").as_deref() == Some("chunked") {
            let mut body = Vec::new();
            loop {
                let line_end = out.windows(2).position(|w| w == b"\r\n").unwrap();
                let size = usize::from_str_radix(std::str::from_utf8(&out[..line_end]).unwrap(), 16).unwrap();
                out = &out[line_end + 2..];
                if size == 0 {
                    assert_eq!(&out[..2], b"\r\n");
                    out = &out[2..];
                    break;
                }
                body.extend_from_slice(&out[..size]);
                assert_eq!(&out[size..size + 2], b"\r\n");
                out = &out[size + 2..];
            }
            body
        } else {
            let body = out.to_vec();
            out = &[];
            body
        };
        all.push(Parsed { status, headers, body });
    }
    all
}
