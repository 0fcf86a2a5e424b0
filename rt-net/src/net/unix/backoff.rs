//! The back-off of an accept loop that ran out of file descriptors.
//!
//! `accept` failing with `EMFILE` (or `ENFILE`, `ENOBUFS`, `ENOMEM`) leaves the pending
//! connection in the backlog, so the listener stays readable and an immediate retry
//! fails the same way: a loop that retries at once spins a core at 100 % while the
//! connections it already has starve. Instead the accept loop sleeps on the runtime's
//! timer, doubling the pause from [`FIRST`] up to [`MAX`] while the error persists, and
//! resets once an accept succeeds. The error is not returned to the caller, whose
//! `listener.accept().await?` would otherwise end the server: the listener keeps serving
//! as soon as descriptors are free again.
//!
//! Without a timer (a runtime built without `enable_time`) there is nothing to sleep on;
//! the error is then returned to the caller, which must pace itself.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::time::Sleep;

/// The first pause after a resource-exhaustion error.
const FIRST: Duration = Duration::from_millis(1);
/// The longest pause: a retry costs one syscall, so even this cap is cheap while a
/// listener that recovers is not kept waiting long.
const MAX: Duration = Duration::from_millis(128);

/// Back-off state of one accept loop: the pause to take next and the one in progress.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    next: Option<Duration>,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Backoff {
    /// A loop that has not failed yet.
    pub(crate) const fn new() -> Backoff {
        Backoff {
            next: None,
            sleep: None,
        }
    }

    /// Takes an accept error: arms a pause and returns `Ok` when the error is resource
    /// exhaustion and a timer is available, or hands the error back.
    pub(crate) fn on_error(&mut self, err: io::Error) -> io::Result<()> {
        if !is_resource_exhaustion(&err) || !timer_available() {
            return Err(err);
        }
        let pause = self.next.unwrap_or(FIRST);
        self.next = Some((pause * 2).min(MAX));
        self.sleep = Some(Box::pin(rt_core::time::sleep(pause)));
        Ok(())
    }

    /// An accept succeeded: the next failure starts from the shortest pause again.
    pub(crate) fn reset(&mut self) {
        self.next = None;
        self.sleep = None;
    }

    /// Ready once the armed pause (if any) is over.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(sleep) = &mut self.sleep {
            std::task::ready!(sleep.as_mut().poll(cx));
            self.sleep = None;
        }
        Poll::Ready(())
    }
}

/// Whether `err` means "out of descriptors or buffers": retrying at once would fail again.
pub(crate) fn is_resource_exhaustion(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    )
}

/// Whether this thread's runtime has a timer to sleep on.
fn timer_available() -> bool {
    rt_core::context::current_handle().is_some_and(|h| h.time_enabled())
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
    fn without_a_timer_the_error_is_returned() {
        let mut backoff = Backoff::new();
        let err = backoff
            .on_error(io::Error::from_raw_os_error(libc::EMFILE))
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE));
        assert!(backoff.sleep.is_none());
    }
}
