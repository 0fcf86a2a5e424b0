//! [`Signal`]: a stream of deliveries of one Unix signal, and [`signal`] to create one.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

use rt_core::io::{Interest, PollEvented};

use super::SignalKind;
use crate::signal::registry::{self, Listener, Registry};
use crate::sys::signal::MAX_SIGNUM;

/// Listens for deliveries of one signal.
///
/// Every `Signal` of a kind sees every delivery of it made after the stream was created.
/// Deliveries made while a stream is not being polled coalesce: however many arrive
/// between two [`recv`](Self::recv)s, the next `recv` returns once, like tokio's streams
/// (and like the OS itself, which merges pending instances of a standard signal).
///
/// # The default action is replaced
///
/// Creating the first stream for a signal installs a process-wide handler for it that
/// stays installed for the life of the process, even after every stream is dropped: from
/// then on the signal's default action (usually terminating the process) no longer runs,
/// and deliveries with no stream listening are ignored. A handler some other code
/// installed before is still called, after ours.
///
/// # Panics
///
/// Nothing here panics: [`signal`] returns an error outside a runtime with I/O enabled.
///
/// # Examples
///
/// ```no_run
/// use rt_net::signal::unix::{signal, SignalKind};
///
/// # async fn run() -> std::io::Result<()> {
/// let mut hangups = signal(SignalKind::hangup())?;
/// while hangups.recv().await.is_some() {
///     println!("reloading the configuration");
/// }
/// # Ok(())
/// # }
/// ```
pub struct Signal {
    kind: SignalKind,
    listener: Listener,
    /// This stream's duplicate of the self-pipe's read end, on this runtime's reactor.
    pipe: PollEvented<mio::net::UnixStream>,
    /// The reactor failed (the runtime shut down): no more deliveries.
    closed: bool,
}

/// Creates a stream of the deliveries of `kind`, installing the process-wide handler for
/// it if this is the first stream of that kind (see [`Signal`]).
///
/// # Errors
///
/// * `InvalidInput` for a signal that must not be handled (`SIGKILL`, `SIGSTOP`,
///   `SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`) or a number out of range;
/// * an error when called outside a runtime with I/O enabled;
/// * an error from the OS creating the self-pipe or installing the handler.
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.as_raw_value();
    if kind.is_forbidden() || !(1..=MAX_SIGNUM).contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal {signum} cannot be listened for (forbidden or out of range)"),
        ));
    }
    let registry = Registry::global()?;
    // Register with the reactor before installing the handler, so that failing here
    // (for example outside a runtime) leaves the signal's disposition untouched.
    let pipe = mio::net::UnixStream::from_std(registry.receiver()?);
    let pipe = PollEvented::new_with_interest(pipe, Interest::READABLE)?;
    let listener = registry.listen(signum)?;
    Ok(Signal {
        kind,
        listener,
        pipe,
        closed: false,
    })
}

impl Signal {
    /// Waits for the next delivery. Returns `None` once no more deliveries can be
    /// received (the runtime this stream was created on shut down).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a delivery is only consumed when `recv` returns it, so after a
    /// cancelled `recv` (say, losing a `select`) the next one still sees it.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls for the next delivery; `Ready(None)` once no more can be received. Keeps
    /// `cx`'s waker for the next delivery when `Pending`.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let Ok(registry) = Registry::global() else {
            return Poll::Ready(None);
        };
        // 1. Drive the self-pipe: drain what arrived and broadcast it. The closure always
        //    ends in `WouldBlock` (or an error), which re-arms this stream's read waker.
        if !self.closed {
            if self.pipe.poll_read_io(cx, registry::drain).is_ready() {
                // Only a reactor error or a closed pipe get here.
                self.closed = true;
            }
            registry.dispatch();
        }
        // 2. Report a delivery this stream has not seen yet, or wait for one.
        if registry.poll_delivery(&mut self.listener, cx).is_ready() {
            return Poll::Ready(Some(()));
        }
        if self.closed {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    /// The signal this stream listens for.
    pub fn kind(&self) -> SignalKind {
        self.kind
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        if let Ok(registry) = Registry::global() {
            registry.forget(&self.listener);
        }
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}
