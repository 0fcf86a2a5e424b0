//! `TcpSocket`: a TCP socket configured before it connects or listens.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use super::{TcpListener, TcpStream};
use crate::net::error::context;

/// A TCP socket that has not connected or listened yet, for setting options that must
/// be set before (`SO_REUSEADDR`, `SO_REUSEPORT`, buffer sizes, a local address for an
/// outgoing connection) or for a listen backlog other than the default.
///
/// [`connect`](TcpSocket::connect) turns it into a [`TcpStream`],
/// [`listen`](TcpSocket::listen) into a [`TcpListener`]. The socket is created
/// non-blocking and close-on-exec; it joins the runtime's reactor only then, so
/// creating and configuring a `TcpSocket` works outside a runtime.
///
/// # Examples
///
/// A listener with a larger backlog and `SO_REUSEPORT`, so that several processes
/// can share the port:
///
/// ```no_run
/// use rt_net::net::TcpSocket;
///
/// # async fn serve() -> std::io::Result<()> {
/// let socket = TcpSocket::new_v4()?;
/// socket.set_reuseaddr(true)?;
/// socket.set_reuseport(true)?;
/// socket.bind("0.0.0.0:8080".parse().unwrap())?;
/// let listener = socket.listen(4096)?;
/// # drop(listener);
/// # Ok(())
/// # }
/// ```
pub struct TcpSocket {
    inner: Socket,
}

impl TcpSocket {
    /// Creates an IPv4 TCP socket.
    ///
    /// # Errors
    ///
    /// When the OS refuses a new socket (`EMFILE` when the process is out of file
    /// descriptors, ...).
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// Creates an IPv6 TCP socket.
    ///
    /// # Errors
    ///
    /// When the OS refuses a new socket (IPv6 disabled, `EMFILE`, ...).
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    /// A socket of the family of `addr`.
    pub(crate) fn new_for_addr(addr: &SocketAddr) -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::for_address(*addr))
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        let inner = crate::sys::socket::nonblocking_socket(domain, Type::STREAM, Some(Protocol::TCP))
            .map_err(|e| context(e, "create a TCP socket"))?;
        Ok(TcpSocket { inner })
    }

    /// Wraps a connected or unconnected standard socket, for setting options on it
    /// before [`connect`](TcpSocket::connect) or [`listen`](TcpSocket::listen). The
    /// socket is put in non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the socket cannot be made non-blocking.
    pub fn from_std_stream(stream: std::net::TcpStream) -> io::Result<TcpSocket> {
        stream.set_nonblocking(true)?;
        Ok(TcpSocket { inner: stream.into() })
    }

    /// Sets `SO_REUSEADDR`: allows binding to an address still in `TIME_WAIT` (what a
    /// restarting server needs; [`TcpListener::bind`] sets it).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_reuseaddr(&self, reuseaddr: bool) -> io::Result<()> {
        self.inner.set_reuse_address(reuseaddr)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn reuseaddr(&self) -> io::Result<bool> {
        self.inner.reuse_address()
    }

    /// Sets `SO_REUSEPORT`: several sockets (of this or other processes) may listen on
    /// the same port, the kernel spreading connections between them.
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_reuseport(&self, reuseport: bool) -> io::Result<()> {
        self.inner.set_reuse_port(reuseport)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn reuseport(&self) -> io::Result<bool> {
        self.inner.reuse_port()
    }

    /// Sets the size of the kernel's send buffer (`SO_SNDBUF`; Linux doubles it and
    /// caps it at `net.core.wmem_max`).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The size of the kernel's send buffer (`SO_SNDBUF`).
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate)
    }

    /// Sets the size of the kernel's receive buffer (`SO_RCVBUF`; Linux doubles it and
    /// caps it at `net.core.rmem_max`).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The size of the kernel's receive buffer (`SO_RCVBUF`).
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate)
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm: small writes are sent at once).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.inner.set_tcp_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.tcp_nodelay()
    }

    /// Sets `SO_KEEPALIVE` (the kernel probes an idle connection, with the system's
    /// default timings).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_keepalive(&self, keepalive: bool) -> io::Result<()> {
        self.inner.set_keepalive(keepalive)
    }

    /// Whether `SO_KEEPALIVE` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn keepalive(&self) -> io::Result<bool> {
        self.inner.keepalive()
    }

    /// Sets `SO_LINGER`. `Some(Duration::ZERO)` makes closing the socket reset the
    /// connection (RST) instead of a graceful FIN.
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        self.inner.set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        self.inner.linger()
    }

    /// Binds the socket to a local address (port 0: the OS picks one).
    ///
    /// # Errors
    ///
    /// When the address is in use (`AddrInUse`), not local (`AddrNotAvailable`), of
    /// the other family, or the socket is already bound. The error names the address.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner
            .bind(&SockAddr::from(addr))
            .map_err(|e| context(e, format_args!("bind to {addr}")))
    }

    /// The local address the socket is bound to.
    ///
    /// # Errors
    ///
    /// When the OS cannot read it, or it is not an IP address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        ip_addr(self.inner.local_addr()?)
    }

    /// Takes the pending `SO_ERROR`, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Connects to `addr`, turning the socket into a [`TcpStream`].
    ///
    /// # Errors
    ///
    /// When the connection fails: `ConnectionRefused` when nothing listens at `addr`,
    /// `TimedOut`, `NetworkUnreachable`, ... (the message names the address); or when
    /// there is no runtime with I/O enabled to register the stream with.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future closes the socket and abandons the
    /// connection attempt.
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let what = || format!("connect to {addr}");
        match self.inner.connect(&SockAddr::from(addr)) {
            Ok(()) => {}
            // The usual answer of a non-blocking connect: completion is signalled by
            // the socket becoming writable.
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(context(e, what())),
        }
        let std = std::net::TcpStream::from(self.inner);
        TcpStream::finish_connect(mio::net::TcpStream::from_std(std))
            .await
            .map_err(|e| context(e, what()))
    }

    /// Listens for connections with an accept queue of `backlog` (the kernel caps it at
    /// `net.core.somaxconn`), turning the socket into a [`TcpListener`].
    ///
    /// [`TcpListener::bind`] uses [`DEFAULT_BACKLOG`](super::DEFAULT_BACKLOG) (1,024).
    ///
    /// # Errors
    ///
    /// When the OS refuses to listen (`AddrInUse` for an unbound socket whose automatic
    /// port collides, ...), or when there is no runtime with I/O enabled to register
    /// the listener with.
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let backlog = i32::try_from(backlog).unwrap_or(i32::MAX);
        self.inner.listen(backlog).map_err(|e| {
            let addr = self
                .local_addr()
                .map_or_else(|_| "a socket".to_owned(), |a| a.to_string());
            context(e, format_args!("listen on {addr} (backlog {backlog})"))
        })?;
        // Room for the connections to come, so that accepting them never waits for a
        // descriptor-table resize (see `sys::fd_table`).
        crate::sys::fd_table::reserve_for_listener(self.inner.as_raw_fd(), backlog.unsigned_abs());
        let std = std::net::TcpListener::from(self.inner);
        TcpListener::from_mio(mio::net::TcpListener::from_std(std))
    }
}

/// A socket option in `usize`, as the `u32` of this API.
fn saturate(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

/// An IP socket address out of a generic one.
fn ip_addr(addr: SockAddr) -> io::Result<SocketAddr> {
    addr.as_socket()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the socket address is not an IP address"))
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.inner.as_raw_fd())
            .finish()
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}
