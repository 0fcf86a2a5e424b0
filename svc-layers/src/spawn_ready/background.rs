//! The background task: drives the inner service's `poll_ready` to completion and sends
//! the service (or its error) back through a oneshot channel.
//!
//! Protocol: [`SpawnReady`](super::SpawnReady) moves the service into a [`Drive`] future,
//! spawns it, and keeps the channel's receiver. The task ends when
//!
//! - `poll_ready` returns `Ready(Ok(()))`: the ready service is sent back (its readiness
//!   travels with the value);
//! - `poll_ready` returns `Ready(Err(e))`: `e` is sent back, the service is dropped;
//! - the receiver is dropped (the `SpawnReady` was dropped): the service is dropped
//!   without waiting for readiness it would never use.
//!
//! If the task itself is dropped (runtime shutdown) or panics, the sender is dropped
//! and the receiver reports a closed channel, which `SpawnReady` turns into
//! [`Cancelled`](super::Cancelled).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use rt_core::sync::oneshot;

/// What the background task sends back.
pub(crate) type Outcome<S, E> = Result<S, E>;

/// The inner service's `poll_ready`, with the request type erased.
pub(crate) type PollReady<S, E> = fn(&mut S, &mut Context<'_>) -> Poll<Result<(), E>>;

/// The background future.
pub(crate) struct Drive<S, E> {
    service: Option<S>,
    poll_ready: PollReady<S, E>,
    tx: Option<oneshot::Sender<Outcome<S, E>>>,
}

// `Drive` never pins its fields: the service is only used through `&mut S`.
impl<S, E> Unpin for Drive<S, E> {}

impl<S, E> Drive<S, E> {
    pub(crate) fn new(service: S, poll_ready: PollReady<S, E>, tx: oneshot::Sender<Outcome<S, E>>) -> Self {
        Drive {
            service: Some(service),
            poll_ready,
            tx: Some(tx),
        }
    }
}

impl<S, E> Future for Drive<S, E> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let tx = this.tx.as_mut().expect("`Drive` polled after completion");
        // Nobody is waiting for the service any more: drop it.
        if tx.poll_closed(cx).is_ready() {
            this.service = None;
            this.tx = None;
            return Poll::Ready(());
        }
        let service = this.service.as_mut().expect("`Drive` polled after completion");
        let outcome = match (this.poll_ready)(service, cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(())) => Ok(this.service.take().expect("checked above")),
            Poll::Ready(Err(e)) => Err(e),
        };
        this.service = None;
        let tx = this.tx.take().expect("checked above");
        // A receiver dropped meanwhile gets nothing: the outcome (and the service, with
        // its reservation) is dropped here.
        let _ = tx.send(outcome);
        Poll::Ready(())
    }
}
