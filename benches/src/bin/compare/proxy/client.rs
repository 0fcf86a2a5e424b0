//! A blocking HTTP/1.1 client for one request at a time: the readiness probe of a
//! starting proxy, and the request every idle connection completes before it idles.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// The request the suite sends itself (wrk's is equivalent).
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// Largest response head accepted.
const MAX_HEAD: usize = 8_192;

/// How long a request may wait for its response.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to `addr` and completes one `GET /`; returns the open, idle connection and
/// the response status.
///
/// # Errors
///
/// Fails when the connection fails or the response is not HTTP/1.x with a
/// `Content-Length`.
pub(crate) fn connect_and_get(addr: SocketAddr) -> io::Result<(TcpStream, u16)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
    let status = get(&mut stream)?;
    Ok((stream, status))
}

/// Sends `GET /` on `stream` and reads the whole response (head, then a body of
/// `Content-Length` bytes); returns its status.
///
/// # Errors
///
/// Fails on an I/O error, a connection closed early, or a response that is not
/// HTTP/1.x with a `Content-Length`.
pub(crate) fn get(stream: &mut TcpStream) -> io::Result<u16> {
    stream.write_all(REQUEST)?;
    let mut buffer = Vec::with_capacity(1_024);
    let mut chunk = [0u8; 1_024];
    let head_len = loop {
        if let Some(at) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        if buffer.len() > MAX_HEAD {
            return Err(io::Error::other("response head too large"));
        }
        match stream.read(&mut chunk)? {
            0 => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "closed before the response",
                ))
            }
            read => buffer.extend_from_slice(&chunk[..read]),
        }
    };
    let head = std::str::from_utf8(&buffer[..head_len]).map_err(|_| io::Error::other("response head not UTF-8"))?;
    let (status, body_len) =
        parse_head(head).ok_or_else(|| io::Error::other(format!("unusable response: {head:?}")))?;
    let mut missing = (head_len + body_len).saturating_sub(buffer.len());
    while missing > 0 {
        let want = missing.min(chunk.len());
        match stream.read(&mut chunk[..want])? {
            0 => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed inside the body")),
            read => missing -= read,
        }
    }
    Ok(status)
}

/// Returns the status and `Content-Length` of a response head.
fn parse_head(head: &str) -> Option<(u16, usize)> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/1.") {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let length = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })?;
    Some((status, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_and_length_in_any_case() {
        let head = "HTTP/1.1 502 Bad Gateway\r\nServer: x\r\ncontent-LENGTH: 157\r\n\r\n";
        assert_eq!(parse_head(head), Some((502, 157)));
        assert_eq!(parse_head("HTTP/1.1 200 OK\r\n\r\n"), None, "no length");
        assert_eq!(parse_head("SSH-2.0\r\n\r\n"), None);
    }

    #[test]
    fn reads_a_response_split_across_writes() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; REQUEST.len()];
            stream.read_exact(&mut request).unwrap();
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe")
                .unwrap();
            std::thread::sleep(Duration::from_millis(20));
            stream.write_all(b"llo").unwrap();
            stream
        });
        let (_stream, status) = connect_and_get(addr).unwrap();
        assert_eq!(status, 200);
        drop(server.join().unwrap());
    }
}
