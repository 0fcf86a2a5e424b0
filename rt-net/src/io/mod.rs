//! Copying between `futures-io` streams: [`copy_bidirectional`] for proxies, [`copy`]
//! for one direction.
//!
//! These work on any [`futures_io::AsyncRead`] / [`futures_io::AsyncWrite`] pair (this
//! crate's sockets and files, in-memory pipes, TLS streams) and spend the task's
//! cooperative budget as they go (see `rt_core::coop`), so a fast pair of streams
//! cannot hold a worker.

mod copy;
mod copy_bidirectional;
mod copy_buffer;

pub use copy::{copy, copy_with_size};
pub use copy_bidirectional::{copy_bidirectional, copy_bidirectional_with_sizes};

/// The error for a copy buffer of 0 bytes (which could never move a byte).
fn zero_buf_size() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "copy buffer size must be at least 1 byte",
    )
}
