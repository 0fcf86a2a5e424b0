//! [`UnixDatagram`]: a Unix domain datagram socket.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use rt_core::io::{Interest, PollEvented, Ready};

use crate::net::error::context;

/// A Unix domain datagram socket: message boundaries are kept and, unlike UDP, delivery
/// is reliable and ordered on one machine.
///
/// Like [`UdpSocket`](crate::UdpSocket), every method takes `&self` so one socket can be
/// shared through an [`Arc`](std::sync::Arc) by sending and receiving tasks; the `poll_*`
/// methods keep a single waker per direction.
///
/// # Panics
///
/// No method panics. Created outside a runtime with I/O enabled, constructors return an
/// error rather than a socket that would never wake.
///
/// # Examples
///
/// ```no_run
/// use rt_net::UnixDatagram;
///
/// # async fn run() -> std::io::Result<()> {
/// let (a, b) = UnixDatagram::pair()?;
/// a.send(b"hello").await?;
/// let mut buf = [0u8; 16];
/// let n = b.recv(&mut buf).await?;
/// assert_eq!(&buf[..n], b"hello");
/// # Ok(())
/// # }
/// ```
pub struct UnixDatagram {
    io: PollEvented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket bound to `path` (which must not exist yet; it is not removed on
    /// drop).
    ///
    /// # Errors
    ///
    /// `AddrInUse` when the path exists, other OS errors, and an error when called outside
    /// a runtime with I/O enabled.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let path = path.as_ref();
        let socket = mio::net::UnixDatagram::bind(path)
            .map_err(|e| context(e, format_args!("bind a unix datagram socket to {}", path.display())))?;
        UnixDatagram::new(socket)
    }

    /// Creates a socket bound to no address: it can send, and receive replies only after
    /// [`connect`](Self::connect) (peers cannot address it otherwise).
    ///
    /// # Errors
    ///
    /// When the OS cannot create the socket, or when called outside a runtime with I/O
    /// enabled.
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    /// A pair of connected, unnamed sockets.
    ///
    /// # Errors
    ///
    /// When the OS cannot create the sockets, or when called outside a runtime with I/O
    /// enabled.
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    fn new(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a standard library socket, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the mode cannot be set, or when called outside a runtime with I/O enabled.
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Turns the socket back into a standard library socket, deregistering it from the
    /// reactor. It is still in non-blocking mode.
    ///
    /// # Errors
    ///
    /// When deregistration fails.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        self.io.into_inner().map(std::os::unix::net::UnixDatagram::from)
    }

    /// Sets the default peer: [`send`](Self::send) goes to it and [`recv`](Self::recv)
    /// only receives from it.
    ///
    /// # Errors
    ///
    /// When nothing is bound at `path`, and other OS errors.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        self.io
            .get_ref()
            .connect(path)
            .map_err(|e| context(e, format_args!("connect a unix datagram socket to {}", path.display())))
    }

    /// The local address (unnamed for [`unbound`](Self::unbound) and
    /// [`pair`](Self::pair) sockets).
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer set by [`connect`](Self::connect) or [`pair`](Self::pair).
    ///
    /// # Errors
    ///
    /// `NotConnected` when there is none.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down receiving, sending or both.
    ///
    /// # Errors
    ///
    /// When the OS refuses.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Takes the pending `SO_ERROR` of the socket, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Waits until the socket is ready for any of `interest` and returns the readiness
    /// seen. It may be spurious: a following `try_*` call can still return `WouldBlock`.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        Ok(self.io.readiness(interest).await?.ready())
    }

    /// Waits until the socket may be readable.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the socket may be writable.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Polls for read readiness. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx).map_ok(drop)
    }

    /// Polls for write readiness. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx).map_ok(drop)
    }

    /// Sends `buf` as one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` without a peer, `ConnectionRefused` when the peer is gone, other OS
    /// errors (for example `EMSGSIZE` for a datagram larger than the socket buffer).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is sent whole before the future completes or not at all.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Polls sending to the connected peer. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`send`](Self::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send(buf))
    }

    /// Sends to the connected peer if the socket is writable now.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when it is not, otherwise as [`send`](Self::send).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send(buf))
    }

    /// Receives one datagram from the connected peer; the part that does not fit in
    /// `buf` is discarded.
    ///
    /// # Errors
    ///
    /// OS errors, or the runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no datagram is consumed unless the future completes.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Polls receiving one datagram. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, |s| s.recv(buf))
    }

    /// Receives a datagram if one is waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is, otherwise as [`recv`](Self::recv).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Sends `buf` as one datagram to the socket bound at `target`.
    ///
    /// # Errors
    ///
    /// `NotFound` / `ConnectionRefused` when nothing is bound there, other OS errors.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is sent whole before the future completes or not at all.
    pub async fn send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io.async_io(Interest::WRITABLE, |s| s.send_to(buf, target)).await
    }

    /// Polls sending to `target`. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`send_to`](Self::send_to).
    pub fn poll_send_to(&self, cx: &mut Context<'_>, buf: &[u8], target: impl AsRef<Path>) -> Poll<io::Result<usize>> {
        let target = target.as_ref();
        self.io.poll_write_io(cx, |s| s.send_to(buf, target))
    }

    /// Sends to `target` if the socket is writable now.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when it is not, otherwise as [`send_to`](Self::send_to).
    pub fn try_send_to(&self, buf: &[u8], target: impl AsRef<Path>) -> io::Result<usize> {
        let target = target.as_ref();
        self.io.try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives one datagram and the sender's address (unnamed when the sender is not
    /// bound).
    ///
    /// # Errors
    ///
    /// OS errors, or the runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no datagram is consumed unless the future completes.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.async_io(Interest::READABLE, |s| s.recv_from(buf)).await
    }

    /// Polls receiving one datagram and its sender. Only the waker of the last call is
    /// kept.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_recv_from(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_read_io(cx, |s| s.recv_from(buf))
    }

    /// Receives a datagram and its sender if one is waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is, otherwise as [`recv_from`](Self::recv_from).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
