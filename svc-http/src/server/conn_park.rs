//! A connection's two phases: active and parked.
//!
//! A proxy keeps thousands of client connections open that send nothing for seconds to
//! minutes, so what an idle connection holds is most of its memory. An active connection
//! (one serving requests, or between two requests of a busy client) needs its request
//! loop, its read and write buffers and their bookkeeping; a connection that has waited
//! [`PARK_AFTER`](super::PARK_AFTER) for its next request needs only the stream, the
//! service, the configuration, the shutdown signal and the keep-alive timer.
//!
//! So the connection's future is a small state machine ([`Connection`]): the active
//! phase is a future of its own in an allocation of its own, made when bytes arrive, and
//! freed when the connection parks or ends; the parked phase is [`Parked`], kept inline.
//! A parked connection waits for three things: bytes from the client (read into a
//! per-thread scratch buffer first, see `ReadBuf`; they start a new active phase), its
//! timer, and the shutdown signal. A new connection starts parked, its timer set to the
//! first request's header deadline: when that passes, an active phase starts anyway and
//! answers `408`. Between requests the timer is the end of the keep-alive time, and it
//! closes the connection, as the shutdown signal does. A busy connection never parks, so
//! requests pay nothing for this; a new connection, or a client that comes back after a
//! pause, pays one allocation.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use pin_project_lite::pin_project;
use rt_core::time::{Instant, Sleep};

use super::super::config::Config;
use crate::error::Error;
use crate::proto::read_buf::ReadBuf;

/// A connection between requests: what it keeps while parked, and what an active phase
/// starts from.
pub(super) struct Parked<IO, S, F> {
    pub(super) io: IO,
    pub(super) service: S,
    pub(super) config: Config,
    /// `None` once the shutdown signal fired.
    pub(super) shutdown: Option<F>,
    /// While parked: the first request's header deadline for a new connection, else the
    /// end of the keep-alive time.
    pub(super) timer: Option<Sleep>,
}

/// How an active phase ended.
pub(super) enum Outcome<IO, S, F> {
    /// The connection is closed, with this result.
    Done(Result<(), Error>),
    /// The connection waits for its next request.
    Park(Parked<IO, S, F>),
}

/// What a parked connection woke up for.
enum Wake {
    /// The client sent bytes: they are in the buffer.
    Data(ReadBuf),
    /// The timer fired.
    Timer,
    /// End of stream, or the shutdown signal.
    Close,
    Failed(Error),
}

impl<IO, S, F> Parked<IO, S, F>
where
    IO: AsyncRead + Unpin,
    F: Future<Output = ()> + Unpin,
{
    fn poll_wake(&mut self, cx: &mut Context<'_>) -> Poll<Wake> {
        // An unallocated buffer reads into the thread's scratch buffer, and allocates only
        // for bytes that arrived.
        let mut rb = ReadBuf::new();
        match rb.poll_fill(&mut self.io, cx) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Wake::Close),
            Poll::Ready(Ok(_)) => return Poll::Ready(Wake::Data(rb)),
            Poll::Ready(Err(e)) => return Poll::Ready(Wake::Failed(Error::io(e))),
            Poll::Pending => {}
        }
        if let Some(signal) = &mut self.shutdown {
            if Pin::new(signal).poll(cx).is_ready() {
                return Poll::Ready(Wake::Close);
            }
        }
        match self.timer.as_mut().map(|timer| Pin::new(timer).poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(Wake::Timer),
            _ => Poll::Pending,
        }
    }
}

enum Phase<IO, S, F, A> {
    /// Waiting for the first request; the timer is its header deadline.
    New(Parked<IO, S, F>),
    Active(Pin<Box<A>>),
    /// Between requests; the timer is the end of the keep-alive time.
    Parked(Parked<IO, S, F>),
    /// Closing the stream of a parked connection, then ending with this result.
    Closing(IO, Option<Error>),
    Done,
}

pin_project! {
    /// The future of a connection: see the module's documentation. `activate` makes an
    /// active phase (`A`) from the parked parts, the bytes that woke them up, and the
    /// first request's header deadline (`None` after the first request).
    ///
    /// Nothing in it is pinned: the active phase is in its own allocation, and the
    /// parked parts are only moved, never polled in place.
    pub(super) struct Connection<IO, S, F, M, A> {
        phase: Phase<IO, S, F, A>,
        activate: M,
    }
}

impl<IO, S, F, M, A> Connection<IO, S, F, M, A>
where
    M: FnMut(Parked<IO, S, F>, ReadBuf, Option<Instant>) -> A,
{
    /// A new connection: parked until its first bytes, its timer set to the first
    /// request's header deadline.
    pub(super) fn new(parked: Parked<IO, S, F>, activate: M) -> Self {
        Connection {
            phase: Phase::New(parked),
            activate,
        }
    }
}

impl<IO, S, F, M, A> Future for Connection<IO, S, F, M, A>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    F: Future<Output = ()> + Unpin,
    M: FnMut(Parked<IO, S, F>, ReadBuf, Option<Instant>) -> A,
    A: Future<Output = Outcome<IO, S, F>>,
{
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let this = self.project();
        loop {
            // The active phase, where requests are served, is polled in place.
            if let Phase::Active(active) = this.phase {
                *this.phase = match std::task::ready!(active.as_mut().poll(cx)) {
                    Outcome::Done(res) => {
                        *this.phase = Phase::Done;
                        return Poll::Ready(res);
                    }
                    // The active phase's allocation is freed here.
                    Outcome::Park(parked) => Phase::Parked(parked),
                };
            }
            // The others are taken out; each arm puts back the phase it took, or the next.
            *this.phase = match std::mem::replace(this.phase, Phase::Done) {
                active @ Phase::Active(_) => active,
                Phase::New(mut parked) => {
                    let wake = parked.poll_wake(cx);
                    let first_deadline = parked.timer.as_ref().map(Sleep::deadline);
                    match wake {
                        Poll::Pending => {
                            *this.phase = Phase::New(parked);
                            return Poll::Pending;
                        }
                        Poll::Ready(Wake::Data(rb)) => {
                            Phase::Active(Box::pin((this.activate)(parked, rb, first_deadline)))
                        }
                        // The header deadline passed: the active phase answers `408`.
                        Poll::Ready(Wake::Timer) => {
                            Phase::Active(Box::pin((this.activate)(parked, ReadBuf::new(), first_deadline)))
                        }
                        Poll::Ready(Wake::Close) => Phase::Closing(parked.io, None),
                        Poll::Ready(Wake::Failed(e)) => Phase::Closing(parked.io, Some(e)),
                    }
                }
                Phase::Parked(mut parked) => match parked.poll_wake(cx) {
                    Poll::Pending => {
                        *this.phase = Phase::Parked(parked);
                        return Poll::Pending;
                    }
                    Poll::Ready(Wake::Data(rb)) => Phase::Active(Box::pin((this.activate)(parked, rb, None))),
                    // The end of the keep-alive time.
                    Poll::Ready(Wake::Timer | Wake::Close) => Phase::Closing(parked.io, None),
                    Poll::Ready(Wake::Failed(e)) => Phase::Closing(parked.io, Some(e)),
                },
                Phase::Closing(mut io, error) => match Pin::new(&mut io).poll_close(cx) {
                    Poll::Pending => {
                        *this.phase = Phase::Closing(io, error);
                        return Poll::Pending;
                    }
                    // A close error is of no use any more; a read error is the result.
                    Poll::Ready(_) => return Poll::Ready(error.map_or(Ok(()), Err)),
                },
                Phase::Done => panic!("a connection's future polled after it completed"),
            };
        }
    }
}
