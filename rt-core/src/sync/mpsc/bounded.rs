//! The bounded channel: [`channel`] and its [`Sender`].

use std::fmt;
use std::future::poll_fn;
use std::task::{ready, Poll};

use super::chan::{self, Chan, Tx};
use super::closed::Closed;
use super::error::{SendError, TrySendError};
use super::permit::{OwnedPermit, Permit, PermitIterator};
use super::Receiver;
use crate::coop;
use crate::sync::blocking::{assert_not_in_runtime, block_on};

/// Creates a bounded channel holding at most `buffer` messages.
///
/// Senders wait (or `try_send` fails with [`is_full`](TrySendError::is_full)) while
/// `buffer` messages are in the channel or reserved with permits.
///
/// # Panics
///
/// When `buffer` is 0 (a channel that can hold nothing is a programming error, caught
/// here rather than as a sender that waits forever), or exceeds
/// [`Semaphore::MAX_PERMITS`](crate::sync::Semaphore::MAX_PERMITS).
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(8);
/// let producer = async move {
///     for i in 0..3 {
///         tx.send(i).await.unwrap();
///     }
/// };
/// producer.await;
/// assert_eq!(rx.recv().await, Some(0));
/// assert_eq!(rx.recv().await, Some(1));
/// assert_eq!(rx.recv().await, Some(2));
/// assert_eq!(rx.recv().await, None, "the sender is gone");
/// # });
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc::channel requires a buffer of at least 1");
    let (tx, rx) = chan::channel(Some(buffer));
    (Sender { tx }, Receiver::new(rx))
}

/// The sending half of a bounded channel; clone it for more producers.
///
/// The channel stays open while any `Sender` (or permit, or `PollSender`) exists and
/// the receiver neither closed it nor was dropped.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(4);
/// let tx2 = tx.clone();
/// tx.send("a").await.unwrap();
/// tx2.send("b").await.unwrap();
/// drop((tx, tx2));
/// assert_eq!(rx.recv().await, Some("a"));
/// assert_eq!(rx.recv().await, Some("b"));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
pub struct Sender<T> {
    tx: Tx<T>,
}

impl<T> Sender<T> {
    pub(super) fn tx(&self) -> &Tx<T> {
        &self.tx
    }

    fn chan(&self) -> &Chan<T> {
        self.tx.chan()
    }

