//! The errors of the watch channel: one opaque type per condition.

use std::error::Error;
use std::fmt;

/// The value could not be sent: every [`Receiver`](super::Receiver) was dropped.
///
/// Returned by [`Sender::send`](super::Sender::send); it hands the value back.
/// [`Sender::send_replace`](super::Sender::send_replace) stores a value even when
/// nobody listens.
///
/// # Examples
///
/// ```
/// let (tx, rx) = rt_core::sync::watch::channel(1);
/// drop(rx);
/// let err = tx.send(2).unwrap_err();
/// assert_eq!(err.to_string(), "sending on a closed watch channel");
/// assert_eq!(err.into_inner(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T> {
    value: T,
}

impl<T> SendError<T> {
    pub(super) fn new(value: T) -> SendError<T> {
        SendError { value }
    }

    /// Returns the value that was not sent.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel("old");
    /// drop(rx);
    /// assert_eq!(tx.send("new").unwrap_err().into_inner(), "new");
    /// ```
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Borrows the value that was not sent.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(0);
    /// drop(rx);
    /// assert_eq!(*tx.send(7).unwrap_err().get_ref(), 7);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.value
    }
}

// Not derived: a `SendError` must be `Debug` (and so `unwrap`-able) for any `T`.
impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a closed watch channel")
    }
}

impl<T> Error for SendError<T> {}

/// The [`Sender`](super::Sender) was dropped and the receiver has seen its last value.
///
/// Returned by [`Receiver::changed`](super::Receiver::changed),
/// [`Receiver::has_changed`](super::Receiver::has_changed) and
/// [`Receiver::wait_for`](super::Receiver::wait_for). The last value stays readable
/// with [`Receiver::borrow`](super::Receiver::borrow).
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::watch::channel(1);
/// drop(tx);
/// let err = rx.changed().await.unwrap_err();
/// assert_eq!(err.to_string(), "the watch sender was dropped");
/// assert_eq!(*rx.borrow(), 1);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl RecvError {
    pub(super) fn new() -> RecvError {
        RecvError(())
    }
}

impl fmt::Debug for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecvError")
    }
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch sender was dropped")
    }
}

impl Error for RecvError {}
