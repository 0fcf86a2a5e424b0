//! The least work any server pays per request to hand a handler an `http::Request`.
//!
//! Issue 9 asks for a handler API of `http::Request<Body>` → `http::Response<Body>` on
//! `httparse`, and for CPU per request within 10 % of a bare C epoll server. This program
//! measures the part of that which is the API's own, with nothing else around it: no
//! sockets, no runtime, no connection state, no response encoding. Each iteration
//!
//! 1. parses wrk's request (`GET / HTTP/1.1` with one `Host` field) with `httparse`,
//! 2. builds the `http::Request` the way `svc-http` does (the fields appended to the
//!    parts' own map, the value a slice of the head, no copy; the default `/` URI kept),
//! 3. drops it, and makes and drops a `Hello World!` `http::Response`.
//!
//! Count its instructions with callgrind, at two iteration counts so that start-up
//! cancels out:
//!
//! ```sh
//! cargo build --release -p benches --bin http_floor
//! for n in 100000 200000; do
//!   valgrind --tool=callgrind --callgrind-out-file=floor.$n target/release/http_floor $n
//! done
//! # instructions per request = (total(200000) - total(100000)) / 100000
//! ```
//!
//! Without valgrind it prints the wall time per iteration (hot caches: a lower bound of
//! what the same work costs between two system calls in a server).

use std::hint::black_box;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use http::{HeaderName, HeaderValue, Method, Request, Response, Version};

/// What `wrk` sends.
const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n\r\n";

fn main() {
    let iterations: u64 = match std::env::args().nth(1).map(|arg| arg.parse()) {
        None => 1_000_000,
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            eprintln!("usage: http_floor [ITERATIONS]: {e}");
            std::process::exit(2);
        }
    };
    let mut buf = BytesMut::with_capacity(64 * 1024);
    let mut fields = 0;
    let start = Instant::now();
    for _ in 0..iterations {
        if buf.capacity() < REQUEST.len() {
            buf = BytesMut::with_capacity(64 * 1024);
        }
        buf.extend_from_slice(REQUEST);
        match one(&mut buf) {
            Some(n) => fields += n,
            None => {
                eprintln!("http_floor: the request did not parse");
                std::process::exit(1);
            }
        }
    }
    let per = start.elapsed().as_nanos() / u128::from(iterations.max(1));
    println!("{iterations} iterations, {per} ns each (hot caches), {fields} fields seen");
}

/// One request in and out; `None` if it does not parse (it always does).
#[inline(never)]
fn one(buf: &mut BytesMut) -> Option<usize> {
    let mut slots = [MaybeUninit::<httparse::Header<'_>>::uninit(); 16];
    let mut req = httparse::Request::new(&mut []);
    let len = match req.parse_with_uninit_headers(buf, &mut slots) {
        Ok(httparse::Status::Complete(len)) => len,
        _ => return None,
    };
    let method = Method::from_bytes(req.method?.as_bytes()).ok()?;
    let field = req.headers.first()?;
    let (name, value) = (span(buf, field.name.as_bytes()), span(buf, field.value));
    let head: Bytes = buf.split_to(len).freeze();
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.headers.reserve(1);
    let name = HeaderName::from_bytes(&head[name]).ok()?;
    let value = HeaderValue::from_maybe_shared(head.slice(value)).ok()?;
    parts.headers.append(name, value);
    parts.method = method;
    parts.version = Version::HTTP_11;
    let request = Request::from_parts(parts, ());
    let seen = black_box(&request).headers().len();
    drop(request);
    drop(head);
    let response = Response::new(Bytes::from_static(b"Hello World!\n"));
    drop(black_box(response));
    Some(seen)
}

/// Where `part` lies inside `base` (a slice of it).
fn span(base: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - base.as_ptr() as usize;
    start..start + part.len()
}
