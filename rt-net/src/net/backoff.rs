//! The accept loop shared by [`TcpListener`](super::TcpListener) and
//! [`UnixListener`](super::UnixListener), and what it does when `accept(2)` fails.
//!
//! # Failures
//!
//! Three kinds (see [`classify`]):
//!
//! - **Per connection** (`ECONNABORTED`, `EPROTO`, `EPERM`, the network errors Linux
//!   passes on from the new socket, `EINTR`): that one connection is gone, the listener
//!   is fine. Skipped: the loop tries the next connection at once. (Each such error
//!   consumes the failed connection, so this cannot loop for ever.)
//! - **Resource exhaustion** (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): the connection
//!   is still in the kernel's queue and the listener stays readable, so retrying at
//!   once fails the same way and spins a core while the connections already open
//!   starve. The loop pauses instead, for a delay that starts at 1 ms and doubles up to
//!   256 ms while the error persists ([`Backoff`]; reset by the next successful
//!   accept), then tries again. The error is not returned: a server's
//!   `listener.accept().await?` would end the server, whereas it should keep serving
//!   the connections it has and accept again as soon as descriptors are free.
//! - Anything else (`EBADF`, `EINVAL`, a runtime that shut down, ...) ends the accept
//!   and is returned to the caller.
//!
//! # How a pause is waited
//!
//! [`Pause::start`] picks, on the thread that polls the accept:
//!
//! 1. **The runtime's timer** (`rt_core::time::sleep`), when the thread's runtime has
//!    time enabled. Found without panicking through the runtime context:
//!    `rt_core::context::current_handle()` and `driver::Handle::time_enabled()` (a
//!    `Sleep` polled where there is no timer would panic). Costs one timer.
//! 2. **A blocking-pool thread** that sleeps for the delay, in a runtime built without
//!    time (`Builder::enable_io()` only). Kept from before the timer existed because it
//!    is sound: the task is parked on the join handle, nothing spins; it costs one
//!    pool thread per paused accept for at most 256 ms, only while the process is out
//!    of descriptors. (If the pool is saturated the pause only gets longer. At shutdown
//!    the join handle fails, the pause ends, and the next readiness poll returns the
//!    shutdown error.)
//! 3. **No runtime on this thread** (a listener polled by a foreign executor; its
//!    reactor still runs elsewhere): nothing to pause on, so the loop clears the
//!    listener's readiness and waits for the next readiness event, that is the next
//!    incoming connection. That never spins (each retry needs a new connection), but
//!    connections already queued may wait until another one arrives. Returning the
//!    error instead would break the promise that `accept` survives `EMFILE`.
//!
//! The runtime's shutdown cannot turn the timer case into a spin: the driver shuts its
//! reactor down before its timer, so by the time a `Sleep` completes at once the
//! readiness poll already fails.
//!
//! # Sharing
//!
//! The delay lives in the listener and is shared (an atomic) by every task accepting on
//! it, so an accept future that is dropped and made again (a `select!` loop) resumes
//! the back-off instead of restarting at 1 ms. The `async` accept keeps its pause in
//! its own future; [`Backoff::poll_accept`] keeps one in the listener, behind a lock,
//! which is why it serves one task at a time.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use mio::event::Source;
use rt_core::io::{Interest, PollEvented, ReadyEvent};
use rt_core::loom::sync::atomic::{AtomicU32, Ordering};
use rt_core::loom::sync::Mutex;
use rt_core::task::JoinHandle;
use rt_core::time::Sleep;

/// How an `accept(2)` error is handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The pending connection failed; try the next one at once.
    Skip,
    /// Out of descriptors or memory; pause, then try again.
    Exhausted,
    /// The listener itself is broken; return the error.
    Fatal,
}

/// Sorts an error returned by `accept(2)`.
pub(crate) fn classify(err: &io::Error) -> Failure {
    match err.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => Failure::Exhausted,
        // accept(2), "Error handling": Linux passes on pending network errors of the
        // new socket; they concern that connection only and should be retried. (Only
        // TCP produces the network ones; a Unix socket can fail with the first three.)
        Some(
            libc::ECONNABORTED
            | libc::EPROTO
            | libc::EINTR
            | libc::ECONNRESET
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP,
        ) => Failure::Skip,
        _ => Failure::Fatal,
    }
}

