//! Writing messages: heads into a small reusable buffer, bodies framed by
//! `content-length` or chunked transfer-encoding.
//!
//! A head and a body held in one buffer go out in one write; a streamed body's chunks are
//! appended to the same buffer while they are small and written straight through when
//! large.

use std::io::Write as _;

use futures_io::AsyncWrite;
use http::header::{CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, Method, StatusCode, Uri};

use crate::body::Body;
use crate::error::{Error, Kind};
use crate::io::write_all;

/// Chunks at least this large skip the buffer.
const DIRECT_WRITE: usize = 16 * 1024;

/// How a body is framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encode {
    /// No body at all (HEAD responses, 204, 304).
    None,
    Length(u64),
    Chunked,
    /// Ends when the connection closes (HTTP/1.0 peers and streams of unknown length).
    Close,
}

/// Appends a response head. `close`: say `connection: close`; `http10_keep_alive`: say
/// `connection: keep-alive` (an HTTP/1.0 client asked for it).
pub(crate) fn response_head(
    buf: &mut Vec<u8>,
    status: StatusCode,
    headers: &HeaderMap,
    encode: Encode,
    close: bool,
    http10_keep_alive: bool,
) {
    if status == StatusCode::OK {
        // The common status line in one piece.
        buf.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    } else {
        buf.extend_from_slice(b"HTTP/1.1 ");
        buf.extend_from_slice(status.as_str().as_bytes());
        buf.push(b' ');
        buf.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    if headers.is_empty() || !headers.contains_key(http::header::DATE) {
        super::date::append(buf);
    }
    fields(buf, headers, encode);
    if close {
        buf.extend_from_slice(b"connection: close\r\n");
    } else if http10_keep_alive {
        buf.extend_from_slice(b"connection: keep-alive\r\n");
    }
    buf.extend_from_slice(b"\r\n");
}

/// Appends a request head in origin form; adds `host` from `default_host` if missing.
pub(crate) fn request_head(
    buf: &mut Vec<u8>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    default_host: &str,
    encode: Encode,
) {
    buf.extend_from_slice(method.as_str().as_bytes());
    buf.push(b' ');
    let target = uri.path_and_query().map_or("/", |pq| pq.as_str());
    buf.extend_from_slice(if target.is_empty() { "/" } else { target }.as_bytes());
    buf.extend_from_slice(b" HTTP/1.1\r\n");
    if !headers.contains_key(HOST) {
        buf.extend_from_slice(b"host: ");
        buf.extend_from_slice(uri.authority().map_or(default_host, |a| a.as_str()).as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    fields(buf, headers, encode);
    buf.extend_from_slice(b"\r\n");
}

/// The header fields, with the framing ones replaced by ours.
fn fields(buf: &mut Vec<u8>, headers: &HeaderMap, encode: Encode) {
    // Iterating even an empty map costs: many responses have no fields of their own.
    let headers = if headers.is_empty() { None } else { Some(headers) };
    for (name, value) in headers.into_iter().flatten() {
        if name == CONTENT_LENGTH || name == TRANSFER_ENCODING || name == CONNECTION {
            continue;
        }
        buf.extend_from_slice(name.as_str().as_bytes());
        buf.extend_from_slice(b": ");
        buf.extend_from_slice(value.as_bytes());
        buf.extend_from_slice(b"\r\n");
    }
    match encode {
        Encode::Length(n) => content_length(buf, n),
        Encode::Chunked => buf.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        Encode::None | Encode::Close => {}
    }
}

/// Appends `content-length: <n>\r\n`, put together on the stack and appended in one copy.
fn content_length(buf: &mut Vec<u8>, mut n: u64) {
    const PREFIX: &[u8] = b"content-length: ";
    let mut line = [0u8; PREFIX.len() + 20 + 2];
    let mut at = line.len() - 2;
    line[at..].copy_from_slice(b"\r\n");
    loop {
        at -= 1;
        line[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    at -= PREFIX.len();
    line[at..at + PREFIX.len()].copy_from_slice(PREFIX);
    buf.extend_from_slice(&line[at..]);
}

/// The framing for a body: its exact size, else a declared `content-length`, else
/// chunked where the peer speaks HTTP/1.1 (`chunked_ok`), else close-delimited.
pub(crate) fn choose(body: &Body, headers: &HeaderMap, chunked_ok: bool) -> Encode {
    if let Some(n) = body.size_hint().exact() {
        return Encode::Length(n);
    }
    match declared_length(headers) {
        Some(n) => Encode::Length(n),
        None if chunked_ok => Encode::Chunked,
        None => Encode::Close,
    }
}

/// A `content-length` the message's sender set itself.
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}

/// Writes `body` framed by `encode`, after what `buf` already holds (a head). Small
/// pieces are gathered in `buf`; the caller flushes what remains.
///
/// # Errors
///
/// The body stream's error, an I/O error, or [`Error::is_invalid_request`] for a body
/// whose length differs from its `content-length`.
pub(crate) async fn body<IO>(io: &mut IO, buf: &mut Vec<u8>, mut body: Body, encode: Encode) -> Result<(), Error>
where
    IO: AsyncWrite + Unpin + ?Sized,
{
    if encode == Encode::None {
        return Ok(());
    }
    if let Some(bytes) = body.as_full() {
        buf.extend_from_slice(bytes);
        return Ok(());
    }
    let mut written = 0u64;
    while let Some(chunk) = body.chunk().await {
        let chunk = chunk?;
        if chunk.is_empty() {
            continue;
        }
        written += chunk.len() as u64;
        if matches!(encode, Encode::Length(n) if written > n) {
            return Err(Error::new(
                Kind::InvalidRequest,
                Some("body longer than its content-length".into()),
            ));
        }
        if encode == Encode::Chunked {
            let _ = write!(buf, "{:x}\r\n", chunk.len());
        }
        if chunk.len() >= DIRECT_WRITE {
            write_all(io, buf).await?;
            buf.clear();
            write_all(io, &chunk).await?;
        } else {
            buf.extend_from_slice(&chunk);
        }
        if encode == Encode::Chunked {
            buf.extend_from_slice(b"\r\n");
        }
        if buf.len() >= DIRECT_WRITE {
            write_all(io, buf).await?;
            buf.clear();
        }
    }
    match encode {
        Encode::Chunked => buf.extend_from_slice(b"0\r\n\r\n"),
        Encode::Length(n) if written != n => {
            return Err(Error::new(
                Kind::InvalidRequest,
                Some("body shorter than its content-length".into()),
            ))
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_lines() {
        for (n, line) in [
            (0, "content-length: 0\r\n"),
            (11, "content-length: 11\r\n"),
            (u64::MAX, "content-length: 18446744073709551615\r\n"),
        ] {
            let mut buf = b"x".to_vec();
            content_length(&mut buf, n);
            assert_eq!(&buf[1..], line.as_bytes());
        }
    }
}
