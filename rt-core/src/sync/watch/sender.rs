//! [`Sender`]: the half that stores new values.

use std::fmt;
use std::future::poll_fn;
use std::mem;
use std::task::Poll;

use super::borrow::Ref;
use super::error::SendError;
use super::receiver::Receiver;
use super::shared::{Key, Shared};
use crate::loom::sync::Arc;

/// The sending half of a watch channel, created by [`channel`](super::channel).
///
/// There is one sender per channel. It can be shared by reference (`Sender<T>: Sync`
/// when `T: Send`), for example in an `Arc`. Dropping it closes the channel: receivers
/// keep reading the last value, and [`Receiver::changed`] returns an error once they
/// have seen it.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::watch::channel("v1");
/// tx.send("v2").unwrap();
/// rx.changed().await.unwrap();
/// assert_eq!(*rx.borrow(), "v2");
/// drop(tx);
/// assert!(rx.changed().await.is_err());
/// # });
/// ```
pub struct Sender<T> {
    pub(super) shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    pub(super) fn new(shared: Arc<Shared<T>>) -> Sender<T> {
        Sender { shared }
    }

    /// Stores `value` and notifies every receiver, unless no receiver is left.
    ///
    /// To store a value even when nobody listens, use [`send_replace`](Self::send_replace).
    ///
    /// # Errors
    ///
    /// [`SendError`], holding `value`, when every receiver was dropped; the stored value
    /// is then unchanged.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().into_inner(), 2);
    /// assert_eq!(*tx.borrow(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receiver_count() == 0 {
            return Err(SendError::new(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Stores `value`, notifies every receiver, and returns the previous value.
    ///
    /// Works without receivers: a receiver created later with
    /// [`subscribe`](Self::subscribe) sees the new value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.send_replace(2), 1);
    /// assert_eq!(*tx.subscribe().borrow(), 2);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let old = {
            let mut guard = self.shared.lock_value();
            let old = mem::replace(&mut *guard, value);
            self.shared.bump_version(&mut guard);
            old
        };
        self.shared.changed.wake_all();
        old
    }

    /// Modifies the value in place and notifies every receiver.
    ///
    /// Works without receivers. `modify` runs with the channel locked: it must not use
    /// this channel (that deadlocks). See [`send_if_modified`](Self::send_if_modified)
    /// to skip the notification when nothing changed.
    ///
    /// # Panics
    ///
    /// Propagates a panic of `modify`; receivers are then not notified, though what
    /// `modify` changed before panicking stays in the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(vec![1]);
    /// tx.send_modify(|list| list.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Modifies the value in place, and notifies every receiver only if `modify`
    /// returns `true`. Returns what `modify` returned.
    ///
    /// Works without receivers. `modify` runs with the channel locked: it must not use
    /// this channel (that deadlocks). If it returns `false` but did change the value,
    /// receivers see the change on their next borrow without being told of it.
    ///
    /// # Panics
    ///
    /// Propagates a panic of `modify`; receivers are then not notified, though what
    /// `modify` changed before panicking stays in the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(3);
    /// // Only notify when the value actually changes.
    /// assert!(!tx.send_if_modified(|v| std::mem::replace(v, 3) != 3));
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// assert!(tx.send_if_modified(|v| std::mem::replace(v, 4) != 4));
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        {
            let mut guard = self.shared.lock_value();
            if !modify(&mut guard) {
                return false;
            }
            self.shared.bump_version(&mut guard);
        }
        self.shared.changed.wake_all();
        true
    }

    /// Borrows the current value.
    ///
    /// The returned [`Ref`] holds the channel's lock: sending on this channel while it
    /// lives deadlocks. Its [`has_changed`](Ref::has_changed) is always `false`.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::watch::channel(5);
    /// assert_eq!(*tx.borrow(), 5);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref::new(self.shared.lock_value(), false)
    }

    /// Creates a new receiver that has seen the current value.
    ///
    /// Works after every receiver was dropped, and reopens the channel for
    /// [`send`](Self::send).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(1);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// let rx = tx.subscribe();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.add_receiver();
        let seen = self.shared.state().version();
        Receiver::new(self.shared.clone(), seen)
    }

    /// The number of live receivers.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(());
    /// let rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop((rx, rx2));
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.receiver_count()
    }

    /// Whether every receiver was dropped (until [`subscribe`](Self::subscribe) creates
    /// a new one).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(());
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is dropped.
    ///
    /// Returns at once if there are none. A receiver created by
    /// [`subscribe`](Self::subscribe) after this returned does not undo it.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future releases its place in the waiter set and loses
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, rx) = rt_core::sync::watch::channel(0);
    /// let worker = std::thread::spawn(move || drop(rx));
    /// tx.closed().await;
    /// assert!(tx.is_closed());
    /// worker.join().unwrap();
    /// # });
    /// ```
    pub async fn closed(&self) {
        let mut waiter = ClosedWaiter {
            shared: &self.shared,
            key: None,
        };
        poll_fn(|cx| {
            if self.is_closed() {
                return Poll::Ready(());
            }
            self.shared.closed.register(&mut waiter.key, cx.waker());
            // Check again: the last receiver may have gone before the registration.
            if self.is_closed() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

/// The slot of a [`Sender::closed`] future in the `closed` waiter set, released when the
/// future completes or is dropped.
struct ClosedWaiter<'a, T> {
    shared: &'a Shared<T>,
    key: Option<Key>,
}

impl<T> Drop for ClosedWaiter<'_, T> {
    fn drop(&mut self) {
        self.shared.closed.deregister(&mut self.key);
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.close();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Does not lock the value: `Debug` must not deadlock while a `Ref` is alive.
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish_non_exhaustive()
    }
}
