//! Message heads: parsed in place with `httparse`, then turned into `http` types whose
//! URI and header values are slices of the connection's read buffer (no copy).
//!
//! The framing rules of RFC 9112 §6.3 live here: `transfer-encoding` must be exactly
//! `chunked` (and only on HTTP/1.1), never together with `content-length`, and several
//! `content-length`s must agree.

use std::cell::RefCell;
use std::mem::MaybeUninit;
use std::ops::Range;

use bytes::{Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, EXPECT, HOST, TRANSFER_ENCODING};
use http::{HeaderMap, Method, Request, StatusCode, Uri, Version};

use super::decode::Framing;

/// The most header fields in one head.
pub(crate) const MAX_HEADERS: usize = 100;

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct RequestHead {
    /// The method, URI, version and fields, already in the request's own parts: the
    /// fields are appended to the parts' map rather than to a map moved in later (which
    /// would drop the empty one the parts come with).
    pub(crate) parts: http::request::Parts,
    pub(crate) framing: Framing,
    pub(crate) keep_alive: bool,
    pub(crate) expect_continue: bool,
}

/// A parsed response head.
#[derive(Debug)]
pub(crate) struct ResponseHead {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    /// `None`: no length given, the body runs until the connection closes.
    pub(crate) framing: Option<Framing>,
    pub(crate) keep_alive: bool,
}

/// Byte ranges of one header field inside the head.
type Field = [usize; 4];

thread_local! {
    /// The field positions of the head being parsed: one list per thread rather than one
    /// per connection (a proxy keeps thousands of connections, and a parse never waits).
    static FIELDS: RefCell<Vec<Field>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the thread's (empty) field list.
fn with_fields<R>(f: impl FnOnce(&mut Vec<Field>) -> R) -> R {
    let mut f = Some(f);
    let shared = FIELDS.try_with(|fields| {
        fields.try_borrow_mut().ok().map(|mut fields| {
            fields.clear();
            (f.take().expect("not called yet"))(&mut fields)
        })
    });
    match shared {
        Ok(Some(out)) => out,
        // Only a parse nested in another (none does) or one during thread teardown.
        _ => (f.take().expect("not called yet"))(&mut Vec::new()),
    }
}

/// Parses a request head from the front of `buf`, removing it. `Ok(None)`: incomplete.
///
/// # Errors
///
/// The status to answer with: 400 for bad syntax or framing, 431 for a head over
/// `max_head` bytes or with too many fields.
pub(crate) fn parse_request(buf: &mut BytesMut, max_head: usize) -> Result<Option<RequestHead>, StatusCode> {
    with_fields(|ranges| parse_request_with(buf, max_head, ranges))
}

fn parse_request_with(
    buf: &mut BytesMut,
    max_head: usize,
    ranges: &mut Vec<Field>,
) -> Result<Option<RequestHead>, StatusCode> {
    // Uninitialised: no 3 KiB memset per request.
    let mut fields = [MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS];
    let mut req = httparse::Request::new(&mut []);
    let len = match req.parse_with_uninit_headers(buf, &mut fields) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf.len() > max_head => {
            return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
        }
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
        Err(_) => return Err(StatusCode::BAD_REQUEST),
    };
    if len > max_head {
        return Err(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }
    let bad = StatusCode::BAD_REQUEST;
    let method = Method::from_bytes(req.method.unwrap_or_default().as_bytes()).map_err(|_| bad)?;
    let path = span(buf, req.path.unwrap_or_default().as_bytes());
    let version = if req.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    ranges.extend(req.headers.iter().map(|field| field_range(buf, field)));
    let head = buf.split_to(len).freeze();
    // The common `/` is the parts' default URI: nothing to build (and no slice of the
    // head, a reference count taken and given back).
    let uri = if &head[path.clone()] == b"/" {
        None
    } else {
        Some(Uri::from_maybe_shared(head.slice(path)).map_err(|_| bad)?)
    };
    // Filled in place, then returned once: each move of a head is a copy of it.
    let mut req = RequestHead {
        parts: Request::new(()).into_parts().0,
        framing: Framing::Length(0),
        keep_alive: false,
        expect_continue: false,
    };
    let seen = header_map(&head, ranges, &mut req.parts.headers).ok_or(bad)?;
    req.parts.method = method;
    if let Some(uri) = uri {
        req.parts.uri = uri;
    }
    req.parts.version = version;
    request_rules(&mut req, seen)?;
    Ok(Some(req))
}

/// Applies the request framing and connection rules to `head`.
fn request_rules(head: &mut RequestHead, seen: Seen) -> Result<(), StatusCode> {
    let bad = Err(StatusCode::BAD_REQUEST);
    let parts = &head.parts;
    let (method, uri, version) = (&parts.method, &parts.uri, parts.version);
    let framing = match seen.framing(version) {
        Ok(framing) => framing.unwrap_or(Framing::Length(0)),
        Err(_) => return bad,
    };
    let host_ok = if seen.has(Seen::SECOND_HOST) {
        false
    } else {
        seen.has(Seen::HOST) || version == Version::HTTP_10
    };
    if !host_ok || uri.path().is_empty() && method != Method::CONNECT && method != Method::OPTIONS {
        return bad;
    }
    let keep_alive = seen.keep_alive(version);
    let expect_continue = version == Version::HTTP_11 && seen.has(Seen::EXPECT_CONTINUE);
    head.framing = framing;
    head.keep_alive = keep_alive;
    head.expect_continue = expect_continue;
    Ok(())
}

/// Parses a response head from the front of `buf`, removing it. `Ok(None)`: incomplete.
///
/// # Errors
///
/// A description of what is wrong (bad syntax, a head over `max_head`, bad framing).
pub(crate) fn parse_response(buf: &mut BytesMut, max_head: usize) -> Result<Option<ResponseHead>, &'static str> {
    with_fields(|ranges| parse_response_with(buf, max_head, ranges))
}

