//! Borrowed halves of a [`TcpStream`], made by [`TcpStream::split`].
//!
//! Each half only polls its own direction, and each direction has its own waker slot
//! in the registration, so the two halves can be polled at once (from one task, or
//! from two tasks that borrow the stream) without losing a wake-up.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::task::{Context, Poll};

use rt_core::io::{Interest, Ready};

use super::TcpStream;
use crate::net::io_stream::{forward_async_read, forward_async_write, forward_half_traits, split};

/// The read half of a [`TcpStream`], borrowed by [`TcpStream::split`].
pub struct ReadHalf<'a>(split::ReadHalf<'a, TcpStream>);

/// The write half of a [`TcpStream`], borrowed by [`TcpStream::split`].
///
/// Closing it ([`AsyncWriteExt::close`](futures_io::AsyncWrite::poll_close)) shuts
/// down the write direction of the stream; dropping it does nothing.
pub struct WriteHalf<'a>(split::WriteHalf<'a, TcpStream>);

pub(super) fn split(stream: &mut TcpStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    let (read, write) = split::split(stream);
    (ReadHalf(read), WriteHalf(write))
}

impl ReadHalf<'_> {
    /// The remote address. See [`TcpStream::peer_addr`].
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.stream().peer_addr()
    }

    /// The local address. See [`TcpStream::local_addr`].
    ///
    /// # Errors
    ///
    /// When the OS cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.stream().local_addr()
    }

    /// Reads without consuming. See [`TcpStream::peek`].
    ///
    /// # Errors
    ///
    /// OS errors, or when the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.stream().peek(buf).await
    }

    /// Polls for [`peek`](ReadHalf::peek). See [`TcpStream::poll_peek`].
    ///
    /// # Errors
    ///
    /// As [`TcpStream::peek`].
    pub fn poll_peek(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.stream().poll_peek(cx, buf)
    }

    /// Waits for readiness. See [`TcpStream::ready`].
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.stream().ready(interest).await
    }

    /// Waits until readable. See [`TcpStream::readable`].
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.stream().readable().await
    }

    /// Reads without waiting. See [`TcpStream::try_read`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available; OS errors.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.stream().try_read(buf)
    }

    /// Reads into several buffers without waiting. See [`TcpStream::try_read_vectored`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available; OS errors.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.stream().try_read_vectored(bufs)
    }
}

impl WriteHalf<'_> {
    /// The remote address. See [`TcpStream::peer_addr`].
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.stream().peer_addr()
    }

    /// The local address. See [`TcpStream::local_addr`].
    ///
    /// # Errors
    ///
    /// When the OS cannot tell.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.stream().local_addr()
    }

    /// Waits for readiness. See [`TcpStream::ready`].
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.stream().ready(interest).await
    }

    /// Waits until writable. See [`TcpStream::writable`].
    ///
    /// # Errors
    ///
    /// When the runtime has shut down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn writable(&self) -> io::Result<()> {
        self.0.stream().writable().await
    }

    /// Writes without waiting. See [`TcpStream::try_write`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the send buffer is full; OS errors.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.stream().try_write(buf)
    }

    /// Writes from several buffers without waiting. See [`TcpStream::try_write_vectored`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the send buffer is full; OS errors.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.stream().try_write_vectored(bufs)
    }
}

forward_async_read!(ReadHalf<'_> => 0);
forward_async_write!(
    /// `poll_flush` has nothing to do (no buffer); `poll_close` shuts down the write
    /// direction of the stream.
    WriteHalf<'_> => 0
);
forward_half_traits!(ReadHalf<'_> => TcpStream);
forward_half_traits!(WriteHalf<'_> => TcpStream);
