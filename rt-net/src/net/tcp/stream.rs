//! `TcpStream`: a connected TCP socket on the reactor.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::io::{Interest, Ready};

use super::split::{ReadHalf, WriteHalf};
use super::split_owned::{OwnedReadHalf, OwnedWriteHalf};
use super::TcpSocket;
use crate::dns::to_socket_addrs;
use crate::net::error::no_address;
use crate::net::io_stream::{forward_async_read, forward_async_write, AsIoStream, IoStream};
use crate::ToSocketAddrs;

type MioStream = mio::net::TcpStream;

/// A TCP connection, registered with the runtime's reactor.
///
/// Made by [`TcpStream::connect`], [`TcpSocket::connect`] or
/// [`TcpListener::accept`](super::TcpListener::accept). Reads and writes go through the
/// `futures-io` [`AsyncRead`] / [`AsyncWrite`] traits (use `futures::io::AsyncReadExt`
/// and `AsyncWriteExt` for `read`, `write_all`, ...), or through the readiness API
/// ([`readable`](TcpStream::readable) then [`try_read`](TcpStream::try_read)) when
/// several tasks share one stream.
///
/// A stream holds its registration and nothing else (no buffers); dropping it closes
/// the socket and deregisters it.
///
/// `&TcpStream` does not implement `AsyncRead` / `AsyncWrite`: each direction keeps
/// the waker of one `poll_*` caller, so two tasks polling through shared references
/// would steal each other's wake-ups and one could hang. Share a stream with the
/// readiness API (any number of waiters), or split it ([`split`](TcpStream::split),
/// [`into_split`](TcpStream::into_split)) into one reader and one writer.
///
/// # Examples
///
/// ```no_run
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// use rt_net::net::TcpStream;
///
/// # async fn run() -> std::io::Result<()> {
/// let mut stream = TcpStream::connect("127.0.0.1:7000").await?;
/// stream.write_all(b"ping").await?;
/// let mut reply = [0; 4];
/// stream.read_exact(&mut reply).await?;
/// # Ok(())
/// # }
/// ```
///
/// [`AsyncRead`]: futures_io::AsyncRead
/// [`AsyncWrite`]: futures_io::AsyncWrite
pub struct TcpStream {
    io: IoStream<MioStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`: an address, or a `"host:port"` name resolved on
    /// the blocking pool (see [`ToSocketAddrs`]). When it resolves to several addresses
    /// they are tried in order until one connects.
    ///
    /// # Errors
    ///
    /// When the name cannot be resolved; when every address fails, the error of the
    /// last attempt, with the kind of the OS error and a message naming the address
    /// (`ConnectionRefused` when nothing listens there, `TimedOut`, ...); when no socket
    /// can be created (`EMFILE`); or when called outside a runtime with I/O enabled.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future closes the socket and abandons the
    /// connection attempt.
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let mut last_err = None;
        for addr in to_socket_addrs(&addr).await? {
            let attempt = match TcpSocket::new_for_addr(&addr) {
                Ok(socket) => socket.connect(addr).await,
                Err(e) => Err(e),
            };
            match attempt {
                Ok(stream) => return Ok(stream),
                Err(e) => last_err = Some(e),
            }
        }
        Err(last_err.unwrap_or_else(no_address))
    }

    /// Registers a socket whose non-blocking connect is in progress and waits until it
    /// is established (or has failed).
    pub(super) async fn finish_connect(socket: MioStream) -> io::Result<TcpStream> {
        let stream = TcpStream::new(socket)?;
        loop {
            // A writable (or error / hang-up) event ends a non-blocking connect.
            let event = stream.io.evented().readiness(Interest::WRITABLE).await?;
            if let Some(e) = stream.io.get_ref().take_error()? {
                return Err(e);
            }
            match stream.io.get_ref().peer_addr() {
                Ok(_) => return Ok(stream),
                // Not connected yet: the event was spurious.
                Err(e) if e.kind() == io::ErrorKind::NotConnected => stream.io.evented().clear_readiness(event),
                Err(e) => return Err(e),
            }
        }
    }

    /// Registers an established mio stream (an accepted one).
    pub(super) fn new(socket: MioStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: IoStream::new(socket)?,
        })
    }

    /// Wraps a standard-library stream (connected, blocking or not: it is put in
    /// non-blocking mode) and registers it with the current runtime's reactor.
    ///
    /// # Errors
    ///
    /// When the stream cannot be made non-blocking, or when called outside a runtime
    /// with I/O enabled.
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(MioStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a standard-library stream, still in
    /// non-blocking mode (call `set_nonblocking(false)` for blocking I/O).
    ///
    /// # Errors
    ///
    /// When the reactor refuses to deregister it.
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        self.io.into_inner().map(std::net::TcpStream::from)
    }

    /// The remote address.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone, or another OS error.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// When the OS cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Takes the pending `SO_ERROR`, if any.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.get_ref().take_error()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm: small writes are sent at once).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `SO_LINGER`. `Some(Duration::ZERO)` makes dropping the stream reset the
    /// connection (the peer's next read fails with `ConnectionReset`).
    ///
    /// # Errors
    ///
    /// When the OS rejects the option.
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self).set_linger(linger)
    }

    /// The `SO_LINGER` setting.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self).linger()
    }

    /// Sets the IP time-to-live of outgoing packets (`IP_TTL`).
    ///
    /// # Errors
    ///
    /// When the OS rejects the value.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    ///
    /// # Errors
    ///
    /// When the OS cannot read the option.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the read side, the write side or both. Shutting down the write side
    /// sends a FIN: the peer reads end-of-file, and may still write back.
    ///
    /// # Errors
    ///
    /// `NotConnected` when the connection is already gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits for the stream to be ready for any of `interest` and returns the
    /// readiness seen. It may be spurious: the next `try_*` call can still return
    /// `WouldBlock` (which clears the readiness, so the next wait sleeps again).
    ///
    /// Any number of tasks may wait on one stream at once. [`Interest`] and [`Ready`]
    /// are re-exported as [`rt_net::io::{Interest, Ready}`](crate::io).
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses nothing.
    ///
    /// # Examples
    ///
    /// One task reading and writing without splitting the stream:
    ///
    /// ```no_run
    /// use std::io::ErrorKind;
    /// use rt_net::io::Interest;
    /// use rt_net::net::TcpStream;
    ///
    /// # async fn run(stream: TcpStream, mut outgoing: Vec<u8>) -> std::io::Result<()> {
    /// let mut buf = [0; 4096];
    /// loop {
    ///     let interest = if outgoing.is_empty() {
    ///         Interest::READABLE
    ///     } else {
    ///         Interest::READABLE | Interest::WRITABLE
    ///     };
    ///     let ready = stream.ready(interest).await?;
    ///     if ready.is_readable() {
    ///         match stream.try_read(&mut buf) {
    ///             Ok(0) => return Ok(()),
    ///             Ok(n) => println!("read {n} bytes"),
    ///             Err(e) if e.kind() == ErrorKind::WouldBlock => {}
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    ///     if ready.is_writable() && !outgoing.is_empty() {
    ///         match stream.try_write(&outgoing) {
    ///             Ok(n) => drop(outgoing.drain(..n)),
    ///             Err(e) if e.kind() == ErrorKind::WouldBlock => {}
    ///             Err(e) => return Err(e),
    ///         }
    ///     }
    /// }
    /// # }
    /// ```
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until the stream is readable (data, end-of-file or an error to read).
    /// See [`ready`](TcpStream::ready).
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until the stream is writable. See [`ready`](TcpStream::ready).
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Reads what is available without waiting; `Ok(0)` is end-of-file.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available (the readiness is cleared: wait with
    /// [`readable`](TcpStream::readable)); `ConnectionReset` and other OS errors.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_read(buf)
    }

