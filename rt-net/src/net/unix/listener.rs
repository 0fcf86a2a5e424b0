//! [`UnixListener`]: accepts connections on a Unix domain socket path.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{ready, Context, Poll};

use rt_core::io::{Interest, PollEvented};

use super::UnixStream;
use crate::net::backoff::Backoff;
use crate::net::error::context;

type MioListener = mio::net::UnixListener;

/// A Unix domain socket server, listening for [`UnixStream`] connections.
///
/// # Running out of file descriptors
///
/// When accepting fails because the process or the system is out of file descriptors
/// (`EMFILE`, `ENFILE`) or buffers (`ENOBUFS`, `ENOMEM`), [`accept`](Self::accept) and
/// [`poll_accept`](Self::poll_accept) do not return the error and do not retry in a busy
/// loop: they pause (1 ms, doubling up to 256 ms) and try again, so the connections
/// already open keep being served and new ones are accepted as soon as descriptors are
/// free (the same rule as the TCP listener). The pause is a timer when the runtime has
/// time enabled, a sleeping blocking-pool thread otherwise; polled outside any runtime,
/// `accept` waits for the next incoming connection before it tries again.
///
/// # Panics
///
/// No method panics. Created outside a runtime with I/O enabled, constructors return an
/// error rather than a socket that would never wake.
///
/// # Examples
///
/// ```no_run
/// use futures::io::AsyncWriteExt;
/// use rt_net::UnixListener;
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = UnixListener::bind("/tmp/hello.sock")?;
/// loop {
///     let (mut stream, _) = listener.accept().await?;
///     rt_sched::spawn(async move {
///         stream.write_all(b"hello\n").await.ok();
///     });
/// }
/// # }
/// ```
pub struct UnixListener {
    io: PollEvented<MioListener>,
    backoff: Backoff,
}

impl UnixListener {
    /// Creates a listener bound to `path`. The socket file must not exist yet; it is not
    /// removed when the listener is dropped.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when the path exists, other errors from the OS (for example a path
    /// longer than the platform's limit of about 100 bytes), and an error when called
    /// outside a runtime with I/O enabled.
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let path = path.as_ref();
        let listener = MioListener::bind(path)
            .map_err(|e| context(e, format_args!("bind a unix listener to {}", path.display())))?;
        UnixListener::new(listener)
    }

    fn new(listener: MioListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::new_with_interest(listener, Interest::READABLE)?,
            backoff: Backoff::new(),
        })
    }

    /// Wraps a standard library listener, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the mode cannot be set, or when called outside a runtime with I/O enabled.
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(MioListener::from_std(listener))
    }

    /// Turns the listener back into a standard library listener, deregistering it from
    /// the reactor. It is still in non-blocking mode.
    ///
    /// # Errors
    ///
    /// When deregistration fails.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        self.io.into_inner().map(std::os::unix::net::UnixListener::from)
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Takes the pending `SO_ERROR` of the socket, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Waits for the next connection and returns it with the peer's address (usually
    /// unnamed). Any number of tasks may wait at once.
    ///
    /// # Errors
    ///
    /// When the listener itself fails or the runtime has shut down (the message says
    /// `accept on <path>`; see the type's docs for running out of descriptors, and a
    /// connection that went away before it was accepted, `ECONNABORTED`, is skipped), or
    /// when the accepted connection cannot be registered.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is only taken from the backlog when the future completes.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self
            .backoff
            .accept(&self.io, MioListener::accept)
            .await
            .map_err(|e| self.accept_error(e))?;
        Ok((UnixStream::from_mio(stream)?, addr))
    }

    /// Polls for the next connection. Only the waker of the last call is kept: use
    /// [`accept`](Self::accept) when several tasks accept on one listener.
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let accepted = ready!(self.backoff.poll_accept(cx, &self.io, MioListener::accept));
        let (stream, addr) = accepted.map_err(|e| self.accept_error(e))?;
        Poll::Ready(Ok((UnixStream::from_mio(stream)?, addr)))
    }

    /// An error that ends an accept, with the listener's path.
    fn accept_error(&self, err: io::Error) -> io::Error {
        match self.local_addr().ok().as_ref().and_then(SocketAddr::as_pathname) {
            Some(path) => context(err, format_args!("accept on {}", path.display())),
            None => context(err, "accept on a unix socket"),
        }
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("local_addr", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
