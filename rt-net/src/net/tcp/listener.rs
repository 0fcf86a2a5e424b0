//! `TcpListener`: a listening TCP socket on the reactor.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{ready, Context, Poll};

use rt_core::io::{Interest, PollEvented};

use super::{TcpSocket, TcpStream};
use crate::dns::to_socket_addrs;
use crate::net::backoff::Backoff;
use crate::net::error::{context, no_address};
use crate::ToSocketAddrs;

type MioListener = mio::net::TcpListener;

/// The listen backlog of [`TcpListener::bind`]: how many connections the kernel queues
/// before `accept` takes them (capped by the kernel at `net.core.somaxconn`).
///
/// 1,024, so that a burst of thousands of connections is not met with dropped SYNs
/// (and the clients' one-second retransmission delay), as a backlog of 128 would be.
pub const DEFAULT_BACKLOG: u32 = 1024;

/// A TCP socket listening for connections, registered with the runtime's reactor.
///
/// # Examples
///
/// The hello-world server:
///
/// ```no_run
/// use futures::io::AsyncWriteExt;
/// use rt_net::net::TcpListener;
///
/// # async fn serve() -> std::io::Result<()> {
/// let listener = TcpListener::bind("127.0.0.1:8080").await?;
/// loop {
///     let (mut socket, _peer) = listener.accept().await?;
///     rt_sched::spawn(async move {
///         let _ = socket.write_all(b"Hello World").await;
///     });
/// }
/// # }
/// ```
pub struct TcpListener {
    io: PollEvented<MioListener>,
    backoff: Backoff,
}

impl TcpListener {
    /// Binds to `addr` (with `SO_REUSEADDR`, so a restarted server gets its port back)
    /// and listens with a backlog of [`DEFAULT_BACKLOG`]. `addr` is an address or a
    /// `"host:port"` name resolved on the blocking pool (see [`ToSocketAddrs`]); when it
    /// resolves to several addresses, the first that binds is used. Port 0 asks the OS
    /// for a free port; [`local_addr`](TcpListener::local_addr) tells which.
    ///
    /// Use [`TcpSocket`] for other options or another backlog.
    ///
    /// # Errors
    ///
    /// When the name cannot be resolved; when every address fails, the error of the
    /// last one (`AddrInUse`, `AddrNotAvailable`, `PermissionDenied` for a privileged
    /// port, ..., with the address in the message); or when called outside a runtime
    /// with I/O enabled.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe (nothing is kept if the future is dropped).
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        let mut last_err = None;
        for addr in to_socket_addrs(&addr).await? {
            match TcpListener::bind_addr(addr) {
                Ok(listener) => return Ok(listener),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(no_address))
    }

    fn bind_addr(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = TcpSocket::new_for_addr(&addr)?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(DEFAULT_BACKLOG)
    }

    /// Registers a listening mio socket.
    pub(super) fn from_mio(listener: MioListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: PollEvented::new_with_interest(listener, Interest::READABLE)?,
            backoff: Backoff::new(),
        })
    }

    /// Wraps a standard-library listener (it is put in non-blocking mode) and registers
    /// it with the current runtime's reactor. Its backlog is whatever it was created
    /// with (128 for `std::net::TcpListener::bind`).
    ///
    /// # Errors
    ///
    /// When the listener cannot be made non-blocking, or when called outside a runtime
    /// with I/O enabled.
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::from_mio(MioListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a standard-library listener, still in
    /// non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the reactor refuses to deregister it.
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        self.io.into_inner().map(std::net::TcpListener::from)
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Any number of tasks may accept on one listener at once. Failures that concern
    /// one pending connection (`ECONNABORTED`, ...) are skipped. When the process is
    /// out of file descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`) the
    /// call does not fail and does not spin: it waits 1 ms, then twice as long after
    /// each new failure (at most 256 ms), and tries again. Connections already accepted
    /// keep being served meanwhile. The wait is a timer when the runtime has time
    /// enabled, a sleeping blocking-pool thread otherwise; polled outside any runtime,
    /// the call waits for the next incoming connection before it tries again.
    ///
    /// # Errors
    ///
    /// When the listener itself fails or the runtime has shut down (the message says
    /// `accept on <address>`), or when the accepted connection cannot be registered.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is only taken from the kernel's queue when the call
    /// returns it.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (socket, peer) = self
            .backoff
            .accept(&self.io, MioListener::accept)
            .await
            .map_err(|e| self.accept_error(e))?;
        Ok((TcpStream::new(socket)?, peer))
    }

    /// Polls for a connection: the poll-based form of [`accept`](TcpListener::accept),
    /// with the same handling of failures (the listener keeps the pause of a back-off
    /// and wakes `cx` when it is over).
    ///
    /// Only the waker of the last call is kept: poll from one task at a time (several
    /// tasks accepting at once should use `accept`).
    ///
    /// # Errors
    ///
    /// As [`accept`](TcpListener::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let accepted = ready!(self.backoff.poll_accept(cx, &self.io, MioListener::accept));
        let (socket, peer) = accepted.map_err(|e| self.accept_error(e))?;
        Poll::Ready(Ok((TcpStream::new(socket)?, peer)))
    }

    /// An error that ends an accept, with the listener's address.
    fn accept_error(&self, err: io::Error) -> io::Error {
        match self.local_addr() {
            Ok(addr) => context(err, format_args!("accept on {addr}")),
            Err(_) => context(err, "accept"),
        }
    }

    /// The local address the listener is bound to.
    ///
    /// # Errors
    ///
    /// When the OS cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets the IP time-to-live of the packets of accepted connections (`IP_TTL`).
    ///
    /// # Errors
    ///
    /// When the OS rejects the value.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}