    /// Like [`try_read`](TcpStream::try_read), into several buffers (`readv`).
    ///
    /// # Errors
    ///
    /// As [`try_read`](TcpStream::try_read).
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io.try_read_vectored(bufs)
    }

    /// Writes what the kernel's send buffer takes without waiting.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the send buffer is full (the readiness is cleared: wait with
    /// [`writable`](TcpStream::writable)); `BrokenPipe`, `ConnectionReset` and other OS
    /// errors.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_write(buf)
    }

    /// Like [`try_write`](TcpStream::try_write), from several buffers (`writev`).
    ///
    /// # Errors
    ///
    /// As [`try_write`](TcpStream::try_write).
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_write_vectored(bufs)
    }

    /// Reads data without removing it from the receive queue: the next read returns it
    /// again. Waits until data (or end-of-file) is available.
    ///
    /// # Errors
    ///
    /// OS errors (`ConnectionReset`, ...), or when the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing is consumed.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.evented().async_io(Interest::READABLE, |s| s.peek(buf)).await
    }

    /// Polls for [`peek`](TcpStream::peek): `Pending` (and a wake-up of `cx` later) when
    /// nothing is available yet.
    ///
    /// Only the waker of the last call is kept (the read direction has one slot, shared
    /// with `poll_read`): use it from one task at a time.
    ///
    /// # Errors
    ///
    /// As [`peek`](TcpStream::peek).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.evented().poll_read_io(cx, |s| s.peek(buf))
    }

    /// Splits the stream into a read half and a write half that borrow it, for reading
    /// and writing at once (from one task, with `join!`/`select!`, or from two scoped
    /// tasks). Costs nothing.
    ///
    /// With `futures::io::AsyncReadExt` in scope, `stream.split()` on a `TcpStream`
    /// value resolves to that trait's `split(self)` (two halves behind a lock) rather
    /// than to this method: write `TcpStream::split(&mut stream)` or
    /// `(&mut stream).split()`. Prefer the first: Clippy's `needless_borrow` suggests
    /// turning the second back into `stream.split()`.
    ///
    /// # Examples
    ///
    /// An echo of everything the peer sends:
    ///
    /// ```no_run
    /// use rt_net::net::TcpStream;
    ///
    /// # async fn echo(mut stream: TcpStream) -> std::io::Result<u64> {
    /// let (mut reader, mut writer) = TcpStream::split(&mut stream);
    /// futures::io::copy(&mut reader, &mut writer).await
    /// # }
    /// ```
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        super::split::split(self)
    }

    /// Splits the stream into an owned read half and an owned write half, which can
    /// move to different tasks. Costs one allocation (the `Arc` the halves share).
    ///
    /// Dropping the write half shuts down the write direction (the peer reads
    /// end-of-file); [`OwnedReadHalf::reunite`] puts the halves back together.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        super::split_owned::split_owned(self)
    }
}

impl AsIoStream for TcpStream {
    type Source = MioStream;

    fn io_stream(&self) -> &IoStream<MioStream> {
        &self.io
    }
}

forward_async_read!(TcpStream => io);
forward_async_write!(
    /// `poll_flush` has nothing to do (no buffer); `poll_close` shuts down the write
    /// direction (the peer reads end-of-file; reading from this stream still works).
    TcpStream => io
);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.io.get_ref(), f)
    }
}

impl AsFd for TcpStream {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.get_ref().as_fd()
    }
}

impl AsRawFd for TcpStream {
    fn as_raw_fd(&self) -> RawFd {
        self.io.get_ref().as_raw_fd()
    }
}
