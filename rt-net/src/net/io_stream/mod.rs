//! The part of [`TcpStream`](super::TcpStream) and [`UnixStream`](super::UnixStream)
//! that does not depend on the address family: readiness, the non-blocking `try_*`
//! calls, the `poll_*` calls behind the `futures-io` traits, and the borrowed and owned
//! halves ([`split`], [`split_owned`]).
//!
//! The public types (`TcpStream`, `tcp::OwnedReadHalf`, `unix::ReadHalf`, ...) are
//! newtypes over these, so that each keeps its own documentation and its family's
//! methods; the macros at the end of this file forward the `futures-io` traits (and,
//! for the halves, `Debug` and `AsRef`) to the generic type inside.
//!
//! # Protocol
//!
//! An [`IoStream`] is one reactor registration with two directions, each with one
//! waker slot: reads poll the read slot, writes the write slot. That is why the halves
//! can be polled at once from different tasks, and why the `poll_*` methods take
//! `&self` but are only reached through `&mut` access to a stream or through a half
//! (two tasks polling one direction would steal each other's wake-ups).
//!
//! What still differs per family (addresses, peer credentials, connecting, and the few
//! behaviours listed on [`StreamSource`]) stays in `tcp/` and `unix/`.

pub(crate) mod split;
pub(crate) mod split_owned;

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use mio::event::Source;
use rt_core::io::{Interest, PollEvented, Ready, ReadyEvent};

/// A connected mio stream socket that an [`IoStream`] can drive: I/O through `&self`,
/// plus the points where TCP and Unix streams have behaved differently so far.
pub(crate) trait StreamSource: Source + AsRawFd {
    /// Whether a read or write that moves fewer bytes than asked clears the readiness
    /// (see [`IoStream::poll_transfer`]).
    const CLEAR_ON_SHORT_TRANSFER: bool;

    /// `read(2)` on a shared reference.
    fn read(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// `readv(2)` on a shared reference.
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize>;

    /// `write(2)` on a shared reference.
    fn write(&self, buf: &[u8]) -> io::Result<usize>;

    /// `writev(2)` on a shared reference.
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;

    /// `shutdown(2)`.
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;

    /// What `AsyncWrite::poll_close` does: shut down the write direction.
    fn close_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// The four I/O methods of [`StreamSource`] for a mio type that implements `Read` and
/// `Write` on `&Self`, as mio's streams do.
///
/// On Linux, `read` and `write` are the raw system calls of [`crate::sys::stream_io`]
/// (the same calls, without the C library's cancellation-point bookkeeping).
macro_rules! io_through_shared_ref {
    () => {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
            crate::sys::stream_io::read(self, buf)
        }

        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
            Read::read(&mut &*self, buf)
        }

        fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
            Read::read_vectored(&mut &*self, bufs)
        }

        #[cfg(any(target_os = "linux", target_os = "android"))]
        fn write(&self, buf: &[u8]) -> io::Result<usize> {
            crate::sys::stream_io::write(self, buf)
        }

        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        fn write(&self, buf: &[u8]) -> io::Result<usize> {
            Write::write(&mut &*self, buf)
        }

        fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            Write::write_vectored(&mut &*self, bufs)
        }
    };
}

impl StreamSource for mio::net::TcpStream {
    const CLEAR_ON_SHORT_TRANSFER: bool = true;

    io_through_shared_ref!();

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        mio::net::TcpStream::shutdown(self, how)
    }
}

impl StreamSource for mio::net::UnixStream {
    const CLEAR_ON_SHORT_TRANSFER: bool = false;

    io_through_shared_ref!();

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        mio::net::UnixStream::shutdown(self, how)
    }

    /// A stream already disconnected counts as closed.
    fn close_write(&self) -> io::Result<()> {
        match self.shutdown(Shutdown::Write) {
            Err(err) if err.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        }
    }
}

/// A public stream type built on an [`IoStream`]; what the generic halves need.
pub(crate) trait AsIoStream {
    /// The mio socket inside.
    type Source: StreamSource;

    /// The registration and the I/O on it.
    fn io_stream(&self) -> &IoStream<Self::Source>;
}

/// A connected stream socket registered with the reactor.
pub(crate) struct IoStream<E: Source> {
    io: PollEvented<E>,
}

impl<E: StreamSource> IoStream<E> {
    /// Registers a connected (or connecting) socket with the current runtime's reactor.
    pub(crate) fn new(source: E) -> io::Result<IoStream<E>> {
        // A burst of accepts must not stop at a descriptor-table resize (see `sys::fd_table`).
        crate::sys::fd_table::reserve_beyond(source.as_raw_fd());
        Ok(IoStream {
            io: PollEvented::new(source)?,
        })
    }

    /// The mio socket.
    pub(crate) fn get_ref(&self) -> &E {
        self.io.get_ref()
    }

    /// The registration, for what only one family does (connecting, peeking).
    pub(crate) fn evented(&self) -> &PollEvented<E> {
        &self.io
    }

