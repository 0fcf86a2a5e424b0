//! [`UdpSocket`]: an async UDP socket registered with the runtime's reactor.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};

use rt_core::io::{Interest, PollEvented, Ready};

use crate::net::error::context;
use crate::ToSocketAddrs;

/// A UDP socket.
///
/// UDP is connectionless: a socket [`bind`](UdpSocket::bind)s to a local address and
/// then either exchanges datagrams with any peer ([`send_to`](UdpSocket::send_to) /
/// [`recv_from`](UdpSocket::recv_from)) or, after [`connect`](UdpSocket::connect), with
/// one peer only ([`send`](UdpSocket::send) / [`recv`](UdpSocket::recv)).
///
/// Every method takes `&self`, so one socket can be shared through an
/// [`Arc`](std::sync::Arc) by a task that sends and a task that receives, or by many tasks
/// of each kind: the `async` methods queue any number of waiting tasks. The `poll_*`
/// methods are the exception: they keep a single waker per direction (see each).
///
/// # Panics
///
/// No method panics. Created outside a runtime with I/O enabled, constructors return an
/// error rather than a socket that would never wake.
///
/// # Examples
///
/// An echo server:
///
/// ```no_run
/// use rt_net::UdpSocket;
///
/// # async fn run() -> std::io::Result<()> {
/// let socket = UdpSocket::bind("127.0.0.1:8080").await?;
/// let mut buf = [0u8; 1500];
/// loop {
///     let (n, peer) = socket.recv_from(&mut buf).await?;
///     socket.send_to(&buf[..n], peer).await?;
/// }
/// # }
/// ```
pub struct UdpSocket {
    io: PollEvented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Creates a socket bound to `addr`, trying each address it resolves to in turn.
    ///
    /// Binding to port 0 lets the OS pick a free port; [`local_addr`](Self::local_addr)
    /// tells which.
    ///
    /// # Errors
    ///
    /// The error of the last address tried when none could be bound (for example
    /// `AddrInUse`), an error when `addr` resolves to no address, and an error when called
    /// outside a runtime with I/O enabled.
    ///
    /// # Cancel safety
    ///
    /// Cancelling only drops the resolution in progress; no socket is left behind.
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last_err = None;
        for addr in crate::lookup_host(addr).await? {
            match mio::net::UdpSocket::bind(addr) {
                Ok(socket) => return UdpSocket::new(socket),
                Err(e) => last_err = Some(context(e, format_args!("bind a UDP socket to {addr}"))),
            }
        }
        Err(last_err.unwrap_or_else(|| no_address("bind")))
    }

    fn new(socket: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: PollEvented::new(socket)?,
        })
    }

    /// Wraps a standard library socket, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the mode cannot be set, or when called outside a runtime with I/O enabled.
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Turns the socket back into a standard library socket, deregistering it from the
    /// reactor. The returned socket is still in non-blocking mode; call
    /// `set_nonblocking(false)` for blocking use.
    ///
    /// # Errors
    ///
    /// When deregistration fails.
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        self.io.into_inner().map(std::net::UdpSocket::from)
    }

    /// Sets the default peer: [`send`](Self::send) goes to it and [`recv`](Self::recv)
    /// only receives from it. Tries each address `addr` resolves to until one works.
    ///
    /// # Errors
    ///
    /// The error of the last address tried, or an error when `addr` resolves to no
    /// address.
    ///
    /// # Cancel safety
    ///
    /// Cancelling during resolution leaves the socket as it was.
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let mut last_err = None;
        for addr in crate::lookup_host(addr).await? {
            match self.io.get_ref().connect(addr) {
                Ok(()) => return Ok(()),
                Err(e) => last_err = Some(context(e, format_args!("connect a UDP socket to {addr}"))),
            }
        }
        Err(last_err.unwrap_or_else(|| no_address("connect")))
    }

    /// The local address the socket is bound to.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer set by [`connect`](Self::connect).
    ///
    /// # Errors
    ///
    /// `NotConnected` when the socket is not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Waits until the socket is ready for any of `interest` and returns the readiness
    /// seen. The readiness may be spurious: a following `try_*` call can still return
    /// `WouldBlock`.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses nothing.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        Ok(self.io.readiness(interest).await?.ready())
    }

    /// Waits until the socket may be readable (see [`ready`](Self::ready)).
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

    /// Waits until the socket may be writable (see [`ready`](Self::ready)).
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

    /// Polls for read readiness. Only the waker of the last call is kept: use
    /// [`readable`](Self::readable) when several tasks wait.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx).map_ok(drop)
    }

    /// Polls for write readiness. Only the waker of the last call is kept: use
    /// [`writable`](Self::writable) when several tasks wait.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx).map_ok(drop)
    }

    /// Sends `buf` as one datagram to the connected peer; returns the bytes sent.
    ///
    /// # Errors
    ///
    /// `NotConnected` (or the OS's equivalent) before [`connect`](Self::connect), an error
    /// the OS reports (for example `ConnectionRefused` after an ICMP port-unreachable),
    /// or the runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is either sent whole before the future completes or not
    /// at all.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.async_io(Interest::WRITABLE, |s| s.send(buf)).await
    }

    /// Polls sending `buf` to the connected peer. Only the waker of the last call is kept.
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

    /// Receives one datagram from the connected peer into `buf`; returns its length. The
    /// part of a datagram that does not fit in `buf` is discarded.
    ///
    /// # Errors
    ///
    /// An error the OS reports (for example `ConnectionRefused`), or the runtime shutting
    /// down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no datagram is consumed unless the future completes.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.recv(buf)).await
    }

    /// Polls receiving one datagram from the connected peer. Only the waker of the last
    /// call is kept.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_read_io(cx, |s| s.recv(buf))
    }

    /// Receives from the connected peer if a datagram is waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is, otherwise as [`recv`](Self::recv).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.recv(buf))
    }

    /// Receives one datagram from the connected peer without removing it from the queue.
    ///
    /// # Errors
    ///
    /// As [`recv`](Self::recv).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Sends `buf` as one datagram to `target` (resolved first; the first address is
    /// used). Returns the bytes sent.
    ///
    /// # Errors
    ///
    /// When `target` resolves to no address, an error the OS reports (for example
    /// `PermissionDenied` for a broadcast address without [`set_broadcast`]), or the
    /// runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a datagram is either sent whole before the future completes or not
    /// at all.
    ///
    /// [`set_broadcast`]: Self::set_broadcast
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = crate::lookup_host(target)
            .await?
            .next()
            .ok_or_else(|| no_address("send_to"))?;
        self.io.async_io(Interest::WRITABLE, |s| s.send_to(buf, target)).await
    }

    /// Polls sending `buf` to `target`. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`send_to`](Self::send_to).
    pub fn poll_send_to(&self, cx: &mut Context<'_>, buf: &[u8], target: SocketAddr) -> Poll<io::Result<usize>> {
        self.io.poll_write_io(cx, |s| s.send_to(buf, target))
    }

    /// Sends to `target` if the socket is writable now.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when it is not, otherwise as [`send_to`](Self::send_to).
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Receives one datagram into `buf`; returns its length and sender. The part of a
    /// datagram that does not fit in `buf` is discarded.
    ///
    /// # Errors
    ///
    /// An error the OS reports, or the runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: no datagram is consumed unless the future completes.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.async_io(Interest::READABLE, |s| s.recv_from(buf)).await
    }

    /// Polls receiving one datagram. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_recv_from(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_read_io(cx, |s| s.recv_from(buf))
    }

    /// Receives a datagram if one is waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is, otherwise as [`recv_from`](Self::recv_from).
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.recv_from(buf))
    }

    /// Receives one datagram without removing it from the queue: the next
    /// `recv_from` returns the same datagram.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.async_io(Interest::READABLE, |s| s.peek_from(buf)).await
    }

    /// Polls peeking at the next datagram. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_peek_from(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<(usize, SocketAddr)>> {
        self.io.poll_read_io(cx, |s| s.peek_from(buf))
    }

    /// Peeks at the next datagram if one is waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is, otherwise as [`recv_from`](Self::recv_from).
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |s| s.peek_from(buf))
    }

    /// Polls the sender of the next datagram without consuming it. Only the waker of the
    /// last call is kept.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    pub fn poll_peek_sender(&self, cx: &mut Context<'_>) -> Poll<io::Result<SocketAddr>> {
        self.io.poll_read_io(cx, |s| s.peek_from(&mut []).map(|(_, addr)| addr))
    }

    /// The sender of the next datagram, without consuming it.
    ///
    /// # Errors
    ///
    /// As [`recv_from`](Self::recv_from).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn peek_sender(&self) -> io::Result<SocketAddr> {
        poll_fn(|cx| self.poll_peek_sender(cx)).await
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets `SO_BROADCAST`: whether datagrams may be sent to a broadcast address.
    ///
    /// # Errors
    ///
    /// When the OS refuses.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// Whether IPv4 multicast datagrams sent by this socket loop back to local sockets.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it (for example on an IPv6 socket).
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example on an IPv6 socket).
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v4(on)
    }

    /// The time-to-live of IPv4 multicast datagrams sent by this socket.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.get_ref().multicast_ttl_v4()
    }

    /// Sets `IP_MULTICAST_TTL` (1, the default, keeps datagrams in the local network).
    ///
    /// # Errors
    ///
    /// When the OS refuses.
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_multicast_ttl_v4(ttl)
    }

    /// Whether IPv6 multicast datagrams sent by this socket loop back to local sockets.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it (for example on an IPv4 socket).
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.get_ref().multicast_loop_v6()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example on an IPv4 socket).
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_multicast_loop_v6(on)
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with address
    /// `interface` (`0.0.0.0` lets the OS choose).
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example `multiaddr` is not a multicast address).
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().join_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with index `interface`
    /// (0 lets the OS choose).
    ///
    /// # Errors
    ///
    /// When the OS refuses.
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves an IPv4 multicast group joined with
    /// [`join_multicast_v4`](Self::join_multicast_v4).
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example the group was not joined).
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves an IPv6 multicast group joined with
    /// [`join_multicast_v6`](Self::join_multicast_v6).
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example the group was not joined).
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.get_ref().leave_multicast_v6(multiaddr, interface)
    }

    /// The `IP_TTL` of datagrams sent by this socket.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `IP_TTL`.
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example a TTL of 0 or above 255).
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// Takes the pending `SO_ERROR` of the socket, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }
}

/// The error for an address argument that resolved to nothing.
fn no_address(op: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("udp {op}: the address resolved to no socket address"),
    )
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