fn parse_response_with(
    buf: &mut BytesMut,
    max_head: usize,
    ranges: &mut Vec<Field>,
) -> Result<Option<ResponseHead>, &'static str> {
    let mut fields = [MaybeUninit::<httparse::Header<'_>>::uninit(); MAX_HEADERS];
    let mut res = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(&mut res, buf, &mut fields) {
        Ok(httparse::Status::Complete(len)) if len <= max_head => len,
        Ok(httparse::Status::Partial) if buf.len() <= max_head => return Ok(None),
        Ok(_) | Err(httparse::Error::TooManyHeaders) => return Err("response head too large"),
        Err(_) => return Err("invalid response head"),
    };
    let status = StatusCode::from_u16(res.code.unwrap_or_default()).map_err(|_| "invalid status code")?;
    let version = if res.version == Some(0) {
        Version::HTTP_10
    } else {
        Version::HTTP_11
    };
    ranges.extend(res.headers.iter().map(|field| field_range(buf, field)));
    let head = buf.split_to(len).freeze();
    let mut headers = HeaderMap::new();
    let seen = header_map(&head, ranges, &mut headers).ok_or("invalid header field")?;
    let framing = seen.framing(version)?;
    let keep_alive = seen.keep_alive(version);
    Ok(Some(ResponseHead {
        status,
        version,
        headers,
        framing,
        keep_alive,
    }))
}

/// Where `part` lies inside `base` (both from the same buffer).
fn span(base: &[u8], part: &[u8]) -> Range<usize> {
    let start = (part.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
    start..start + part.len()
}

fn field_range(buf: &[u8], field: &httparse::Header<'_>) -> Field {
    let (name, value) = (span(buf, field.name.as_bytes()), span(buf, field.value));
    [name.start, name.end, value.start, value.end]
}

/// What the framing and connection rules need from a head's fields, gathered while its
/// map is built (each field is looked at once, where it is parsed): deciding them then
/// costs no lookup in the map.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    bits: u16,
    /// The `content-length` all its values agree on (valid only with `CONTENT_LENGTH`
    /// and without `BAD_LENGTH` / `DIFFERING_LENGTHS`).
    length: u64,
}

