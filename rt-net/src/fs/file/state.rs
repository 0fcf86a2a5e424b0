//! The state machine behind [`File`](super::File): one blocking operation in flight at
//! a time, with a buffer that travels to the blocking pool and back.
//!
//! # Protocol
//!
//! * `Idle(buf)`: nothing runs. `buf` is either empty or holds bytes *read* from the file
//!   that the reader has not consumed yet (then the OS cursor is `buf.len()` bytes ahead
//!   of the reader's position). Written bytes never stay in an idle buffer: a write is
//!   handed to the pool at once.
//! * `Busy(handle)`: one blocking closure owns the buffer and a clone of the `Arc` of the
//!   std file; it returns both, with the [`Operation`]'s outcome.
//! * Every operation first finishes the one in flight, so operations reach the OS in the
//!   order the caller issued them: a read after a write sees the written bytes, a seek
//!   happens after the pending write.
//! * Before a write, seek or `set_len` runs, unread bytes in the buffer are dropped and
//!   the OS cursor is moved back by their number, so the file position is the one the
//!   reader expects.
//! * `poll_write` returns as soon as the bytes are copied into the buffer and the write is
//!   queued. If that background write fails, the error is kept in `last_write_err` and
//!   returned by the next operation on the file (read, write, seek, flush, close,
//!   `sync_*`, `set_len`, `metadata`, `into_std`), so it is never silently lost. The
//!   same holds for a `set_len` the caller stopped waiting for, and for an operation
//!   the blocking pool dropped at shutdown.
//! * A read, seek or `set_len` whose caller stopped waiting keeps running; the next
//!   operation waits for it. The bytes of an abandoned read stay in the buffer for the
//!   next read.

