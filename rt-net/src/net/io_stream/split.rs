//! Borrowed halves of a stream, generic over the stream type; `tcp::{ReadHalf,
//! WriteHalf}` and `unix::{ReadHalf, WriteHalf}` are aliases of these, with their
//! family's own methods.
//!
//! Each half polls only its own direction, which has its own waker slot, so the halves
//! can be polled at once without losing a wake-up.

use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::AsIoStream;

/// The read half of a stream `S`, borrowed.
#[derive(Debug)]
pub(crate) struct ReadHalf<'a, S>(&'a S);

/// The write half of a stream `S`, borrowed. Closing it shuts down the write
/// direction; dropping it does nothing.
#[derive(Debug)]
pub(crate) struct WriteHalf<'a, S>(&'a S);

/// Borrows `stream` as its two halves; `&mut` so that nothing else polls it meanwhile.
pub(crate) fn split<S>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    (ReadHalf(stream), WriteHalf(stream))
}

impl<'a, S> ReadHalf<'a, S> {
    /// The stream the half borrows.
    pub(crate) fn stream(&self) -> &'a S {
        self.0
    }
}

impl<'a, S> WriteHalf<'a, S> {
    /// The stream the half borrows.
    pub(crate) fn stream(&self) -> &'a S {
        self.0
    }
}

impl<S: AsIoStream> AsyncRead for ReadHalf<'_, S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.io_stream().poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.io_stream().poll_read_vectored(cx, bufs)
    }
}

/// `poll_flush` has nothing to do (no buffer); `poll_close` shuts down the write
/// direction of the stream.
impl<S: AsIoStream> AsyncWrite for WriteHalf<'_, S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.0.io_stream().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.io_stream().poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.io_stream().close_write())
    }
}

impl<S> AsRef<S> for ReadHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}

impl<S> AsRef<S> for WriteHalf<'_, S> {
    fn as_ref(&self) -> &S {
        self.0
    }
}
