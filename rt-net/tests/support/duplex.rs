//! An in-memory duplex pipe with the `futures-io` traits, standing in for a socket pair:
//! bounded buffers (so writers wait), half-close through `poll_close`, end of file when
//! the peer is dropped, and injected errors.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use futures::io::{AsyncRead, AsyncWrite};

/// One direction: bytes written by one end, read by the other.
#[derive(Debug, Default)]
struct Pipe {
    buf: VecDeque<u8>,
    cap: usize,
    /// The writer closed (or dropped) its end: the reader sees EOF once drained.
    write_closed: bool,
    /// The reader dropped its end: writes fail with `BrokenPipe`.
    read_dropped: bool,
    /// Injected: the next reads fail with this.
    read_error: Option<io::ErrorKind>,
    /// Injected: the next writes fail with this.
    write_error: Option<io::ErrorKind>,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
    /// How many times the writer flushed.
    flushes: usize,
}

type Shared = Arc<Mutex<Pipe>>;

fn lock(pipe: &Shared) -> MutexGuard<'_, Pipe> {
    pipe.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pipe {
    fn wake_all(&mut self) {
        if let Some(w) = self.read_waker.take() {
            w.wake();
        }
        if let Some(w) = self.write_waker.take() {
            w.wake();
        }
    }
}

/// One end of a [`duplex`] pipe.
#[derive(Debug)]
pub(crate) struct DuplexStream {
    /// What this end reads.
    rx: Shared,
    /// What this end writes.
    tx: Shared,
}

/// A connected pair; each direction buffers at most `cap` bytes.
pub(crate) fn duplex(cap: usize) -> (DuplexStream, DuplexStream) {
    let one: Shared = Arc::new(Mutex::new(Pipe { cap, ..Pipe::default() }));
    let two: Shared = Arc::new(Mutex::new(Pipe { cap, ..Pipe::default() }));
    (
        DuplexStream {
            rx: one.clone(),
            tx: two.clone(),
        },
        DuplexStream { rx: two, tx: one },
    )
}

impl DuplexStream {
    /// A handle to inject faults into this end while it is borrowed elsewhere.
    pub(crate) fn faults(&self) -> Faults {
        Faults {
            rx: self.rx.clone(),
            tx: self.tx.clone(),
        }
    }
}

/// Fault injection and inspection for one end of a pipe.
#[derive(Clone, Debug)]
pub(crate) struct Faults {
    rx: Shared,
    tx: Shared,
}

impl Faults {
    /// Reads on this end fail with `kind` from now on.
    pub(crate) fn fail_reads(&self, kind: io::ErrorKind) {
        let mut pipe = lock(&self.rx);
        pipe.read_error = Some(kind);
        pipe.wake_all();
    }

    /// Writes on this end fail with `kind` from now on.
    pub(crate) fn fail_writes(&self, kind: io::ErrorKind) {
        let mut pipe = lock(&self.tx);
        pipe.write_error = Some(kind);
        pipe.wake_all();
    }

    /// Whether this end closed its writing half.
    pub(crate) fn write_closed(&self) -> bool {
        lock(&self.tx).write_closed
    }

    /// How many times this end was flushed.
    pub(crate) fn flushes(&self) -> usize {
        lock(&self.tx).flushes
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, dst: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut pipe = lock(&self.rx);
        if let Some(kind) = pipe.read_error {
            return Poll::Ready(Err(io::Error::new(kind, "injected read error")));
        }
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if pipe.buf.is_empty() {
            if pipe.write_closed {
                return Poll::Ready(Ok(0));
            }
            pipe.read_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = dst.len().min(pipe.buf.len());
        for (d, s) in dst.iter_mut().zip(pipe.buf.drain(..n)) {
            *d = s;
        }
        if let Some(w) = pipe.write_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, src: &[u8]) -> Poll<io::Result<usize>> {
        let mut pipe = lock(&self.tx);
        if let Some(kind) = pipe.write_error {
            return Poll::Ready(Err(io::Error::new(kind, "injected write error")));
        }
        if pipe.read_dropped {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if pipe.write_closed {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::BrokenPipe, "write after close")));
        }
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let room = pipe.cap - pipe.buf.len();
        if room == 0 {
            pipe.write_waker = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(src.len());
        pipe.buf.extend(&src[..n]);
        if let Some(w) = pipe.read_waker.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pipe = lock(&self.tx);
        if let Some(kind) = pipe.write_error {
            return Poll::Ready(Err(io::Error::new(kind, "injected write error")));
        }
        pipe.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pipe = lock(&self.tx);
        pipe.write_closed = true;
        pipe.wake_all();
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        let mut tx = lock(&self.tx);
        tx.write_closed = true;
        tx.wake_all();
        drop(tx);
        let mut rx = lock(&self.rx);
        rx.read_dropped = true;
        rx.wake_all();
    }
}