    /// Sends `value`, waiting for a free slot if the channel is full.
    ///
    /// Senders waiting for a slot are served in the order they started waiting.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding `value` when the receiver closed the channel or was
    /// dropped (before a slot was found, or while it was being used).
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes drops `value` unsent and gives back
    /// everything it held: its place in the queue of waiting senders is lost, and no
    /// slot stays reserved. It is cancel safe in the sense that nothing leaks, not in
    /// the sense that the value survives: to keep the value, use
    /// [`reserve`](Sender::reserve) and send with the permit.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// tx.send(1).await.unwrap();
    /// assert_eq!(rx.recv().await, Some(1));
    /// drop(rx);
    /// assert_eq!(tx.send(2).await.unwrap_err().into_inner(), 2);
    /// # });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.reserve_inner(1).await.is_err() {
            return Err(SendError::new(value));
        }
        self.tx.send_reserved(value).map_err(SendError::new)
    }

    /// Sends `value` if a slot is free right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError`] holding `value`: [`is_full`](TrySendError::is_full) when no
    /// slot is free (or other senders are waiting for one),
    /// [`is_closed`](TrySendError::is_closed) when the receiver closed the channel or
    /// was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert!(tx.try_send(2).unwrap_err().is_full());
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// tx.try_send(3).unwrap();
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.chan().bound().sem.try_acquire_raw(1) {
            Ok(()) => self.tx.send_reserved(value).map_err(TrySendError::closed),
            Err(e) if e.is_closed() => Err(TrySendError::closed(value)),
            Err(_) => Err(TrySendError::full(value)),
        }
    }

    /// Sends `value` from a thread outside any runtime, blocking it until a slot is
    /// free.
    ///
    /// # Errors
    ///
    /// As for [`send`](Sender::send).
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime (blocking it could stall the
    /// very task that would free a slot).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     tx.blocking_send(1).unwrap();
    ///     tx.blocking_send(2).unwrap();
    /// });
    /// assert_eq!(rx.blocking_recv(), Some(1));
    /// assert_eq!(rx.blocking_recv(), Some(2));
    /// producer.join().unwrap();
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        assert_not_in_runtime("Sender::blocking_send");
        block_on(self.send(value))
    }

    /// Waits for a free slot and reserves it, returning a [`Permit`] that sends
    /// without waiting.
    ///
    /// Reserving first lets a producer wait for room before it builds (or takes) the
    /// value, and keeps the value if the wait is abandoned.
    ///
    /// # Errors
    ///
    /// [`SendError<()>`](SendError) when the receiver closed the channel or was dropped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future before it completes reserves nothing (and loses
    /// its place in the queue of waiting senders).
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let permit = tx.reserve().await.unwrap();
    /// assert!(tx.try_send(1).unwrap_err().is_full(), "the permit holds the slot");
    /// permit.send(2);
    /// assert_eq!(rx.recv().await, Some(2));
    /// # });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        self.reserve_inner(1).await?;
        Ok(Permit::new(&self.tx))
    }

    /// Waits for `n` free slots and reserves them together.
    ///
    /// The request keeps its place in the queue of waiting senders while slots free up
    /// one by one, so it is not starved by single-slot senders behind it.
    ///
    /// # Errors
    ///
    /// [`SendError<()>`](SendError) when the receiver closed the channel or was
    /// dropped, or when `n` exceeds [`max_capacity`](Sender::max_capacity) (it could
    /// never be served).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future before it completes gives back the slots
    /// already assigned to it and reserves nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(4);
    /// let mut permits = tx.reserve_many(2).await.unwrap();
    /// permits.next().unwrap().send(1);
    /// permits.next().unwrap().send(2);
    /// assert!(permits.next().is_none());
    /// assert!(tx.reserve_many(5).await.is_err(), "more than the channel holds");
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        self.reserve_inner(n).await?;
        Ok(PermitIterator::new(&self.tx, n))
    }

    /// Waits for a free slot and reserves it, moving the sender into the returned
    /// [`OwnedPermit`] (which hands it back when used).
    ///
    /// # Errors
    ///
    /// [`SendError<()>`](SendError) when the receiver closed the channel or was dropped
    /// (the sender is dropped then).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future reserves nothing; the sender is dropped with
    /// it.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let permit = tx.reserve_owned().await.unwrap();
    /// let tx = permit.send(1);
    /// assert_eq!(rx.recv().await, Some(1));
    /// # drop(tx);
    /// # });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.reserve_inner(1).await?;
        Ok(OwnedPermit::new(self))
    }

    /// Reserves a slot if one is free right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError<()>`](TrySendError): full or closed, as for
    /// [`try_send`](Sender::try_send).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().unwrap_err().is_full());
    /// drop(permit);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.try_reserve_raw(1)?;
        Ok(Permit::new(&self.tx))
    }

    /// Reserves `n` slots if they are free right now.
    ///
    /// # Errors
    ///
    /// [`TrySendError<()>`](TrySendError): full (including when `n` exceeds
    /// [`max_capacity`](Sender::max_capacity)) or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(2);
    /// let permits = tx.try_reserve_many(2).unwrap();
    /// assert!(tx.try_reserve_many(1).unwrap_err().is_full());
    /// drop(permits);
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        self.try_reserve_raw(n)?;
        Ok(PermitIterator::new(&self.tx, n))
    }

    /// Reserves a slot if one is free right now, moving the sender into the returned
    /// [`OwnedPermit`].
    ///
    /// # Errors
    ///
    /// [`TrySendError`] holding the sender: full or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Sender<T>>> {
        match self.try_reserve_raw(1) {
            Ok(()) => Ok(OwnedPermit::new(self)),
            Err(e) if e.is_full() => Err(TrySendError::full(self)),
            Err(_) => Err(TrySendError::closed(self)),
        }
    }

    /// Waits until the receiver closes the channel or is dropped.
    ///
    /// Useful to stop producing work nobody will read.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// drop(rx);
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// # });
    /// ```
    pub async fn closed(&self) {
        Closed::new(self.chan()).await
    }

    /// Whether the receiver closed the channel or was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan().is_closed()
    }

    /// The number of free slots right now: [`max_capacity`](Sender::max_capacity)
    /// minus the messages in the channel and the reserved slots.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(3);
    /// tx.try_send(1).unwrap();
    /// let _permit = tx.try_reserve().unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan().bound().sem.available_permits()
    }

    /// The capacity the channel was created with.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(3);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan().bound().max
    }

    /// Whether both senders send on the same channel.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let (b, _rx2) = rt_core::sync::mpsc::channel::<u8>(1);
    /// assert!(a.same_channel(&a.clone()));
    /// assert!(!a.same_channel(&b));
    /// ```
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }

    /// Takes `n` permits without waiting.
    fn try_reserve_raw(&self, n: usize) -> Result<(), TrySendError<()>> {
        let bound = self.chan().bound();
        if n > bound.max {
            return Err(TrySendError::full(()));
        }
        match bound.sem.try_acquire_raw(n) {
            Ok(()) => Ok(()),
            Err(e) if e.is_closed() => Err(TrySendError::closed(())),
            Err(_) => Err(TrySendError::full(())),
        }
    }

    /// Waits for `n` permits (FIFO with the other waiting senders).
    async fn reserve_inner(&self, n: usize) -> Result<(), SendError<()>> {
        let bound = self.chan().bound();
        let n32 = match u32::try_from(n) {
            Ok(n32) if n <= bound.max => n32,
            _ => return Err(SendError::new(())),
        };
        // The fast path: free permits and nobody waiting (one compare-and-swap), without
        // building a waiter node.
        let fast = poll_fn(|cx| {
            let budget = ready!(coop::poll_proceed(cx));
            Poll::Ready(match bound.sem.try_acquire_raw(n) {
                Ok(()) => {
                    budget.made_progress();
                    Some(Ok(()))
                }
                Err(e) if e.is_closed() => {
                    budget.made_progress();
                    Some(Err(SendError::new(())))
                }
                // The budget unit is given back; the queued acquire below spends it.
                Err(_) => None,
            })
        })
        .await;
        if let Some(out) = fast {
            return out;
        }
        // A request for several permits may be given some and then fail (closed) or be
        // dropped, giving them back; the receiver may be waiting for exactly those.
        let _wake = (n > 1).then_some(WakeRxIfClosed(self.chan()));
        match bound.sem.acquire_many(n32).await {
            Ok(permit) => {
                // From here on the permits are tracked by our `Permit`s and messages.
                permit.forget();
                Ok(())
            }
            Err(_) => Err(SendError::new(())),
        }
    }
}

/// Wakes the receiver on drop if it closed the channel (see `reserve_inner`).
struct WakeRxIfClosed<'a, T>(&'a Chan<T>);

impl<T> Drop for WakeRxIfClosed<'_, T> {
    fn drop(&mut self) {
        self.0.wake_rx_if_closed();
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        Sender { tx: self.tx.clone() }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.tx).finish()
    }
}
