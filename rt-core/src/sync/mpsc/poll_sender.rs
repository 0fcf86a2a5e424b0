//! [`PollSender`]: a bounded sender with a poll-based reservation, for
//! `Service::poll_ready`-style code.
//!
//! The reservation is a semaphore permit. The fast path takes it without waiting. When
//! the channel is full, the sender queues a semaphore waiter node, which must stay
//! pinned while queued: it lives in a box that the `PollSender` allocates the first
//! time it has to wait and reuses for every later wait, so the steady state allocates
//! nothing.

use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::error::SendError;
use super::Sender;
use crate::coop;
use crate::sync::semaphore::RawAcquire;

/// Where a [`PollSender`]'s reservation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reservation {
    /// None taken, none in progress.
    Idle,
    /// The waiter node is queued in the semaphore.
    Acquiring,
    /// One slot is reserved.
    Reserved,
}

/// A bounded channel's sender with a poll-based reservation:
/// [`poll_reserve`](PollSender::poll_reserve) reserves a slot (waiting through the
/// task's waker), [`send_item`](PollSender::send_item) uses it.
///
/// This is the shape a `Service::poll_ready` / `call` pair needs: reserve in
/// `poll_ready`, send in `call`. A reservation that will not be used (the caller
/// dropped the service after `poll_ready`, or decided not to call) must be given back
/// with [`abort_send`](PollSender::abort_send), or by dropping the `PollSender`;
/// otherwise it holds a slot of the channel for as long as the `PollSender` lives.
///
/// Cloning gives a `PollSender` without a reservation.
///
/// # Examples
///
/// ```
/// use std::future::poll_fn;
/// use rt_core::sync::mpsc::{channel, PollSender};
///
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = channel(1);
/// let mut sender = PollSender::new(tx);
/// poll_fn(|cx| sender.poll_reserve(cx)).await.unwrap();
/// sender.send_item("request").unwrap();
/// assert_eq!(rx.recv().await, Some("request"));
///
/// // A reservation taken and then not used is given back.
/// poll_fn(|cx| sender.poll_reserve(cx)).await.unwrap();
/// assert!(sender.abort_send());
/// assert_eq!(sender.get_ref().unwrap().capacity(), 1);
/// # });
/// ```
pub struct PollSender<T> {
    /// `None` once closed.
    sender: Option<Sender<T>>,
    state: Reservation,
    /// The waiter node, allocated on the first wait and reused (`Acquiring` means it
    /// is queued in `sender`'s semaphore).
    acquire: Option<Pin<Box<RawAcquire>>>,
}

impl<T> PollSender<T> {
    /// Wraps `sender`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// assert!(!sender.is_closed());
    /// ```
    pub fn new(sender: Sender<T>) -> PollSender<T> {
        PollSender {
            sender: Some(sender),
            state: Reservation::Idle,
            acquire: None,
        }
    }

