//! The server side: [`serve_connection`] over any `AsyncRead + AsyncWrite` stream, and
//! [`Server`], an accept loop with graceful shutdown.
//!
//! A connection is served by a [`Service`](svc_trait::Service)`<http::Request<Body>,
//! Response = http::Response<Body>>`: keep-alive, pipelining (answered in order),
//! HTTP/1.0, `connection: close` and `Expect: 100-continue` are handled here.
//!
//! # Strictness
//!
//! | input | answer |
//! |---|---|
//! | malformed request line or header field, obsolete line folding | `400`, close |
//! | both `transfer-encoding` and `content-length`, differing `content-length`s, a transfer coding other than `chunked` | `400`, close |
//! | a head over [`Config::max_head_size`] (64 KiB) or over 100 fields | `431`, close |
//! | a body over [`Config::max_body_size`] | `413`, close |
//! | bad chunked framing | `400`, close |
//! | no complete head within [`Config::header_timeout`] | `408`, close |
//! | idle keep-alive connection past [`Config::keep_alive_timeout`] | close |
//!
//! After a rejection the server stops writing, reads and drops the client's remaining
//! input for up to a second, then closes, so the client reads the error response
//! instead of a connection reset.

mod accept;
mod chan;
mod config;
mod conn;
mod stop;

pub use accept::Server;
pub use config::Config;
pub use conn::{serve_connection, serve_connection_with_shutdown};
pub use stop::StopSignal;
