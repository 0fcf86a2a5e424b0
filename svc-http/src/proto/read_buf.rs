//! A connection's read buffer.
//!
//! The buffer is a [`BytesMut`]: message heads are parsed in place and body chunks are
//! handed out as [`Bytes`](bytes::Bytes) slices of it. When a connection goes idle
//! (nothing buffered, nothing to read for a moment), its owner calls [`ReadBuf::release`]
//! to drop the allocation; the next read then lands in a small stack buffer first, and
//! only bytes that actually arrive get a heap buffer again. An idle keep-alive connection
//! thus owns no buffer.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::BytesMut;
use futures_io::AsyncRead;

/// How much room a read gets when the buffer is (nearly) full.
const READ_SIZE: usize = 8 * 1024;
/// The buffer grows when less room than this is left.
const MIN_ROOM: usize = 512;
/// The first buffer of an idle connection that receives bytes.
const FIRST_SIZE: usize = 4 * 1024;
/// The stack buffer an idle connection reads into.
const IDLE_READ: usize = 2 * 1024;

#[derive(Debug, Default)]
pub(crate) struct ReadBuf {
    pub(crate) buf: BytesMut,
}

impl ReadBuf {
    pub(crate) fn new() -> ReadBuf {
        ReadBuf { buf: BytesMut::new() }
    }

    /// Reads more bytes: `Ok(0)` at end of stream.
    pub(crate) fn poll_fill<IO>(&mut self, io: &mut IO, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        IO: AsyncRead + Unpin + ?Sized,
    {
        if self.buf.capacity() == 0 {
            return self.poll_fill_idle(io, cx);
        }
        let len = self.buf.len();
        // Zeroed spare room (AsyncRead takes an initialised slice; no unsafe here).
        if self.buf.capacity() - len < MIN_ROOM {
            self.buf.reserve(READ_SIZE);
        }
        let room = (self.buf.capacity() - len).min(READ_SIZE);
        self.buf.resize(len + room, 0);
        let res = Pin::new(&mut *io).poll_read(cx, &mut self.buf[len..]);
        let n = match &res {
            Poll::Ready(Ok(n)) => *n,
            _ => 0,
        };
        self.buf.truncate(len + n);
        res
    }

    fn poll_fill_idle<IO>(&mut self, io: &mut IO, cx: &mut Context<'_>) -> Poll<io::Result<usize>>
    where
        IO: AsyncRead + Unpin + ?Sized,
    {
        let mut stack = [0u8; IDLE_READ];
        let n = std::task::ready!(Pin::new(&mut *io).poll_read(cx, &mut stack))?;
        if n > 0 {
            self.buf = BytesMut::with_capacity(FIRST_SIZE.max(2 * n));
            self.buf.extend_from_slice(&stack[..n]);
        }
        Poll::Ready(Ok(n))
    }

    /// Drops the allocation if nothing is buffered.
    pub(crate) fn release(&mut self) {
        if self.buf.is_empty() {
            self.buf = BytesMut::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::io::Cursor;
    use futures::task::noop_waker_ref;

    #[test]
    fn idle_read_allocates_only_when_bytes_arrive() {
        let mut io = Cursor::new(b"abc".to_vec());
        let mut rb = ReadBuf::new();
        let mut cx = Context::from_waker(noop_waker_ref());
        assert_eq!(rb.buf.capacity(), 0);
        assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(3))));
        assert_eq!(&rb.buf[..], b"abc");
        assert!(matches!(rb.poll_fill(&mut io, &mut cx), Poll::Ready(Ok(0))));
        assert_eq!(&rb.buf[..], b"abc");
        let _ = rb.buf.split_to(3);
        rb.release();
        assert_eq!(rb.buf.capacity(), 0);
    }
}
