//! [`UnixListener`]: accepts connections on a Unix domain socket path.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::task::{ready, Context, Poll};

use rt_core::io::{Interest, PollEvented};

use super::backoff::Backoff;
use super::UnixStream;
use crate::net::error::context;

/// A Unix domain socket server, listening for [`UnixStream`] connections.
///
/// # Running out of file descriptors
///
/// When accepting fails because the process or the system is out of file descriptors
/// (`EMFILE`, `ENFILE`) or buffers (`ENOBUFS`, `ENOMEM`), [`accept`](Self::accept) and
/// [`poll_accept`](Self::poll_accept) do not return the error and do not retry in a busy
/// loop: they pause (1 ms, doubling up to 256 ms) and try again, so the connections
/// already open keep being served and new ones are accepted as soon as descriptors are
/// free (the same rule as the TCP listener).
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
    io: PollEvented<mio::net::UnixListener>,
    /// The back-off of [`UnixListener::poll_accept`] (the `async` path keeps its own).
    poll_backoff: Mutex<Backoff>,
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
        let listener = mio::net::UnixListener::bind(path)
            .map_err(|e| context(e, format_args!("bind a unix listener to {}", path.display())))?;
        UnixListener::new(listener)
    }

    fn new(listener: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: PollEvented::new_with_interest(listener, Interest::READABLE)?,
            poll_backoff: Mutex::new(Backoff::new()),
        })
    }

    /// Wraps a standard library listener, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the mode cannot be set, or when called outside a runtime with I/O enabled.
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(mio::net::UnixListener::from_std(listener))
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
    /// Errors from the OS (see the type's docs for running out of descriptors; a
    /// connection that went away before it was accepted, `ECONNABORTED`, is skipped) and
    /// the runtime shutting down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a connection is only taken from the backlog when the future completes.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let mut backoff = Backoff::new();
        loop {
            poll_fn(|cx| backoff.poll_wait(cx)).await;
            match self.io.async_io(Interest::READABLE, |l| l.accept()).await {
                Ok((stream, addr)) => return Ok((UnixStream::from_mio(stream)?, addr)),
                Err(err) => backoff.on_error(err)?,
            }
        }
    }

    /// Polls for the next connection. Only the waker of the last call is kept: use
    /// [`accept`](Self::accept) when several tasks accept on one listener.
    ///
    /// # Errors
    ///
    /// As [`accept`](Self::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        let mut backoff = self.poll_backoff.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            ready!(backoff.poll_wait(cx));
            match ready!(self.io.poll_read_io(cx, |l| l.accept())) {
                Ok((stream, addr)) => {
                    backoff.reset();
                    return Poll::Ready(UnixStream::from_mio(stream).map(|s| (s, addr)));
                }
                Err(err) => {
                    if let Err(err) = backoff.on_error(err) {
                        return Poll::Ready(Err(err));
                    }
                }
            }
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