impl Seen {
    const TRANSFER_ENCODING: u16 = 1 << 0;
    const CONTENT_LENGTH: u16 = 1 << 1;
    const HOST: u16 = 1 << 2;
    const SECOND_HOST: u16 = 1 << 3;
    const EXPECT: u16 = 1 << 4;
    /// The first `expect` field is `100-continue`.
    const EXPECT_CONTINUE: u16 = 1 << 5;
    /// A `content-length` value that is not a number (or a list of them).
    const BAD_LENGTH: u16 = 1 << 6;
    const DIFFERING_LENGTHS: u16 = 1 << 7;
    /// Exactly one `transfer-encoding` field, and it says `chunked`.
    const CHUNKED: u16 = 1 << 8;
    /// A `transfer-encoding` that is anything else (another coding, a second field).
    const OTHER_CODING: u16 = 1 << 9;
    /// `connection` tokens.
    const CLOSE: u16 = 1 << 10;
    const KEEP_ALIVE: u16 = 1 << 11;

    /// Notes the field `name: value`.
    fn note(&mut self, name: &HeaderName, value: &[u8]) {
        match *name {
            TRANSFER_ENCODING => {
                let first = !self.has(Seen::TRANSFER_ENCODING);
                if first && value.eq_ignore_ascii_case(b"chunked") {
                    self.bits |= Seen::CHUNKED;
                } else {
                    self.bits = self.bits & !Seen::CHUNKED | Seen::OTHER_CODING;
                }
                self.bits |= Seen::TRANSFER_ENCODING;
            }
            CONTENT_LENGTH => {
                for part in value.split(|&b| b == b',') {
                    match parse_len(part.trim_ascii()) {
                        None => self.bits |= Seen::BAD_LENGTH,
                        Some(n) if self.has(Seen::CONTENT_LENGTH) && n != self.length => {
                            self.bits |= Seen::DIFFERING_LENGTHS;
                        }
                        Some(n) => self.length = n,
                    }
                    self.bits |= Seen::CONTENT_LENGTH;
                }
            }
            HOST if self.has(Seen::HOST) => self.bits |= Seen::SECOND_HOST,
            HOST => self.bits |= Seen::HOST,
            CONNECTION => {
                for token in value.split(|&b| b == b',') {
                    let token = token.trim_ascii();
                    if token.eq_ignore_ascii_case(b"close") {
                        self.bits |= Seen::CLOSE;
                    } else if token.eq_ignore_ascii_case(b"keep-alive") {
                        self.bits |= Seen::KEEP_ALIVE;
                    }
                }
            }
            EXPECT if !self.has(Seen::EXPECT) => {
                if value.eq_ignore_ascii_case(b"100-continue") {
                    self.bits |= Seen::EXPECT_CONTINUE;
                }
                self.bits |= Seen::EXPECT;
            }
            _ => {}
        }
    }

    fn has(self, bits: u16) -> bool {
        self.bits & bits != 0
    }

