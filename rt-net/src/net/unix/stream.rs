//! [`UnixStream`]: a connected Unix domain stream socket.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use rt_core::io::{Interest, Ready};

use super::split::{ReadHalf, WriteHalf};
use super::split_owned::{OwnedReadHalf, OwnedWriteHalf};
use crate::net::error::context;
use crate::net::io_stream::{forward_async_read, forward_async_write, AsIoStream, IoStream};

/// A byte stream over a Unix domain socket.
///
/// Created by [`connect`](Self::connect)ing to a [`UnixListener`](super::UnixListener),
/// by accepting on one, or as a connected [`pair`](Self::pair). Reading and writing go
/// through the `futures-io` [`AsyncRead`] / [`AsyncWrite`] traits (so
/// `futures::io::{AsyncReadExt, AsyncWriteExt}` helpers work), or through the
/// non-blocking [`try_read`](Self::try_read) / [`try_write`](Self::try_write) after
/// [`readable`](Self::readable) / [`writable`](Self::writable).
///
/// To read and write from two tasks, [`into_split`](Self::into_split) the stream into
/// owned halves; [`split`](Self::split) borrows the halves for use within one task.
///
/// # Panics
///
/// No method panics. Created outside a runtime with I/O enabled, constructors return an
/// error rather than a socket that would never wake.
///
/// # Examples
///
/// ```no_run
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// use rt_net::UnixStream;
///
/// # async fn run() -> std::io::Result<()> {
/// let mut stream = UnixStream::connect("/tmp/echo.sock").await?;
/// stream.write_all(b"ping").await?;
/// let mut buf = [0u8; 4];
/// stream.read_exact(&mut buf).await?;
/// # Ok(())
/// # }
/// ```
///
/// [`AsyncRead`]: futures_io::AsyncRead
/// [`AsyncWrite`]: futures_io::AsyncWrite
pub struct UnixStream {
    io: IoStream<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket at `path`.
    ///
    /// # Errors
    ///
    /// `NotFound` when nothing exists at `path`, `ConnectionRefused` when no one listens
    /// there, `WouldBlock` when the listener's backlog is full, other OS errors, and an
    /// error when called outside a runtime with I/O enabled.
    ///
    /// # Cancel safety
    ///
    /// Cancelling drops the half-made connection.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let path = path.as_ref();
        let what = || format!("connect to unix socket {}", path.display());
        let stream = mio::net::UnixStream::connect(path).map_err(|e| context(e, what()))?;
        let stream = UnixStream::from_mio(stream)?;
        // A non-blocking connect may still be in progress: it is done once writable, and
        // then `SO_ERROR` says whether it failed.
        stream.io.evented().readiness(Interest::WRITABLE).await?;
        match stream.io.get_ref().take_error()? {
            Some(err) => Err(context(err, what())),
            None => Ok(stream),
        }
    }

    /// A pair of connected streams, as `socketpair(2)` makes them.
    ///
    /// # Errors
    ///
    /// When the OS cannot create the sockets, or when called outside a runtime with I/O
    /// enabled.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::from_mio(a)?, UnixStream::from_mio(b)?))
    }

    pub(crate) fn from_mio(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: IoStream::new(stream)?,
        })
    }

    /// Wraps a standard library stream, switching it to non-blocking mode.
    ///
    /// # Errors
    ///
    /// When the mode cannot be set, or when called outside a runtime with I/O enabled.
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream))
    }

    /// Turns the stream back into a standard library stream, deregistering it from the
    /// reactor. It is still in non-blocking mode.
    ///
    /// # Errors
    ///
    /// When deregistration fails.
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        self.io.into_inner().map(std::os::unix::net::UnixStream::from)
    }

    /// The local address (usually unnamed for a connecting stream).
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The peer's address (the listener's path for a connecting stream).
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The credentials of the peer process, taken when the connection was made.
    ///
    /// # Errors
    ///
    /// When the OS cannot report them.
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    ))]
    pub fn peer_cred(&self) -> io::Result<super::UCred> {
        crate::sys::peer_cred(self.as_fd())
    }

    /// Takes the pending `SO_ERROR` of the socket, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot report it.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Shuts down the read half, the write half or both. After `Shutdown::Write` the peer
    /// reads end-of-stream once it has read what was sent.
    ///
    /// # Errors
    ///
    /// When the OS refuses (for example `NotConnected`).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits until the stream is ready for any of `interest` and returns the readiness
    /// seen (which may include `READ_CLOSED` / `WRITE_CLOSED`). The readiness may be
    /// spurious: a following `try_*` call can still return `WouldBlock`.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until the stream may be readable (see [`ready`](Self::ready)).
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

    /// Waits until the stream may be writable (see [`ready`](Self::ready)).
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
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx)
    }

    /// Polls for write readiness. Only the waker of the last call is kept.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx)
    }

    /// Reads what is available now into `buf`; `Ok(0)` means end-of-stream (or an empty
    /// `buf`).
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available, other OS errors.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_read(buf)
    }

    /// Like [`try_read`](Self::try_read), scattering into `bufs`.
    ///
    /// # Errors
    ///
    /// As [`try_read`](Self::try_read).
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io.try_read_vectored(bufs)
    }

    /// Writes what fits now from `buf`; returns the bytes written.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing fits, `BrokenPipe` when the peer has closed, other OS
    /// errors.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_write(buf)
    }

    /// Like [`try_write`](Self::try_write), gathering from `bufs`.
    ///
    /// # Errors
    ///
    /// As [`try_write`](Self::try_write).
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_write_vectored(bufs)
    }

    /// Borrows the stream as a read half and a write half, to read and write
    /// concurrently within one task (for example in a `select`). Zero cost.
    ///
    /// With `futures::io::AsyncReadExt` in scope, `stream.split()` resolves to that
    /// trait's by-value `split` (a lock-based split): call `UnixStream::split(&mut stream)`
    /// to get this one. (`(&mut stream).split()` works too, but Clippy's
    /// `needless_borrow` suggests turning it back into `stream.split()`.)
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        super::split::split(self)
    }

    /// Splits the stream into owned halves that can move to different tasks. Dropping
    /// the write half shuts down writing; [`OwnedReadHalf::reunite`] puts the halves back
    /// together. Costs one allocation.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        super::split_owned::split_owned(self)
    }
}

impl AsIoStream for UnixStream {
    type Source = mio::net::UnixStream;

    fn io_stream(&self) -> &IoStream<mio::net::UnixStream> {
        &self.io
    }
}

forward_async_read!(UnixStream => io);
forward_async_write!(
    UnixStream => io
);

impl AsRawFd for UnixStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}

impl AsFd for UnixStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local_addr", &self.local_addr().ok())
            .field("peer_addr", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
