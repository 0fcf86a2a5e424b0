//! The sockets and timers of each side, as far as the `net` workloads need them.
//!
//! [`NetRuntime`] extends a [`Runtime`] with the TCP types that side is measured with,
//! [`TimerRuntime`] with its `sleep`: rt-sched is paired with `rt_net` and
//! `rt_core::time`, tokio with `tokio::net` and `tokio::time`. The workloads are generic
//! over these traits, so both sides run the same server source; only the socket and
//! timer types differ.
//!
//! The small traits below ([`Listener`], [`Stream`]) mirror the tokio-shaped methods the
//! servers call. Their implementations only forward to each crate's own method (for
//! rt-net through `futures::io::{AsyncReadExt, AsyncWriteExt}`, for tokio through
//! `tokio::io::{AsyncReadExt, AsyncWriteExt}`), naming it with a path so a forward can
//! never call itself.

mod rt_net;
mod tokio;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use super::Runtime;

/// Listen backlog of both sides' listeners: rt-net's `TcpListener::bind` default.
///
/// tokio's `TcpListener::bind` listens with a backlog of 128 (mio's, the same as the
/// standard library's), which overflows in a 10,000-connection burst and costs the
/// clients whose SYN was dropped a one-second retransmission; tokio therefore binds
/// through a `TcpSocket` that listens with this backlog. A larger one would help both
/// sides alike (Linux caps it at `net.core.somaxconn`).
pub(crate) const LISTEN_BACKLOG: u32 = 1_024;

/// A runtime together with the TCP and timer types it is measured with.
pub(crate) trait NetRuntime: Runtime + 'static {
    /// A listening TCP socket.
    type Listener: Listener<Stream = Self::Stream>;

    /// A connected TCP socket.
    type Stream: Stream;

    /// Creates a listener bound to `addr` with a backlog of [`LISTEN_BACKLOG`]; must be
    /// called inside the runtime.
    fn bind(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Listener>> + Send;
}

/// A runtime together with its timer.
pub(crate) trait TimerRuntime: Runtime + 'static {
    /// Returns a timer that completes after `duration` (the runtime's own `sleep`).
    fn sleep(duration: Duration) -> impl Future<Output = ()> + Send;
}

/// A listening TCP socket.
pub(crate) trait Listener: Send + Sync + 'static {
    /// The connected socket `accept` yields.
    type Stream: Stream;

    /// Returns the address the listener is bound to.
    fn local_addr(&self) -> io::Result<SocketAddr>;

    /// Waits for the next connection.
    fn accept(&self) -> impl Future<Output = io::Result<Self::Stream>> + Send;
}

/// A connected TCP socket.
pub(crate) trait Stream: Send + 'static {
    /// Reads into `buf`; 0 at end of stream.
    fn read<'a>(&'a mut self, buf: &'a mut [u8]) -> impl Future<Output = io::Result<usize>> + Send + 'a;

    /// Writes all of `buf`.
    fn write_all<'a>(&'a mut self, buf: &'a [u8]) -> impl Future<Output = io::Result<()>> + Send + 'a;

    /// Waits until the socket is readable (or closed), without reading.
    fn readable(&self) -> impl Future<Output = io::Result<()>> + Send + '_;

    /// Reads into `buf` without waiting: `WouldBlock` when nothing is there.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;
}
