//! Owned halves of a [`UnixStream`], from [`UnixStream::into_split`].
//!
//! The halves share the stream through an `Arc`. Reading and writing use separate
//! waker slots of the reactor registration, so each half may live in its own task.
//! Dropping the write half shuts down writing (unless [`OwnedWriteHalf::forget`] was
//! called), so a peer waiting for end-of-stream is not left hanging by a writer task that
//! ended; the stream itself closes when both halves are gone.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};

use super::UnixStream;
use crate::net::io_stream::{forward_async_read, forward_async_write, forward_half_traits, split_owned};

/// The read half of a [`UnixStream`], owned; from [`UnixStream::into_split`].
pub struct OwnedReadHalf(split_owned::OwnedReadHalf<UnixStream>);

/// The write half of a [`UnixStream`], owned; from [`UnixStream::into_split`]. Dropping
/// it shuts down writing.
pub struct OwnedWriteHalf(split_owned::OwnedWriteHalf<UnixStream>);

/// The halves given to [`OwnedReadHalf::reunite`] came from different streams; both are
/// handed back.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

pub(super) fn split_owned(stream: UnixStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let (read, write) = split_owned::split_owned(stream);
    (OwnedReadHalf(read), OwnedWriteHalf(write))
}

impl OwnedReadHalf {
    /// Puts the halves of one stream back together.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] (holding both halves) when they come from different streams.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        self.0
            .reunite_with(other.0)
            .map_err(|(read, write)| ReuniteError(OwnedReadHalf(read), OwnedWriteHalf(write)))
    }

    /// Waits until the stream may be readable.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.stream().readable().await
    }

    /// See [`UnixStream::try_read`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available, other OS errors.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.stream().try_read(buf)
    }

    /// See [`UnixStream::try_read_vectored`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing is available, other OS errors.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.stream().try_read_vectored(bufs)
    }
}

impl OwnedWriteHalf {
    /// Puts the halves of one stream back together; see [`OwnedReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// [`ReuniteError`] when they come from different streams.
    pub fn reunite(self, other: OwnedReadHalf) -> Result<UnixStream, ReuniteError> {
        other.reunite(self)
    }

    /// Drops the half without shutting down writing.
    pub fn forget(self) {
        self.0.drop_without_shutdown();
    }

    /// Waits until the stream may be writable.
    ///
    /// # Errors
    ///
    /// When the runtime shuts down.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn writable(&self) -> io::Result<()> {
        self.0.stream().writable().await
    }

    /// See [`UnixStream::try_write`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing fits, other OS errors.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.stream().try_write(buf)
    }

    /// See [`UnixStream::try_write_vectored`].
    ///
    /// # Errors
    ///
    /// `WouldBlock` when nothing fits, other OS errors.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.stream().try_write_vectored(bufs)
    }
}

forward_async_read!(OwnedReadHalf => 0);
forward_async_write!(
    OwnedWriteHalf => 0
);
forward_half_traits!(OwnedReadHalf => UnixStream);
forward_half_traits!(OwnedWriteHalf => UnixStream);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same unix stream")
    }
}

impl Error for ReuniteError {}
