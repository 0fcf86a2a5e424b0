//! The receiving half of a oneshot channel.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Wake, Waker};

use super::error::{RecvError, TryRecvError};
use super::shared::Shared;
use super::state::CLOSED;
use crate::coop;
use crate::loom::sync::Arc;
use crate::loom::thread;

/// Receives the one value of a channel made by [`channel`](super::channel).
///
/// Await it (it is a future resolving to `Result<T, RecvError>`), poll it with
/// [`try_recv`](Receiver::try_recv), or wait on a plain thread with
/// [`blocking_recv`](Receiver::blocking_recv).
///
/// Dropping it closes the channel: a later [`send`](super::Sender::send) gives its value
/// back, a sender waiting in [`closed`](super::Sender::closed) is woken, and a value
/// sent before is dropped with the receiver.
///
/// # Cancel safety
///
/// Awaiting a `&mut Receiver` is cancel safe: dropping the `.await` loses nothing, and
/// the receiver can be awaited (or `try_recv`'d) again later.
///
/// # Panics
///
/// Polling it again after it resolved panics.
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot;
///
/// let (tx, rx) = oneshot::channel();
/// tx.send(3).unwrap();
/// assert_eq!(futures::executor::block_on(rx), Ok(3));
/// ```
pub struct Receiver<T> {
    /// `None` once the outcome was handed out.
    inner: Option<Arc<Shared<T>>>,
}

impl<T> Receiver<T> {
    pub(super) fn new(inner: Arc<Shared<T>>) -> Receiver<T> {
        Receiver { inner: Some(inner) }
    }

    /// Takes the value if it was sent, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] while a value may still come;
    /// [`TryRecvError::Closed`] when none will: the sender was dropped, the receiver
    /// was closed before a value arrived, or the value was already received.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send('x').unwrap();
    /// assert_eq!(rx.try_recv(), Ok('x'));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let inner = self.inner.as_ref().ok_or(TryRecvError::Closed)?;
        let state = inner.state();
        if state.is_complete() {
            // SAFETY: the sender completed (seen with acquire), and the outcome is taken
            // only once: the receiver lets go of the channel just below.
            let out = unsafe { inner.take_value(state) };
            self.inner = None;
            out.map_err(|RecvError(())| TryRecvError::Closed)
        } else if state.is(CLOSED) {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Closes the channel without dropping the receiver: a later
    /// [`send`](super::Sender::send) fails and gives its value back, and a sender waiting
    /// in [`closed`](super::Sender::closed) is woken.
    ///
    /// A value sent *before* the close is still received: follow `close` with
    /// [`try_recv`](Receiver::try_recv) (or an `.await`, which then returns at once) to
    /// get it.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// assert!(rx.try_recv().unwrap_err().is_closed());
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = &self.inner {
            let _ = inner.close();
        }
    }

    /// Waits for the value on a thread that is not running an async runtime, by parking
    /// the thread.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender was dropped without sending or the receiver was
    /// closed before a value arrived.
    ///
    /// # Panics
    ///
    /// Panics when called from inside a runtime (a worker thread or a `block_on`):
    /// parking that thread could deadlock it. There, `.await` the receiver instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// let worker = std::thread::spawn(move || rx.blocking_recv());
    /// tx.send(10).unwrap();
    /// assert_eq!(worker.join().unwrap(), Ok(10));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        assert!(
            !crate::context::is_runtime_entered(),
            "`oneshot::Receiver::blocking_recv` called from inside an async runtime: it would \
             block the runtime's thread; `.await` the receiver instead"
        );
        park_on(self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(coop::poll_proceed(cx));
        let inner = self
            .inner
            .as_ref()
            .expect("oneshot::Receiver polled after it completed");
        let out = ready!(inner.poll_recv(cx));
        coop.made_progress();
        self.inner = None;
        Poll::Ready(out)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.drop_rx();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("inner", &self.inner).finish()
    }
}

/// Polls `future` to completion on this thread, parking between polls.
fn park_on<F: Future + Unpin>(mut future: F) -> F::Output {
    /// Unparks the waiting thread.
    struct Unpark(thread::Thread);

    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(std::sync::Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = Pin::new(&mut future).poll(&mut cx) {
            return out;
        }
        // A spurious return (or an unpark left over from before) only costs a re-poll.
        thread::park();
    }
}
