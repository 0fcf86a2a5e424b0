//! The client side: [`send_request`] over one connection, and [`Pool`], a per-endpoint
//! connection pool that is a [`Service`](svc_trait::Service)`<http::Request<Body>>`.
//!
//! A balancer holds one [`Pool`] per endpoint; retries and buffering wrap it as any
//! other service. Its errors tell connection failures apart (see [`Error`](crate::Error)).

mod conn;
mod pool;

pub use conn::send_request;
pub use pool::{Pool, PoolConfig, ResponseFuture};
