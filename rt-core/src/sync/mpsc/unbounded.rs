//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`] and
//! [`UnboundedReceiver`].

use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

use super::chan::{self, Rx, Tx};
use super::closed::Closed;
use super::error::{SendError, TryRecvError};
use crate::sync::blocking::{assert_not_in_runtime, block_on};

/// Creates a channel without a bound: [`send`](UnboundedSender::send) never waits.
///
/// Nothing slows the producers down, so a consumer that falls behind lets memory grow
/// without limit; prefer [`channel`](super::channel) unless the producers are bounded
/// some other way.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
/// for i in 0..100 {
///     tx.send(i).unwrap();
/// }
/// assert_eq!(rx.len(), 100);
/// assert_eq!(rx.recv().await, Some(0));
/// # });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::channel(None);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

/// The sending half of an unbounded channel; clone it for more producers.
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
/// let tx2 = tx.clone();
/// std::thread::spawn(move || tx2.send(1).unwrap()).join().unwrap();
/// tx.send(2).unwrap();
/// assert_eq!(rx.try_recv().unwrap(), 1);
/// assert_eq!(rx.try_recv().unwrap(), 2);
/// ```
pub struct UnboundedSender<T> {
    tx: Tx<T>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting.
    ///
    /// A successful send means the message is in the channel, not that it will be
    /// received: the receiver may be dropped first.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding `value` when the receiver closed the channel or was
    /// dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert_eq!(tx.send(2).unwrap_err().into_inner(), 2);
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx.push(value).map_err(SendError::new)
    }

    /// Waits until the receiver closes the channel or is dropped.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// tx.closed().await;
    /// # });
    /// ```
    pub async fn closed(&self) {
        Closed::new(self.tx.chan()).await
    }

    /// Whether the receiver closed the channel or was dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::unbounded_channel::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.chan().is_closed()
    }

    /// Whether both senders send on the same channel.
    ///
    /// # Examples
    ///
    /// ```
    /// let (a, _rx) = rt_core::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(a.same_channel(&a.clone()));
    /// ```
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> UnboundedSender<T> {
        UnboundedSender { tx: self.tx.clone() }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").field("chan", &self.tx).finish()
    }
}

/// The receiving half of an unbounded channel.
///
/// It behaves as [`Receiver`](super::Receiver) does (same ordering, closing and drop
/// rules), without the capacity methods.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
/// tx.send("a").unwrap();
/// drop(tx);
/// assert_eq!(rx.recv().await, Some("a"));
/// assert_eq!(rx.recv().await, None);
/// # });
/// ```
pub struct UnboundedReceiver<T> {
    rx: Rx<T>,
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next message, waiting for one if the channel is empty; `None` once
    /// the channel is closed and drained.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a message is only taken out when the future completes.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.recv().await, Some(1));
    /// # });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting until at least one is
    /// available; returns how many were added (0 when `limit` is 0, or once the
    /// channel is closed and drained).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: messages are only taken out when the future completes.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// let mut buffer = vec![0];
    /// assert_eq!(rx.recv_many(&mut buffer, 10).await, 2);
    /// assert_eq!(buffer, [0, 1, 2]);
    /// # });
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.poll_recv_many(cx, buffer, limit)).await
    }

    /// Receives a message if one is available right now (a send in progress on
    /// another thread is waited for; it takes a few instructions).
    ///
    /// # Errors
    ///
    /// [`TryRecvError`]: empty (more may come) or disconnected (closed and drained).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// assert!(rx.try_recv().unwrap_err().is_empty());
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives the next message from a thread outside any runtime, blocking it.
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// std::thread::spawn(move || tx.send(9).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(9));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        assert_not_in_runtime("UnboundedReceiver::blocking_recv");
        block_on(self.recv())
    }

    /// [`recv_many`](UnboundedReceiver::recv_many) from a thread outside any runtime.
    ///
    /// # Panics
    ///
    /// When called from a thread that drives a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// drop(tx);
    /// let mut buffer = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut buffer, 4), 1);
    /// assert_eq!(rx.blocking_recv_many(&mut buffer, 4), 0);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        assert_not_in_runtime("UnboundedReceiver::blocking_recv_many");
        block_on(self.recv_many(buffer, limit))
    }

    /// Polls for the next message (spends one unit of coop budget when `Ready`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// let waker = futures::task::noop_waker();
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut Context::from_waker(&waker)), Poll::Ready(Some(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Polls for up to `limit` messages into `buffer`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// let waker = futures::task::noop_waker();
    /// let mut buffer = Vec::new();
    /// let polled = rx.poll_recv_many(&mut Context::from_waker(&waker), &mut buffer, 8);
    /// assert_eq!(polled, Poll::Ready(1));
    /// ```
    pub fn poll_recv_many(&mut self, cx: &mut Context<'_>, buffer: &mut Vec<T>, limit: usize) -> Poll<usize> {
        if limit == 0 {
            return Poll::Ready(0);
        }
        self.rx.poll_take(cx, &mut |value| buffer.push(value), limit)
    }

    /// Closes the channel for senders, keeping the messages already in it: every send
    /// fails from now on, and `recv` returns the remaining messages, then `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv().unwrap(), 1);
    /// assert!(rx.try_recv().unwrap_err().is_disconnected());
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed ([`close`](UnboundedReceiver::close) was called or
    /// every sender is gone).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_tx, mut rx) = rt_core::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.is_closed()
    }

    /// Whether no message is in the channel (a snapshot; sends in progress count).
    ///
    /// # Examples
    ///
    /// ```
    /// let (_tx, rx) = rt_core::sync::mpsc::unbounded_channel::<u8>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of messages in the channel (a snapshot; sends in progress count).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::unbounded_channel();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.len()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").field("chan", &self.rx).finish()
    }
}
