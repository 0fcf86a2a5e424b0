//! The back-off of an accept loop that ran out of file descriptors.
//!
//! A connection that failed before `accept` took it (`ECONNABORTED`, `EPROTO`) or an
//! interrupted call (`EINTR`) is skipped: the loop tries the next connection at once.
//!
//! `accept` failing with `EMFILE` (or `ENFILE`, `ENOBUFS`, `ENOMEM`) leaves the pending
//! connection in the backlog, so the listener stays readable and an immediate retry
//! fails the same way: a loop that retries at once spins a core at 100 % while the
//! connections it already has starve. Instead the accept loop pauses, doubling the pause
//! from [`FIRST`] up to [`MAX`] while the error persists, and resets once an accept
//! succeeds. The error is not returned to the caller, whose
//! `listener.accept().await?` would otherwise end the server: the listener keeps serving
//! as soon as descriptors are free again. Outside a runtime there is nothing to pause
//! on, and the error is returned.
//!
//! How the pause is waited: `rt-core` has no timer on this branch yet
//! (`rt_core::time` is being written), so [`pause`] sleeps a blocking-pool thread. That
//! costs a thread while the process is out of descriptors, which is rare and short;
//! once `rt_core::time::sleep` is merged, [`pause`] switches to it (when the runtime has
//! time enabled) and nothing else here changes. The TCP listener does the same.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The first pause after a resource-exhaustion error.
const FIRST: Duration = Duration::from_millis(1);
/// The longest pause: how late, at worst, accepting resumes once a descriptor is free.
/// A retry costs one syscall, so even a few per second are free.
const MAX: Duration = Duration::from_millis(256);

/// A pause in progress.
type Pause = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Back-off state of one accept loop: the pause to take next and the one in progress.
#[derive(Default)]
pub(crate) struct Backoff {
    next: Option<Duration>,
    pause: Option<Pause>,
}

impl Backoff {
    /// A loop that has not failed yet.
    pub(crate) const fn new() -> Backoff {
        Backoff {
            next: None,
            pause: None,
        }
    }

    /// Takes an accept error: returns `Ok` when the loop should try again (at once for a
    /// connection that failed before it was accepted; after an armed pause for resource
    /// exhaustion, when there is a runtime to pause on), or hands the error back.
    pub(crate) fn on_error(&mut self, err: io::Error) -> io::Result<()> {
        if is_per_connection(&err) {
            return Ok(());
        }
        if !is_resource_exhaustion(&err) {
            return Err(err);
        }
        let delay = self.next.unwrap_or(FIRST);
        let Some(pause) = pause(delay) else {
            return Err(err);
        };
        self.next = Some((delay * 2).min(MAX));
        self.pause = Some(pause);
        Ok(())
    }

    /// An accept succeeded: the next failure starts from the shortest pause again.
    pub(crate) fn reset(&mut self) {
        self.next = None;
        self.pause = None;
    }

    /// Ready once the armed pause (if any) is over.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(pause) = &mut self.pause {
            std::task::ready!(pause.as_mut().poll(cx));
            self.pause = None;
        }
        Poll::Ready(())
    }
}

impl std::fmt::Debug for Backoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backoff")
            .field("next", &self.next)
            .field("pausing", &self.pause.is_some())
            .finish()
    }
}

/// Whether `err` means "out of descriptors or buffers": retrying at once would fail again.
pub(crate) fn is_resource_exhaustion(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Whether `err` concerns only the pending connection (it went away before `accept`
/// took it, or a signal interrupted the call): the listener is fine, try the next one.
pub(crate) fn is_per_connection(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ECONNABORTED | libc::EINTR | libc::EPROTO)
    )
}

/// A future that completes after `delay`, or `None` outside a runtime (see the module
/// docs for why it sleeps on the blocking pool).
fn pause(delay: Duration) -> Option<Pause> {
    let runtime = rt_sched::Handle::try_current().ok()?;
    Some(Box::pin(async move {
        // An error means the runtime is shutting down: the accept fails next anyway.
        let _ = runtime.spawn_blocking(move || std::thread::sleep(delay)).await;
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_resource_exhaustion_backs_off() {
        for errno in [libc::EMFILE, libc::ENFILE, libc::ENOBUFS, libc::ENOMEM] {
            assert!(is_resource_exhaustion(&io::Error::from_raw_os_error(errno)));
        }
        assert!(!is_resource_exhaustion(&io::Error::from_raw_os_error(
            libc::ECONNABORTED
        )));
        assert!(!is_resource_exhaustion(&io::ErrorKind::WouldBlock.into()));
    }

    #[test]
    fn outside_a_runtime_the_error_is_returned() {
        let mut backoff = Backoff::new();
        let err = backoff
            .on_error(io::Error::from_raw_os_error(libc::EMFILE))
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE));
        assert!(backoff.pause.is_none());
    }

    #[test]
    fn a_connection_that_went_away_is_skipped_without_pausing() {
        let mut backoff = Backoff::new();
        backoff
            .on_error(io::Error::from_raw_os_error(libc::ECONNABORTED))
            .unwrap();
        assert!(backoff.pause.is_none() && backoff.next.is_none());
    }

    #[test]
    fn other_errors_are_returned() {
        let mut backoff = Backoff::new();
        let err = backoff.on_error(io::Error::from_raw_os_error(libc::EBADF)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    }

    #[test]
    fn pauses_double_up_to_the_cap_and_reset() {
        let rt = rt_sched::Builder::new_current_thread().build().unwrap();
        let _enter = rt.enter();
        let mut backoff = Backoff::new();
        let mut delays = Vec::new();
        for _ in 0..11 {
            delays.push(backoff.next.unwrap_or(FIRST).as_millis());
            backoff.on_error(io::Error::from_raw_os_error(libc::EMFILE)).unwrap();
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64, 128, 256, 256, 256]);
        backoff.reset();
        assert!(backoff.next.is_none() && backoff.pause.is_none());
    }
}
