//! Reserved slots of a bounded channel: [`Permit`] (borrows the sender),
//! [`OwnedPermit`] (holds it) and [`PermitIterator`] (several at once).
//!
//! A permit is one semaphore permit taken from the channel. Sending with it moves the
//! permit into the message (the receiver gives it back when it takes the message out);
//! dropping it unused gives the slot back at once.

use std::fmt;
use std::mem::ManuallyDrop;

use super::chan::Tx;
use super::Sender;

/// One reserved slot of a bounded channel: [`send`](Permit::send) never waits and never
/// fails for lack of room.
///
/// Dropping the permit without sending gives the slot back.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
/// let permit = tx.reserve().await.unwrap();
/// assert_eq!(tx.capacity(), 0);
/// permit.send("hello");
/// assert_eq!(rx.recv().await, Some("hello"));
/// assert_eq!(tx.capacity(), 1);
/// # });
/// ```
#[must_use = "the slot is given back as soon as the permit is dropped"]
pub struct Permit<'a, T> {
    tx: &'a Tx<T>,
}

impl<'a, T> Permit<'a, T> {
    pub(super) fn new(tx: &'a Tx<T>) -> Permit<'a, T> {
        Permit { tx }
    }

    /// Sends `value` in the reserved slot, without waiting.
    ///
    /// If the receiver was dropped since the slot was reserved, `value` is dropped.
    /// If it only [closed](super::Receiver::close) the channel, the message is still
    /// delivered: permits taken before a close may still send.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(5);
    /// assert_eq!(rx.try_recv().unwrap(), 5);
    /// ```
    pub fn send(self, value: T) {
        let this = ManuallyDrop::new(self);
        // The permit goes with the message (or was given back with a refused value).
        drop(this.tx.send_reserved(value));
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.tx.chan().release_permits(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").field("chan", self.tx).finish()
    }
}

/// One reserved slot of a bounded channel that owns its [`Sender`], so it can be kept
/// for `'static` (moved into a task, stored in a struct).
///
/// [`send`](OwnedPermit::send) and [`release`](OwnedPermit::release) hand the sender
/// back. Dropping the permit gives the slot back (and drops the sender).
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
/// let permit = tx.reserve_owned().await.unwrap();
/// let tx = permit.send(1);
/// assert!(tx.try_reserve_owned().unwrap_err().is_full(), "the message holds the slot");
/// assert_eq!(rx.recv().await, Some(1));
/// # });
/// ```
#[must_use = "the slot is given back as soon as the permit is dropped"]
pub struct OwnedPermit<T> {
    // `None` only while `send` / `release` hand the sender back.
    sender: Option<Sender<T>>,
}

impl<T> OwnedPermit<T> {
    pub(super) fn new(sender: Sender<T>) -> OwnedPermit<T> {
        OwnedPermit { sender: Some(sender) }
    }

    /// Sends `value` in the reserved slot without waiting, and hands the sender back.
    ///
    /// As for [`Permit::send`], `value` is dropped if the receiver is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(7);
    /// assert_eq!(rx.try_recv().unwrap(), 7);
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self.sender.take().expect("the permit holds its sender");
        drop(sender.tx().send_reserved(value));
        sender
    }

    /// Gives the slot back without sending, and hands the sender back.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::mpsc::channel::<u8>(1);
    /// let permit = tx.try_reserve_owned().unwrap();
    /// let tx = permit.release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self.sender.take().expect("the permit holds its sender");
        sender.tx().chan().release_permits(1);
        sender
    }

    /// Whether this permit and `sender` are on the same channel.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, _rx) = rt_core::sync::mpsc::channel::<u8>(2);
    /// let permit = tx.clone().try_reserve_owned().unwrap();
    /// assert!(permit.same_channel_as_sender(&tx));
    /// ```
    pub fn same_channel_as_sender(&self, sender: &Sender<T>) -> bool {
        self.sender.as_ref().is_some_and(|own| own.same_channel(sender))
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = &self.sender {
            sender.tx().chan().release_permits(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").field("sender", &self.sender).finish()
    }
}

/// Several reserved slots, handed out one [`Permit`] at a time (from
/// [`Sender::reserve_many`] and [`Sender::try_reserve_many`]).
///
/// Dropping the iterator gives back the slots not handed out yet.
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = rt_core::sync::mpsc::channel(3);
/// let permits = tx.try_reserve_many(2).unwrap();
/// assert_eq!(permits.len(), 2);
/// for (i, permit) in permits.enumerate() {
///     permit.send(i);
/// }
/// assert_eq!(rx.try_recv().unwrap(), 0);
/// assert_eq!(rx.try_recv().unwrap(), 1);
/// ```
#[must_use = "the slots are given back as soon as the iterator is dropped"]
pub struct PermitIterator<'a, T> {
    tx: &'a Tx<T>,
    left: usize,
}

impl<'a, T> PermitIterator<'a, T> {
    pub(super) fn new(tx: &'a Tx<T>, n: usize) -> PermitIterator<'a, T> {
        PermitIterator { tx, left: n }
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        self.left = self.left.checked_sub(1)?;
        Some(Permit::new(self.tx))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        if self.left > 0 {
            self.tx.chan().release_permits(self.left);
        }
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("chan", self.tx)
            .field("left", &self.left)
            .finish()
    }
}
