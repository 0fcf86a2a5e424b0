//! The receiving half of a bounded channel: [`Receiver`].
//!
//! [`UnboundedReceiver`](super::UnboundedReceiver) has the same methods (except the
//! capacity ones); both wrap the shared receiving logic of `chan.rs`.

use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

use super::chan::Rx;
use super::error::TryRecvError;
use crate::sync::blocking::{assert_not_in_runtime, block_on};

/// The receiving half of a bounded channel (from [`channel`](super::channel)).
///
/// Messages arrive in the order their sends took a place in the channel: the messages
/// of one sender in the order it sent them, and a message whose send completed before
/// another send began before that one.
///
/// Dropping the receiver closes the channel: senders fail from then on, waiting
/// senders are woken with an error, and the messages still in the channel are dropped.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(2);
/// tx.send(1).await.unwrap();
/// drop(tx);
/// while let Some(n) = rx.recv().await {
///     assert_eq!(n, 1);
/// }
/// # });
/// ```
pub struct Receiver<T> {
    rx: Rx<T>,
}

impl<T> Receiver<T> {
    pub(super) fn new(rx: Rx<T>) -> Receiver<T> {
        Receiver { rx }
    }

    /// Receives the next message, waiting for one if the channel is empty.
    ///
    /// Returns `None` once the channel is closed (by [`close`](Receiver::close), or
    /// because every sender is gone) and every message sent before was received.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is only taken out of the channel when the future
    /// completes, so dropping it (in a `select!` branch that lost, say) loses nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// tx.send("hi").await.unwrap();
    /// assert_eq!(rx.recv().await, Some("hi"));
    /// drop(tx);
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting until at least one is
    /// available; returns how many were added.
    ///
    /// Returns 0 when `limit` is 0, or once the channel is closed and drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: messages are only taken out when the future completes.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(8);
    /// for i in 0..5 {
    ///     tx.send(i).await.unwrap();
    /// }
    /// let mut buffer = Vec::new();
    /// assert_eq!(rx.recv_many(&mut buffer, 3).await, 3);
    /// assert_eq!(rx.recv_many(&mut buffer, 3).await, 2);
    /// assert_eq!(buffer, [0, 1, 2, 3, 4]);
    /// drop(tx);
    /// assert_eq!(rx.recv_many(&mut buffer, 3).await, 0);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.poll_recv_many(cx, buffer, limit)).await
    }

    /// Receives a message if one is available right now.
    ///
    /// A message whose send is in progress on another thread (its slot claimed, its
    /// value being written) is waited for: that takes a few instructions.
    ///
    /// # Errors
    ///
    /// [`TryRecvError`]: [`is_empty`](TryRecvError::is_empty) when no message is
    /// available but more may come, [`is_disconnected`](TryRecvError::is_disconnected)
    /// when the channel is closed and drained.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// assert!(rx.try_recv().unwrap_err().is_empty());
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// drop(tx);
    /// assert!(rx.try_recv().unwrap_err().is_disconnected());
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives the next message from a thread outside any runtime, blocking it until
    /// one arrives; `None` as for [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(3).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(3));
    /// assert_eq!(rx.blocking_recv(), None);
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        assert_not_in_runtime("Receiver::blocking_recv");
        block_on(self.recv())
    }

    /// [`recv_many`](Receiver::recv_many) from a thread outside any runtime.
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// let mut buffer = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut buffer, 10), 2);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        assert_not_in_runtime("Receiver::blocking_recv_many");
        block_on(self.recv_many(buffer, limit))
    }

    /// Polls for the next message: `Ready(None)` as for [`recv`](Receiver::recv).
    ///
    /// Spends one unit of the task's cooperative budget when it returns `Ready`. Only
    /// the waker of the most recent poll is woken.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let waker = futures::task::noop_waker();
    /// let mut cx = Context::from_waker(&waker);
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` messages into `buffer`: `Ready(0)` when `limit` is 0 or
    /// the channel is closed and drained.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// let waker = futures::task::noop_waker();
    /// let mut buffer = Vec::new();
    /// let polled = rx.poll_recv_many(&mut Context::from_waker(&waker), &mut buffer, 2);
    /// assert_eq!(polled, Poll::Ready(1));
    /// ```
    pub fn poll_recv_many(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<T>, limit: usize) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        self.rx.poll_take(cx, &mut |value| buffer.push(value), limit)
    }

    /// Closes the channel for senders, keeping the messages already in it.
    ///
    /// Sends and reservations fail from now on and waiting senders are woken with an
    /// error; permits reserved before the close can still send. `recv` returns the
    /// remaining messages, then `None` once every such permit is used or dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(2);
    /// tx.send(1).await.unwrap();
    /// rx.close();
    /// assert!(tx.send(2).await.is_err());
    /// assert_eq!(rx.recv().await, Some(1));
    /// assert_eq!(rx.recv().await, None);
    /// # });
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed: [`close`](Receiver::close) was called or every
    /// sender is gone. Messages may still be waiting in it.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// assert!(!rx.is_closed());
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// Whether no message is in the channel (a snapshot; sends in progress count as
    /// messages).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel(1);
    /// assert!(rx.is_empty());
    /// tx.try_send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of messages in the channel (a snapshot; sends in progress count).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// The number of free slots right now (see [`Sender::capacity`](super::Sender::capacity)).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel(4);
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.rx.chan().bound().sem.available_permits()
    }

    /// The capacity the channel was created with.
    ///
    /// # Examples
    ///
    /// ```
    /// let (_tx, rx) = rt_core::sync::mpsc::channel::<u8>(4);
    /// assert_eq!(rx.max_capacity(), 4);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.rx.chan().bound().max
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("chan", &self.rx).finish()
    }
}
