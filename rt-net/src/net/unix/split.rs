//! Borrowed halves of a [`UnixStream`], from [`UnixStream::split`].
//!
//! Both halves are plain `&UnixStream`s: reading and writing are independent directions
//! of the reactor registration (one waker slot each), so the halves can be polled
//! concurrently within one task at no cost.

use std::io;
use std::net::Shutdown;

use super::UnixStream;
use crate::net::io_stream::{forward_async_read, forward_async_write, forward_half_traits, split};

/// The read half of a [`UnixStream`] borrowed by [`UnixStream::split`].
pub struct ReadHalf<'a>(split::ReadHalf<'a, UnixStream>);

/// The write half of a [`UnixStream`] borrowed by [`UnixStream::split`]. Closing it
/// (`AsyncWriteExt::close`) shuts down writing.
pub struct WriteHalf<'a>(split::WriteHalf<'a, UnixStream>);

pub(super) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    let (read, write) = split::split(stream);
    (ReadHalf(read), WriteHalf(write))
}

impl ReadHalf<'_> {
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
}

impl WriteHalf<'_> {
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

    /// Shuts down writing: the peer reads end-of-stream.
    ///
    /// # Errors
    ///
    /// When the OS refuses.
    pub fn shutdown(&self) -> io::Result<()> {
        self.0.stream().shutdown(Shutdown::Write)
    }
}

forward_async_read!(ReadHalf<'_> => 0);
forward_async_write!(
    /// `poll_flush` has nothing to do (no buffer); `poll_close` shuts down the write
    /// direction of the stream.
    WriteHalf<'_> => 0
);
forward_half_traits!(ReadHalf<'_> => UnixStream);
forward_half_traits!(WriteHalf<'_> => UnixStream);
