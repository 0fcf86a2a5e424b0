//! [`StopSignal`]: the graceful-shutdown signal of a connection, from a watch channel.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use rt_core::sync::watch;

/// Completes once its channel's value is `true`, or once the channel's sender is
/// dropped: the `shutdown` argument of
/// [`serve_connection_with_shutdown`](super::serve_connection_with_shutdown) for servers
/// that run their own accept loop ([`Server`](super::Server) uses it for each of its
/// connections).
///
/// It is two words: a server keeps one per open connection. A connection polls it every
/// time it waits between requests; registering with the channel takes the channel's
/// lock, so that happens only when the polling task's waker is not registered yet (a
/// registered waker stays until the value changes, and a change is seen by the cheap
/// version check that comes first).
///
/// # Cancel safety
///
/// Dropping it loses nothing: the channel keeps its value.
///
/// # Examples
///
/// ```
/// use svc_http::server::StopSignal;
///
/// # futures::executor::block_on(async {
/// let (stop, rx) = rt_core::sync::watch::channel(false);
/// let signal = StopSignal::new(rx);
/// stop.send(true).unwrap();
/// signal.await; // completes: the value is `true`
/// # });
/// ```
pub struct StopSignal {
    stop: watch::Receiver<bool>,
    /// The waker registered with the channel and not woken since.
    registered: Option<Waker>,
}

impl StopSignal {
    /// A signal that completes once `stop` says `true` (or its sender is gone).
    pub fn new(stop: watch::Receiver<bool>) -> StopSignal {
        StopSignal { stop, registered: None }
    }
}

impl Future for StopSignal {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        match this.stop.has_changed() {
            Err(_) => return Poll::Ready(()),
            Ok(false) if this.registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) => return Poll::Pending,
            // A change wakes and unregisters every waiter; the value is checked below.
            Ok(_) => this.registered = None,
        }
        loop {
            if *this.stop.borrow_and_update() {
                return Poll::Ready(());
            }
            match std::pin::pin!(this.stop.changed()).poll(cx) {
                Poll::Ready(Err(_)) => return Poll::Ready(()),
                Poll::Ready(Ok(())) => {}
                Poll::Pending => {
                    this.registered = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
        }
    }
}

impl fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StopSignal")
            .field("registered", &self.registered.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::task::noop_waker_ref;

    #[test]
    fn completes_on_true_or_a_dropped_sender_not_before() {
        let mut cx = Context::from_waker(noop_waker_ref());
        let (stop, rx) = watch::channel(false);
        let mut signal = StopSignal::new(rx);
        assert!(Pin::new(&mut signal).poll(&mut cx).is_pending());
        assert!(Pin::new(&mut signal).poll(&mut cx).is_pending(), "a second poll");
        stop.send(false).unwrap();
        assert!(Pin::new(&mut signal).poll(&mut cx).is_pending(), "a change to false");
        stop.send(true).unwrap();
        assert!(Pin::new(&mut signal).poll(&mut cx).is_ready());

        let (stop, rx) = watch::channel(false);
        let mut signal = StopSignal::new(rx);
        assert!(Pin::new(&mut signal).poll(&mut cx).is_pending());
        drop(stop);
        assert!(Pin::new(&mut signal).poll(&mut cx).is_ready());
    }
}
