//! Owned halves of a [`TcpStream`], made by [`TcpStream::into_split`].
//!
//! Both halves hold the stream through one `Arc`. Each polls only its own direction
//! (which has its own waker slot), so they can live on different tasks. Dropping the
//! write half shuts down the write direction, like closing it; dropping both closes the
//! socket. [`OwnedReadHalf::reunite`] gives the stream back.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::task::{Context, Poll};

use rt_core::io::{Interest, Ready};

use super::TcpStream;
use crate::net::io_stream::{forward_async_read, forward_async_write, forward_half_traits, split_owned};

/// The read half of a [`TcpStream`], owned; made by [`TcpStream::into_split`].
pub struct OwnedReadHalf(split_owned::OwnedReadHalf<TcpStream>);

/// The write half of a [`TcpStream`], owned; made by [`TcpStream::into_split`].
///
/// Dropping it (or closing it) shuts down the write direction: the peer reads
/// end-of-file while the read half keeps reading. [`forget`](OwnedWriteHalf::forget)
/// drops it without the shutdown.
pub struct OwnedWriteHalf(split_owned::OwnedWriteHalf<TcpStream>);

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams; they
/// are handed back unchanged.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

pub(super) fn split_owned(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let (read, write) = split_owned::split_owned(stream);
    (OwnedReadHalf(read), OwnedWriteHalf(write))
}

impl OwnedReadHalf {
    /// Puts the stream back together from its two halves.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] (holding both halves) when they belong to different streams.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        self.0
            .reunite_with(other.0)
            .map_err(|(read, write)| ReuniteError(OwnedReadHalf(read), OwnedWriteHalf(write)))
    }

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

    /// Polls for [`peek`](OwnedReadHalf::peek). See [`TcpStream::poll_peek`].
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

impl OwnedWriteHalf {
    /// Drops the half without shutting down the write direction.
    pub fn forget(self) {
        self.0.drop_without_shutdown();
    }

    /// Puts the stream back together. See [`OwnedReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] when the halves belong to different streams.
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        other.reunite(self)
    }

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

forward_async_read!(OwnedReadHalf => 0);
forward_async_write!(
    /// `poll_close` shuts down the write direction; after it, dropping the half does not
    /// shut down again.
    OwnedWriteHalf => 0
);
forward_half_traits!(OwnedReadHalf => TcpStream);
forward_half_traits!(OwnedWriteHalf => TcpStream);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl Error for ReuniteError {}