    /// The body framing the fields declare: `Ok(None)` if they declare none.
    ///
    /// # Errors
    ///
    /// RFC 9112 §6.3 violations: both `transfer-encoding` and `content-length`, a
    /// transfer coding other than a lone `chunked` (or any on HTTP/1.0), differing or
    /// malformed `content-length`s.
    fn framing(self, version: Version) -> Result<Option<Framing>, &'static str> {
        if self.has(Seen::TRANSFER_ENCODING) {
            if self.has(Seen::CONTENT_LENGTH) {
                return Err("both transfer-encoding and content-length");
            }
            if !self.has(Seen::CHUNKED) || version == Version::HTTP_10 {
                return Err("unsupported transfer-encoding");
            }
            return Ok(Some(Framing::Chunked));
        }
        if !self.has(Seen::CONTENT_LENGTH) {
            return Ok(None);
        }
        if self.has(Seen::BAD_LENGTH) {
            return Err("invalid content-length");
        }
        if self.has(Seen::DIFFERING_LENGTHS) {
            return Err("differing content-lengths");
        }
        Ok(Some(Framing::Length(self.length)))
    }

    /// Whether the connection stays open, by the rules of [`keep_alive`].
    fn keep_alive(self, version: Version) -> bool {
        !self.has(Seen::CLOSE) && (version == Version::HTTP_11 || self.has(Seen::KEEP_ALIVE))
    }
}

/// Fills the empty `map`; values are slices of `head`.
fn header_map(head: &Bytes, fields: &[Field], map: &mut HeaderMap) -> Option<Seen> {
    // Room for a few more fields than the head has: middleware and proxies commonly add
    // some (`forwarded`, `x-forwarded-for`, a request id), and a full map would have to
    // grow and rehash for the first of them.
    map.reserve(fields.len() + SPARE_FIELDS);
    let mut seen = Seen::default();
    for &[name_start, name_end, value_start, value_end] in fields {
        let name = HeaderName::from_bytes(&head[name_start..name_end]).ok()?;
        let value = HeaderValue::from_maybe_shared(head.slice(value_start..value_end)).ok()?;
        seen.note(&name, value.as_bytes());
        map.append(name, value);
    }
    Some(seen)
}

/// Fields a parsed map has room for beyond the head's own.
const SPARE_FIELDS: usize = 3;

fn parse_len(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u64, |n, &d| d.is_ascii_digit().then(|| n * 10 + u64::from(d - b'0')))
}

/// Whether the connection stays open after this message.
pub(crate) fn keep_alive(headers: &HeaderMap, version: Version) -> bool {
    let mut seen = Seen::default();
    for value in headers.get_all(CONNECTION) {
        seen.note(&CONNECTION, value.as_bytes());
    }
    seen.keep_alive(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (RequestHead, BytesMut) {
        let mut buf = BytesMut::from(bytes);
        let head = parse_request(&mut buf, 64 * 1024).unwrap().unwrap();
        (head, buf)
    }

    #[test]
    fn request_targets_keep_their_parts() {
        let (head, rest) = parse(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /next");
        assert_eq!(head.parts.uri, "/");
        assert_eq!(head.parts.uri.path(), "/");
        assert_eq!(head.parts.uri.query(), None);
        assert_eq!(&rest[..], b"GET /next");

        let (head, _) = parse(b"GET /p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!((head.parts.uri.path(), head.parts.uri.query()), ("/p", Some("q=1")));

        let (head, _) = parse(b"GET /? HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!((head.parts.uri.path(), head.parts.uri.query()), ("/", Some("")));

        let (head, _) = parse(b"GET http://h:8/x HTTP/1.1\r\nHost: h:8\r\n\r\n");
        assert_eq!(head.parts.uri.authority().map(|a| a.as_str()), Some("h:8"));
        assert_eq!(head.parts.uri.path(), "/x");

        let (head, _) = parse(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
        assert_eq!(head.parts.uri, "*");
    }

    #[test]
    fn fields_are_slices_of_the_head() {
        let (head, _) = parse(b"GET / HTTP/1.0\r\nHost: a\r\nX-One: 1\r\nx-one: 2\r\n\r\n");
        assert_eq!(head.parts.version, Version::HTTP_10);
        assert_eq!(head.parts.headers[HOST], "a");
        let ones: Vec<_> = head.parts.headers.get_all("x-one").iter().collect();
        assert_eq!(ones, ["1", "2"]);
        assert!(!head.keep_alive);
    }
}