use std::fs::File as StdFile;
use std::future::{poll_fn, Future};
use std::io::{self, Seek, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use rt_core::task::JoinHandle;

use crate::blocking;
use crate::fs::buf::Buf;

/// What the blocking closure did, and how it went.
#[derive(Debug)]
pub(super) enum Operation {
    Read(io::Result<usize>),
    Write(io::Result<()>),
    /// The requested position (to match a repeated `poll_seek`) and the outcome.
    Seek(SeekFrom, io::Result<u64>),
    SetLen(io::Result<()>),
    /// The blocking pool never finished the closure (the runtime shut down, or it
    /// panicked): its buffer is gone and the file's cursor is unknown.
    Lost(io::Error),
}

#[derive(Debug)]
enum State {
    Idle(Buf),
    Busy(JoinHandle<(Operation, Buf)>),
}

/// Everything of a `File` that an operation needs exclusive access to.
#[derive(Debug)]
pub(super) struct Inner {
    state: State,
    /// The first error of a background write (or abandoned `set_len`) not yet reported.
    last_write_err: Option<io::Error>,
}

impl Inner {
    pub(super) fn new() -> Inner {
        Inner {
            state: State::Idle(Buf::default()),
            last_write_err: None,
        }
    }

    /// Reads into `dst`, at most `max` bytes from the OS per blocking call.
    pub(super) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<StdFile>,
        max: usize,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            match &mut self.state {
                State::Idle(buf) => {
                    // Bytes left over from an earlier read come first.
                    if !buf.is_empty() {
                        return Poll::Ready(Ok(buf.copy_to(dst)));
                    }
                    if let Some(e) = self.last_write_err.take() {
                        return Poll::Ready(Err(e));
                    }
                    let rt = match blocking::runtime() {
                        Ok(rt) => rt,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    let len = dst.len().min(max);
                    let buf = std::mem::take(buf);
                    self.start(&rt, std, buf, move |mut file, buf| {
                        Operation::Read(buf.read_from(&mut file, len))
                    });
                }
                State::Busy(_) => match ready!(self.poll_busy(cx)) {
                    Some(Operation::Read(Ok(_))) => {
                        // Possibly `Ok(0)`: end of file. Either way, answer now.
                        return Poll::Ready(Ok(self.idle_buf().map_or(0, |buf| buf.copy_to(dst))));
                    }
                    Some(Operation::Read(Err(e))) => return Poll::Ready(Err(e)),
                    Some(other) => self.absorb(other),
                    None => {}
                },
            }
        }
    }

    /// Takes up to `max` bytes of `src` and queues their write; returns at once.
    pub(super) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<StdFile>,
        max: usize,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            match &mut self.state {
                State::Idle(buf) => {
                    if let Some(e) = self.last_write_err.take() {
                        return Poll::Ready(Err(e));
                    }
                    let rt = match blocking::runtime() {
                        Ok(rt) => rt,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    let mut buf = std::mem::take(buf);
                    let rewind = rewind_unread(&mut buf);
                    let taken = buf.copy_from(src, max);
                    self.start(&rt, std, buf, move |file, buf| {
                        let res = rewind_then(file, rewind, |mut file| buf.write_to(&mut file));
                        // Written or failed: either way the bytes are no longer ours.
                        buf.clear();
                        Operation::Write(res)
                    });
                    return Poll::Ready(Ok(taken));
                }
                State::Busy(_) => {
                    // A failed earlier write is stored here and reported by the idle arm.
                    if let Some(op) = ready!(self.poll_busy(cx)) {
                        self.absorb(op);
                    }
                }
            }
        }
    }

    /// Moves the cursor to `pos` (after every operation queued before).
    pub(super) fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        std: &Arc<StdFile>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            match &mut self.state {
                State::Idle(buf) => {
                    if let Some(e) = self.last_write_err.take() {
                        return Poll::Ready(Err(e));
                    }
                    let rt = match blocking::runtime() {
                        Ok(rt) => rt,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    // The OS cursor is ahead of the reader by the unread bytes.
                    let target = match pos {
                        SeekFrom::Current(off) => match off.checked_sub(unread_len(buf)) {
                            Some(off) => SeekFrom::Current(off),
                            None => return Poll::Ready(Err(invalid_seek())),
                        },
                        other => other,
                    };
                    let mut buf = std::mem::take(buf);
                    buf.clear();
                    self.start(&rt, std, buf, move |mut file, _| {
                        Operation::Seek(pos, file.seek(target))
                    });
                }
                State::Busy(_) => match ready!(self.poll_busy(cx)) {
                    // Ours (or an abandoned one to the same place: see `File`'s docs).
                    Some(Operation::Seek(done, res)) if done == pos => return Poll::Ready(res),
                    Some(other) => self.absorb(other),
                    None => {}
                },
            }
        }
    }

    /// Waits for the operation in flight, then reports a pending write error.
    pub(super) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some(op) = ready!(self.poll_busy(cx)) {
            self.absorb(op);
        }
        Poll::Ready(self.last_write_err.take().map_or(Ok(()), Err))
    }

    /// [`poll_flush`](Inner::poll_flush) as a future.
    pub(super) async fn flush(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Truncates or extends the file to `size` bytes, after every queued operation.
    pub(super) async fn set_len(&mut self, std: &Arc<StdFile>, size: u64) -> io::Result<()> {
        self.flush().await?;
        let rt = blocking::runtime()?;
        let mut buf = self.take_idle_buf();
        let rewind = rewind_unread(&mut buf);
        self.start(&rt, std, buf, move |file, _| {
            Operation::SetLen(rewind_then(file, rewind, |file| file.set_len(size)))
        });
        // Wait through the state: if this future is dropped, the next operation waits
        // for the `set_len` instead of racing it.
        match poll_fn(|cx| self.poll_busy(cx)).await {
            Some(Operation::SetLen(res)) => res,
            Some(other) => {
                self.absorb(other);
                self.last_write_err.take().map_or(Ok(()), Err)
            }
            None => Ok(()),
        }
    }

    /// Finishes everything and moves the OS cursor to the reader's position, so the std
    /// file can be handed out.
    pub(super) async fn settle(&mut self, std: &Arc<StdFile>) -> io::Result<()> {
        self.flush().await?;
        if let Some(rewind) = self.idle_buf().and_then(rewind_unread) {
            let file = std.clone();
            blocking::run(move || (&*file).seek(rewind).map(drop)).await?;
        }
        Ok(())
    }

    /// Queues `run` on the blocking pool with `buf` (taken out of the idle state) and a
    /// clone of the file; the state becomes `Busy`.
    fn start<F>(&mut self, rt: &rt_sched::Handle, std: &Arc<StdFile>, mut buf: Buf, run: F)
    where
        F: FnOnce(&StdFile, &mut Buf) -> Operation + Send + 'static,
    {
        debug_assert!(
            matches!(self.state, State::Idle(_)),
            "a file operation is already in flight"
        );
        let file = std.clone();
        self.state = State::Busy(rt.spawn_blocking(move || {
            let op = run(&file, &mut buf);
            (op, buf)
        }));
    }

    /// Waits for the operation in flight and returns its outcome (`None` when idle).
    /// The state is `Idle` afterwards.
    fn poll_busy(&mut self, cx: &mut Context<'_>) -> Poll<Option<Operation>> {
        let State::Busy(handle) = &mut self.state else {
            return Poll::Ready(None);
        };
        let (op, buf) = match ready!(Pin::new(handle).poll(cx)) {
            Ok(done) => done,
            Err(e) => (Operation::Lost(blocking::join_error(e)), Buf::default()),
        };
        self.state = State::Idle(buf);
        Poll::Ready(Some(op))
    }

    /// Keeps the error of an outcome nobody waits for, if it must not be lost.
    fn absorb(&mut self, op: Operation) {
        match op {
            Operation::Write(Err(e)) | Operation::SetLen(Err(e)) | Operation::Lost(e) => {
                self.last_write_err.get_or_insert(e);
            }
            // A read's bytes stay in the buffer; a failed read or seek nobody waits for
            // changed nothing worth reporting.
            Operation::Read(_) | Operation::Write(Ok(())) | Operation::Seek(..) | Operation::SetLen(Ok(())) => {}
        }
    }

    /// The idle buffer, moved out (empty when an operation is in flight).
    fn take_idle_buf(&mut self) -> Buf {
        self.idle_buf().map(std::mem::take).unwrap_or_default()
    }

    fn idle_buf(&mut self) -> Option<&mut Buf> {
        match &mut self.state {
            State::Idle(buf) => Some(buf),
            State::Busy(_) => None,
        }
    }
}

/// How far the reader is behind the OS cursor, as an `i64`.
fn unread_len(buf: &Buf) -> i64 {
    i64::try_from(buf.len()).unwrap_or(i64::MAX)
}

/// Drops unread bytes; returns the seek that moves the OS cursor back to the reader.
fn rewind_unread(buf: &mut Buf) -> Option<SeekFrom> {
    (!buf.is_empty()).then(|| SeekFrom::Current(buf.discard_read()))
}

/// Blocking: applies `rewind` (if any), then `op`.
fn rewind_then<T>(
    file: &StdFile,
    rewind: Option<SeekFrom>,
    op: impl FnOnce(&StdFile) -> io::Result<T>,
) -> io::Result<T> {
    if let Some(pos) = rewind {
        let mut f = file;
        f.seek(pos)?;
    }
    op(file)
}

fn invalid_seek() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "invalid seek: the offset overflows")
}