    /// Reserves a slot, or registers the task to be woken when one may be free.
    ///
    /// `Ready(Ok(()))` means a slot is reserved for the next
    /// [`send_item`](PollSender::send_item); polling again while reserved returns it
    /// at once. Waiting senders are served in FIFO order. Spends one unit of the task's
    /// cooperative budget when it returns `Ready`.
    ///
    /// # Errors
    ///
    /// [`SendError<()>`](SendError) when the receiver closed the channel or was
    /// dropped, or this `PollSender` was [closed](PollSender::close).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// tx.try_send(0).unwrap();
    /// let mut sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// let waker = futures::task::noop_waker();
    /// let mut cx = Context::from_waker(&waker);
    /// assert!(sender.poll_reserve(&mut cx).is_pending(), "full");
    /// rx.try_recv().unwrap();
    /// assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
    /// ```
    pub fn poll_reserve(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), SendError<()>>> {
        let Some(sender) = &self.sender else {
            return Poll::Ready(Err(SendError::new(())));
        };
        if self.state == Reservation::Reserved {
            return Poll::Ready(Ok(()));
        }
        let budget = ready!(coop::poll_proceed(cx));
        let sem = &sender.tx().chan().bound().sem;
        if self.state == Reservation::Idle {
            match sem.try_acquire_raw(1) {
                Ok(()) => {
                    budget.made_progress();
                    self.state = Reservation::Reserved;
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.is_closed() => {
                    budget.made_progress();
                    return Poll::Ready(Err(SendError::new(())));
                }
                Err(_) => {
                    // Full: wait in the queue, with a fresh request in the reused box.
                    let acquire = self.acquire.get_or_insert_with(|| Box::pin(RawAcquire::new(1)));
                    acquire.set(RawAcquire::new(1));
                    self.state = Reservation::Acquiring;
                }
            }
        }
        let acquire = self.acquire.as_mut().expect("a request is in progress");
        let out = ready!(acquire.as_mut().poll_acquire(sem, cx));
        budget.made_progress();
        match out {
            Ok(()) => {
                self.state = Reservation::Reserved;
                Poll::Ready(Ok(()))
            }
            Err(_) => {
                self.state = Reservation::Idle;
                Poll::Ready(Err(SendError::new(())))
            }
        }
    }

    /// Sends `value` in the slot reserved by [`poll_reserve`](PollSender::poll_reserve).
    /// The next send needs a new reservation.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding `value` when this `PollSender` is
    /// [closed](PollSender::close), or the receiver was dropped since the reservation.
    /// (After the receiver's `close`, a reserved slot can still send: the message is
    /// delivered.)
    ///
    /// # Panics
    ///
    /// When no slot is reserved: `poll_reserve` did not return `Ready(Ok(()))` since
    /// the last send or abort.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::Context;
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let mut sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// let waker = futures::task::noop_waker();
    /// assert!(sender.poll_reserve(&mut Context::from_waker(&waker)).is_ready());
    /// sender.send_item(1).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn send_item(&mut self, value: T) -> Result<(), SendError<T>> {
        let Some(sender) = &self.sender else {
            return Err(SendError::new(value));
        };
        assert!(
            self.state == Reservation::Reserved,
            "`PollSender::send_item` called without a reservation from `poll_reserve`"
        );
        self.state = Reservation::Idle;
        sender.tx().send_reserved(value).map_err(SendError::new)
    }

    /// Gives back the reservation, taken or in progress; returns whether there was one.
    ///
    /// Call it when a slot reserved in `poll_ready` will not be used, so that it does
    /// not stay reserved. The `PollSender` can reserve again afterwards.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::Context;
    ///
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let mut sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// assert!(!sender.abort_send());
    /// let waker = futures::task::noop_waker();
    /// assert!(sender.poll_reserve(&mut Context::from_waker(&waker)).is_ready());
    /// assert_eq!(sender.get_ref().unwrap().capacity(), 0);
    /// assert!(sender.abort_send());
    /// assert_eq!(sender.get_ref().unwrap().capacity(), 1);
    /// ```
    pub fn abort_send(&mut self) -> bool {
        let Some(sender) = &self.sender else { return false };
        let chan = sender.tx().chan();
        match std::mem::replace(&mut self.state, Reservation::Idle) {
            Reservation::Idle => false,
            Reservation::Reserved => {
                chan.release_permits(1);
                true
            }
            Reservation::Acquiring => {
                let acquire = self.acquire.as_mut().expect("a request is in progress");
                // Unlinks the node; a single-permit request holds no partial
                // assignment, so nothing else is given back.
                acquire.as_mut().cancel(&chan.bound().sem);
                true
            }
        }
    }

    /// Closes this `PollSender` (not the channel): gives back any reservation and drops
    /// the sender. Later reservations and sends fail.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let mut sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// sender.close();
    /// assert!(sender.is_closed());
    /// assert!(sender.get_ref().is_none());
    /// ```
    pub fn close(&mut self) {
        self.abort_send();
        self.sender = None;
    }

    /// Whether this `PollSender` was closed, or the receiver closed the channel or was
    /// dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// drop(rx);
    /// assert!(sender.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.sender.as_ref().is_none_or(Sender::is_closed)
    }

    /// The wrapped sender, unless closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(3);
    /// let sender = rt_core::sync::mpsc::PollSender::new(tx);
    /// assert_eq!(sender.get_ref().unwrap().max_capacity(), 3);
    /// ```
    pub fn get_ref(&self) -> Option<&Sender<T>> {
        self.sender.as_ref()
    }
}

impl<T> Clone for PollSender<T> {
    /// A `PollSender` on the same channel, without a reservation.
    fn clone(&self) -> PollSender<T> {
        PollSender {
            sender: self.sender.clone(),
            state: Reservation::Idle,
            acquire: None,
        }
    }
}

impl<T> Drop for PollSender<T> {
    fn drop(&mut self) {
        // Also unlinks a queued waiter node before its box is freed.
        self.abort_send();
    }
}

impl<T> fmt::Debug for PollSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PollSender")
            .field("sender", &self.sender)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
