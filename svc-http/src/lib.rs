//! A small, strict HTTP/1.1 server and client for [`svc_trait`] services on `rt-sched`.
//!
//! - [`server`]: [`serve_connection`](server::serve_connection) serves a
//!   `Service<http::Request<Body>, Response = http::Response<Body>>` over any
//!   `AsyncRead + AsyncWrite` stream (keep-alive, pipelining, HTTP/1.0,
//!   `connection: close`, `Expect: 100-continue`), and [`Server`](server::Server) is an
//!   accept loop with graceful shutdown.
//! - [`client`]: [`send_request`](client::send_request) over one connection, and
//!   [`Pool`](client::Pool), a per-endpoint connection pool that is itself a
//!   `Service<http::Request<Body>>`.
//! - [`Body`]: a body streamed as [`bytes::Bytes`] chunks, with a size hint; framed by
//!   `content-length`, chunked transfer-encoding or (responses) the end of the connection,
//!   and never buffered whole by the codec.
//!
//! With the `retry` feature, [`Body`] implements `svc_retry::standard::ReplayBody`, so
//! the retry layer can replay requests whose bodies were made
//! [`replayable`](Body::replayable).
//!
//! Heads are parsed in place with `httparse`; URIs and header values are slices of the
//! connection's read buffer, and so are body chunks. The read buffer is released while a
//! keep-alive connection is idle.
//!
//! # Examples
//!
//! ```no_run
//! use std::convert::Infallible;
//! use svc_http::{server::Server, Body};
//! use svc_trait::service_fn;
//!
//! #[rt_sched::main]
//! async fn main() -> std::io::Result<()> {
//!     let hello = service_fn(|_req: http::Request<Body>| async {
//!         Ok::<_, Infallible>(http::Response::new(Body::from("Hello World")))
//!     });
//!     Server::bind("127.0.0.1:8080").await?.serve(hello).await
//! }
//! ```
#![forbid(unsafe_code)]

mod body;
pub mod client;
mod error;
mod io;
mod proto;
#[cfg(feature = "retry")]
mod retry;
pub mod server;

pub use body::{Body, SizeHint};
pub use error::{BoxError, Error};