/// What the accept loop does after one `accept(2)`.
enum Step<T> {
    /// Return this.
    Done(io::Result<T>),
    /// Wait for readiness (cleared if the queue was empty) and try again.
    Again,
    /// Out of resources: pause, then try again.
    BackOff(ReadyEvent),
}

/// The back-off state of one listener: the growing delay, and the pause of
/// [`poll_accept`](Backoff::poll_accept).
#[derive(Debug)]
pub(crate) struct Backoff {
    /// The last delay in milliseconds (0: not backing off). Only a heuristic shared by
    /// every accepting task, so relaxed ordering is enough.
    delay_ms: AtomicU32,
    /// The pause in progress of the poll-based accept (one task at a time).
    poll_pause: Mutex<Option<Pause>>,
}

impl Backoff {
    /// The first delay.
    const FIRST_MS: u32 = 1;
    /// The longest delay: how late, at worst, accepting resumes once a descriptor is
    /// free. A retry costs one syscall, so a few per second are free.
    const MAX_MS: u32 = 256;

    /// A listener that has not failed yet.
    pub(crate) fn new() -> Backoff {
        Backoff {
            delay_ms: AtomicU32::new(0),
            poll_pause: Mutex::new(None),
        }
    }

    /// Waits for a connection on `io` and takes it with `accept` (one `accept(2)` call),
    /// handling failures as the module docs say.
    ///
    /// # Errors
    ///
    /// Readiness errors (the runtime shut down) and fatal errors of `accept`.
    pub(crate) async fn accept<L: Source, T>(
        &self,
        io: &PollEvented<L>,
        mut accept: impl FnMut(&L) -> io::Result<T>,
    ) -> io::Result<T> {
        loop {
            let event = io.readiness(Interest::READABLE).await?;
            match self.try_accept(io, event, &mut accept) {
                Step::Done(res) => return res,
                Step::Again => {}
                Step::BackOff(event) => match Pause::start(self.next_delay()) {
                    Some(pause) => pause.await,
                    None => io.clear_readiness(event),
                },
            }
        }
    }

    /// The poll-based form of [`accept`](Backoff::accept). The pause lives in `self`
    /// and only the waker of the last call is kept: one task at a time.
    ///
    /// # Errors
    ///
    /// As [`accept`](Backoff::accept).
    pub(crate) fn poll_accept<L: Source, T>(
        &self,
        cx: &mut Context<'_>,
        io: &PollEvented<L>,
        mut accept: impl FnMut(&L) -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        let mut pause = self.poll_pause.lock();
        loop {
            if let Some(waiting) = pause.as_mut() {
                ready!(Pin::new(waiting).poll(cx));
                *pause = None;
            }
            let event = ready!(io.poll_read_ready(cx))?;
            match self.try_accept(io, event, &mut accept) {
                Step::Done(res) => return Poll::Ready(res),
                Step::Again => {}
                Step::BackOff(event) => match Pause::start(self.next_delay()) {
                    Some(started) => *pause = Some(started),
                    None => io.clear_readiness(event),
                },
            }
        }
    }

    /// One `accept(2)` after the listener was seen readable (`event`), sorted by what
    /// the loop does next.
    fn try_accept<L: Source, T>(
        &self,
        io: &PollEvented<L>,
        event: ReadyEvent,
        accept: &mut impl FnMut(&L) -> io::Result<T>,
    ) -> Step<T> {
        let err = match accept(io.get_ref()) {
            Ok(accepted) => {
                self.reset();
                return Step::Done(Ok(accepted));
            }
            Err(e) => e,
        };
        if err.kind() == io::ErrorKind::WouldBlock {
            io.clear_readiness(event);
            return Step::Again;
        }
        match classify(&err) {
            Failure::Skip => Step::Again,
            Failure::Exhausted => Step::BackOff(event),
            Failure::Fatal => Step::Done(Err(err)),
        }
    }

