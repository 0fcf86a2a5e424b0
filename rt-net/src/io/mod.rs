//! Copying between `futures-io` streams, and the readiness types of the sockets.
//!
//! [`copy_bidirectional`] (for proxies) and [`copy`] (one direction) work on any
//! [`futures_io::AsyncRead`] / [`futures_io::AsyncWrite`] pair (this crate's sockets and
//! files, in-memory pipes, TLS streams) and spend the task's cooperative budget as they
//! go (see `rt_core::coop`), so a fast pair of streams cannot hold a worker.
//!
//! [`Interest`] and [`Ready`] are the argument and the result of the sockets' `ready`
//! methods ([`TcpStream::ready`](crate::TcpStream::ready) and the like). They are
//! `rt-core`'s types, re-exported here (as `tokio::io` re-exports its own) so that code
//! using `ready` needs no direct dependency on `rt-core`.
//!
//! # Examples
//!
//! ```
//! use rt_net::io::{Interest, Ready};
//! use rt_net::net::{TcpListener, TcpStream};
//!
//! # fn main() -> std::io::Result<()> {
//! let rt = rt_sched::Builder::new_current_thread().enable_all().build()?;
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let stream = TcpStream::connect(listener.local_addr()?).await?;
//!     let (_server, _) = listener.accept().await?;
//!     // Nothing was sent yet, so only writing is possible: the wait ends on that.
//!     let ready: Ready = stream.ready(Interest::READABLE | Interest::WRITABLE).await?;
//!     assert!(ready.is_writable());
//!     Ok(())
//! })
//! # }
//! ```

mod copy;
mod copy_bidirectional;
mod copy_buffer;

pub use copy::{copy, copy_with_size};
pub use copy_bidirectional::{copy_bidirectional, copy_bidirectional_with_sizes};
pub use rt_core::io::{Interest, Ready};

/// The error for a copy buffer of 0 bytes (which could never move a byte).
fn zero_buf_size() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "copy buffer size must be at least 1 byte",
    )
}
