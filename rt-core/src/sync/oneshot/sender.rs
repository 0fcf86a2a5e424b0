//! The sending half of a oneshot channel.

use std::fmt;
use std::task::{ready, Context, Poll};

use super::shared::Shared;
use super::state::CLOSED;
use crate::coop;
use crate::loom::sync::Arc;

/// Sends the one value of a channel made by [`channel`](super::channel).
///
/// Dropping it without sending wakes the [`Receiver`](super::Receiver), which then
/// resolves to [`RecvError`](super::error::RecvError).
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot;
///
/// let (tx, rx) = oneshot::channel();
/// std::thread::spawn(move || tx.send("done").unwrap());
/// assert_eq!(rx.blocking_recv(), Ok("done"));
/// ```
pub struct Sender<T> {
    /// `None` only inside `send`, which consumes the sender.
    inner: Option<Arc<Shared<T>>>,
}

impl<T> Sender<T> {
    pub(super) fn new(inner: Arc<Shared<T>>) -> Sender<T> {
        Sender { inner: Some(inner) }
    }

    fn inner(&self) -> &Shared<T> {
        self.inner.as_deref().expect("a sender is only emptied by `send`")
    }

    /// Sends `value`, waking the receiver.
    ///
    /// Never waits. A successful send only means the value was handed over: the
    /// receiver may still be dropped before reading it, and then drops it.
    ///
    /// # Errors
    ///
    /// Gives `value` back when the receiver was dropped or [closed](super::Receiver::close).
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a sender is only emptied by `send`");
        inner.send(value)
    }

    /// Whether the receiver was dropped or closed: a [`send`](Sender::send) would fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner().state().is(CLOSED)
    }

    /// Waits until the receiver is dropped or closed, for example to stop computing a
    /// reply nobody will read.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses nothing, and `closed` may be called again.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot;
    ///
    /// let (mut tx, rx) = oneshot::channel::<()>();
    /// std::thread::spawn(move || drop(rx));
    /// futures::executor::block_on(tx.closed());
    /// assert!(tx.is_closed());
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await;
    }

    /// Polls for the receiver being dropped or closed (the poll form of
    /// [`closed`](Sender::closed)), for use in a hand-written future or `poll_ready`.
    ///
    /// Stores `cx`'s waker; only the waker of the latest call is woken. Spends one unit
    /// of the task's [`coop`](crate::coop) budget when it returns `Ready`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    /// use rt_core::sync::oneshot;
    ///
    /// let (mut tx, rx) = oneshot::channel::<()>();
    /// let waker = futures::task::noop_waker();
    /// let mut cx = Context::from_waker(&waker);
    /// assert!(tx.poll_closed(&mut cx).is_pending());
    /// drop(rx);
    /// assert!(tx.poll_closed(&mut cx).is_ready());
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(coop::poll_proceed(cx));
        ready!(self.inner().poll_closed(cx));
        coop.made_progress();
        Poll::Ready(())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.drop_tx();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("inner", &self.inner).finish()
    }
}