    /// Doubles the delay (starting at 1 ms, capped at 256 ms) and returns the new one.
    fn next_delay(&self) -> Duration {
        let grow = |ms: u32| ms.saturating_mul(2).clamp(Self::FIRST_MS, Self::MAX_MS);
        let prev = self
            .delay_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |ms| Some(grow(ms)))
            .unwrap_or_else(|ms| ms);
        Duration::from_millis(u64::from(grow(prev)))
    }

    /// An accept succeeded: the next exhaustion starts from the first delay again.
    fn reset(&self) {
        // Load first: the common case (not backing off) does not write the shared line.
        if self.delay_ms.load(Ordering::Relaxed) != 0 {
            self.delay_ms.store(0, Ordering::Relaxed);
        }
    }
}

/// A pause in progress: on the runtime's timer, or on a blocking-pool thread (see the
/// module docs). Both are `Unpin`, so a pause needs no allocation of its own.
#[derive(Debug)]
enum Pause {
    Timer(Sleep),
    Blocking(JoinHandle<()>),
}

impl Pause {
    /// Starts a pause of `delay` on what the current thread offers; `None` when it is
    /// not inside a runtime.
    fn start(delay: Duration) -> Option<Pause> {
        let time_enabled = rt_core::context::current_handle().is_some_and(|h| h.time_enabled());
        if time_enabled {
            return Some(Pause::Timer(rt_core::time::sleep(delay)));
        }
        let runtime = rt_sched::Handle::try_current().ok()?;
        Some(Pause::Blocking(
            runtime.spawn_blocking(move || std::thread::sleep(delay)),
        ))
    }
}

impl Future for Pause {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.get_mut() {
            Pause::Timer(sleep) => Pin::new(sleep).poll(cx),
            // An error means the runtime is shutting down: the next readiness poll
            // fails, which ends the accept.
            Pause::Blocking(thread) => Pin::new(thread).poll(cx).map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_timer(pause: &Pause) -> bool {
        matches!(pause, Pause::Timer(_))
    }

    #[test]
    fn exhaustion_backs_off_and_connection_errors_are_skipped() {
        for code in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert_eq!(classify(&io::Error::from_raw_os_error(code)), Failure::Exhausted);
        }
        for code in [libc::ECONNABORTED, libc::EPROTO, libc::EINTR] {
            assert_eq!(classify(&io::Error::from_raw_os_error(code)), Failure::Skip);
        }
        assert_eq!(classify(&io::Error::from_raw_os_error(libc::EBADF)), Failure::Fatal);
        assert_eq!(classify(&io::ErrorKind::WouldBlock.into()), Failure::Fatal);
        assert_eq!(classify(&io::Error::other("runtime shut down")), Failure::Fatal);
    }

    #[test]
    fn delay_doubles_up_to_the_cap_and_resets() {
        let backoff = Backoff::new();
        let delays: Vec<u128> = (0..12).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256, 256]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(1));
    }

    #[test]
    fn pauses_on_the_timer_when_time_is_enabled() {
        let rt = rt_sched::Builder::new_current_thread().enable_time().build().unwrap();
        let pause = rt.block_on(async { Pause::start(Duration::from_millis(1)) });
        assert!(pause.as_ref().is_some_and(is_timer), "{pause:?}");
        rt.block_on(pause.unwrap());
    }

    #[test]
    fn pauses_on_the_blocking_pool_without_time() {
        let rt = rt_sched::Builder::new_current_thread().enable_io().build().unwrap();
        let pause = rt.block_on(async { Pause::start(Duration::from_millis(1)) });
        assert!(pause.as_ref().is_some_and(|p| !is_timer(p)), "{pause:?}");
        rt.block_on(pause.unwrap());
    }

    #[test]
    fn no_pause_outside_a_runtime() {
        assert!(Pause::start(Duration::from_millis(1)).is_none());
    }
}