    /// Deregisters the socket and returns it.
    pub(crate) fn into_inner(self) -> io::Result<E> {
        self.io.into_inner()
    }

    /// Waits for any of `interest`; may be spurious.
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        Ok(self.io.readiness(interest).await?.ready())
    }

    /// Polls for read readiness (one waker slot).
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_read_ready(cx).map_ok(drop)
    }

    /// Polls for write readiness (one waker slot).
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_write_ready(cx).map_ok(drop)
    }

    pub(crate) fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.read(buf))
    }

    pub(crate) fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |s| s.read_vectored(bufs))
    }

    pub(crate) fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.write(buf))
    }

    pub(crate) fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |s| s.write_vectored(bufs))
    }

    // The I/O behind the `futures-io` traits of the streams and their halves.

    pub(crate) fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let want = buf.len();
        self.poll_transfer(cx, PollEvented::poll_read_ready, want, |s| s.read(buf))
    }

    pub(crate) fn poll_read_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let want = bufs.iter().map(|b| b.len()).sum();
        self.poll_transfer(cx, PollEvented::poll_read_ready, want, |s| s.read_vectored(bufs))
    }

    pub(crate) fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_transfer(cx, PollEvented::poll_write_ready, buf.len(), |s| s.write(buf))
    }

    pub(crate) fn poll_write_vectored(&self, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        let want = bufs.iter().map(|b| b.len()).sum();
        self.poll_transfer(cx, PollEvented::poll_write_ready, want, |s| s.write_vectored(bufs))
    }

    /// `PollEvented::poll_read_io` / `poll_write_io` (wait for readiness, run `op`,
    /// clear the readiness and wait again on `WouldBlock`), plus, when
    /// `E::CLEAR_ON_SHORT_TRANSFER`, one step: a transfer shorter than the `want` bytes
    /// asked for also clears the readiness, since it means the receive queue is empty
    /// (or the send buffer full) right now and the next call would only get
    /// `WouldBlock`. That saves one system call per message on a request/response
    /// connection.
    ///
    /// Sound because readiness carries a tick: data arriving after `op` raises a new
    /// event with a new tick, which this clear leaves alone; and read-closed /
    /// write-closed are never cleared, so an end-of-file already signalled is not lost.
    fn poll_transfer(
        &self,
        cx: &mut Context<'_>,
        poll_ready: fn(&PollEvented<E>, &mut Context<'_>) -> Poll<io::Result<ReadyEvent>>,
        want: usize,
        mut op: impl FnMut(&E) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let event = ready!(poll_ready(&self.io, cx))?;
            match op(self.io.get_ref()) {
                Ok(n) if E::CLEAR_ON_SHORT_TRANSFER && n > 0 && n < want => {
                    self.io.clear_readiness(event);
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.io.clear_readiness(event),
                res => return Poll::Ready(res),
            }
        }
    }

    /// `AsyncWrite::poll_close`: shuts down the write direction.
    pub(crate) fn close_write(&self) -> io::Result<()> {
        self.io.get_ref().close_write()
    }
}

impl<E: StreamSource> AsyncRead for IoStream<E> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        IoStream::poll_read(&self, cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        IoStream::poll_read_vectored(&self, cx, bufs)
    }
}

impl<E: StreamSource> AsyncWrite for IoStream<E> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        IoStream::poll_write(&self, cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        IoStream::poll_write_vectored(&self, cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Writes go straight to the socket: nothing is buffered here.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.close_write())
    }
}

/// `impl AsyncRead for $ty` by forwarding to its field `$field`, which implements
/// `AsyncRead` and is `Unpin` (an [`IoStream`] or a generic half).
macro_rules! forward_async_read {
    ($(#[$attr:meta])* $ty:ty => $field:tt) => {
        $(#[$attr])*
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_read(cx, buf)
            }

            fn poll_read_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_read_vectored(cx, bufs)
            }
        }
    };
}

/// `impl AsyncWrite for $ty` by forwarding to its field `$field`, which implements
/// `AsyncWrite` and is `Unpin` (an [`IoStream`] or a generic half).
macro_rules! forward_async_write {
    ($(#[$attr:meta])* $ty:ty => $field:tt) => {
        $(#[$attr])*
        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_flush(cx)
            }

            fn poll_close(
                self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.get_mut().$field).poll_close(cx)
            }
        }
    };
}

/// `Debug` and `AsRef<$stream>` for a public half `$ty` that wraps a generic half in
/// its field `0`. `Debug` prints the generic half, which has the same name and fields
/// as the public one.
macro_rules! forward_half_traits {
    ($ty:ty => $stream:ty) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }

        impl AsRef<$stream> for $ty {
            fn as_ref(&self) -> &$stream {
                self.0.as_ref()
            }
        }
    };
}

pub(crate) use {forward_async_read, forward_async_write, forward_half_traits};
