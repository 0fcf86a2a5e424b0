//! Owned halves of a stream, generic over the stream type; `tcp::{OwnedReadHalf,
//! OwnedWriteHalf}` and `unix::{OwnedReadHalf, OwnedWriteHalf}` are aliases of these,
//! with their family's own methods.
//!
//! Both halves hold the stream through one `Arc`. Each polls only its own direction
//! (which has its own waker slot), so they can live on different tasks. Dropping the
//! write half shuts down the write direction unless it was closed or forgotten;
//! dropping both closes the socket. Reuniting gives the stream back.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use rt_core::loom::sync::Arc;

use super::{AsIoStream, StreamSource};

/// The read half of a stream `S`, owned.
#[derive(Debug)]
pub(crate) struct OwnedReadHalf<S> {
    inner: Arc<S>,
}

/// The write half of a stream `S`, owned. Dropping it shuts down the write direction
/// unless `shutdown_on_drop` was cleared (by a successful close, or by forgetting it).
#[derive(Debug)]
pub(crate) struct OwnedWriteHalf<S: AsIoStream> {
    inner: Arc<S>,
    shutdown_on_drop: bool,
}

/// Moves `stream` behind an `Arc` shared by its two halves.
pub(crate) fn split_owned<S: AsIoStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let inner = Arc::new(stream);
    let write = OwnedWriteHalf {
        inner: inner.clone(),
        shutdown_on_drop: true,
    };
    (OwnedReadHalf { inner }, write)
}

impl<S: AsIoStream> OwnedReadHalf<S> {
    /// The stream the half shares.
    pub(crate) fn stream(&self) -> &S {
        &self.inner
    }

    /// The stream again when `write` is its other half; both halves back otherwise.
    #[allow(clippy::result_large_err)] // Same size as the public `ReuniteError`s.
    pub(crate) fn reunite_with(self, write: OwnedWriteHalf<S>) -> Result<S, (Self, OwnedWriteHalf<S>)> {
        if !Arc::ptr_eq(&self.inner, &write.inner) {
            return Err((self, write));
        }
        write.drop_without_shutdown();
        // Both halves are gone but this one, so this `Arc` is the only one left.
        Ok(Arc::try_unwrap(self.inner)
            .unwrap_or_else(|_| unreachable!("the two halves of one stream share a single Arc")))
    }
}

impl<S: AsIoStream> OwnedWriteHalf<S> {
    /// The stream the half shares.
    pub(crate) fn stream(&self) -> &S {
        &self.inner
    }

    /// Drops the half without shutting down the write direction.
    pub(crate) fn drop_without_shutdown(mut self) {
        self.shutdown_on_drop = false;
    }
}

impl<S: AsIoStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // The peer may already be gone (NotConnected): nothing left to shut down.
            let _ = self.inner.io_stream().get_ref().shutdown(Shutdown::Write);
        }
    }
}

impl<S: AsIoStream> AsyncRead for OwnedReadHalf<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.inner.io_stream().poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.io_stream().poll_read_vectored(cx, bufs)
    }
}

/// `poll_flush` has nothing to do (no buffer); `poll_close` shuts down the write
/// direction, and after it succeeds dropping the half does not shut down again.
impl<S: AsIoStream> AsyncWrite for OwnedWriteHalf<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.inner.io_stream().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner.io_stream().poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let res = self.inner.io_stream().close_write();
        if res.is_ok() {
            self.shutdown_on_drop = false;
        }
        Poll::Ready(res)
    }
}

impl<S> AsRef<S> for OwnedReadHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}

impl<S: AsIoStream> AsRef<S> for OwnedWriteHalf<S> {
    fn as_ref(&self) -> &S {
        &self.inner
    }
}
