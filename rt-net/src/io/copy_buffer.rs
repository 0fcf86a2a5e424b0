//! `CopyBuffer`: one direction of a copy, from an `AsyncRead` to an `AsyncWrite`
//! through a fixed buffer.
//!
//! # Protocol
//!
//! A loop of three phases, each resumable where it returned `Pending`:
//!
//! 1. *Fill*: when the buffer is empty and the reader has not ended, read into it. One
//!    unit of the task's cooperative budget is spent per read that returns data (or
//!    end of file), so a reader and writer that are always ready cannot keep the task
//!    on its worker forever. Before returning `Pending` because the reader has nothing,
//!    flush the writer if anything was written since the last flush: the bytes sent so
//!    far must not sit in a writer's buffer while we wait for more.
//! 2. *Drain*: write the buffered bytes until none are left.
//! 3. *Finish*: once the reader ended and the buffer is drained, flush and report the
//!    number of bytes copied.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use rt_core::coop;

/// The default buffer size of each direction: 8 KiB.
pub(crate) const DEFAULT_BUF_SIZE: usize = 8 * 1024;

/// The state of one copy direction; see the module docs.
#[derive(Debug)]
pub(crate) struct CopyBuffer {
    buf: Box<[u8]>,
    /// `pos..end` is read and not yet written.
    pos: usize,
    end: usize,
    read_done: bool,
    need_flush: bool,
    /// Bytes written so far.
    amt: u64,
}

impl CopyBuffer {
    /// A buffer of `size` bytes (at least 1).
    pub(crate) fn new(size: usize) -> CopyBuffer {
        CopyBuffer {
            buf: vec![0; size.max(1)].into_boxed_slice(),
            pos: 0,
            end: 0,
            read_done: false,
            need_flush: false,
            amt: 0,
        }
    }

    /// Copies until the reader ends and every byte is written and flushed; returns the
    /// number of bytes copied.
    pub(crate) fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
        mut writer: Pin<&mut W>,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + ?Sized,
        W: AsyncWrite + ?Sized,
    {
        loop {
            // Phase 1: fill.
            if self.pos == self.end && !self.read_done {
                match self.poll_fill(cx, reader.as_mut()) {
                    Poll::Ready(res) => res?,
                    Poll::Pending => {
                        if self.need_flush {
                            ready!(writer.as_mut().poll_flush(cx))?;
                            self.need_flush = false;
                        }
                        return Poll::Pending;
                    }
                }
            }
            // Phase 2: drain.
            while self.pos < self.end {
                let n = ready!(writer.as_mut().poll_write(cx, &self.buf[self.pos..self.end]))?;
                if n == 0 {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the writer accepted zero bytes: cannot copy the rest",
                    )));
                }
                // A writer claiming more than it was given is not trusted with indices.
                let n = n.min(self.end - self.pos);
                self.pos += n;
                self.amt += n as u64;
                self.need_flush = true;
            }
            // Phase 3: finish.
            if self.read_done {
                ready!(writer.as_mut().poll_flush(cx))?;
                self.need_flush = false;
                return Poll::Ready(Ok(self.amt));
            }
        }
    }

    /// Reads into the empty buffer, spending one unit of budget when it gets an answer.
    fn poll_fill<R: AsyncRead + ?Sized>(
        &mut self,
        cx: &mut Context<'_>,
        mut reader: Pin<&mut R>,
    ) -> Poll<io::Result<()>> {
        let budget = ready!(coop::poll_proceed(cx));
        let n = loop {
            match ready!(reader.as_mut().poll_read(cx, &mut self.buf)) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                res => break res?,
            }
        };
        budget.made_progress();
        if n == 0 {
            self.read_done = true;
        } else {
            self.pos = 0;
            self.end = n.min(self.buf.len());
        }
        Poll::Ready(Ok(()))
    }
}
