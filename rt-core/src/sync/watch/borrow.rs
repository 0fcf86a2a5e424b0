//! [`Ref`]: the guard that lends the current value.

use std::fmt;
use std::ops::Deref;

use super::shared::ValueGuard;

/// A borrow of the value in a watch channel.
///
/// Returned by [`Sender::borrow`](super::Sender::borrow),
/// [`Receiver::borrow`](super::Receiver::borrow),
/// [`Receiver::borrow_and_update`](super::Receiver::borrow_and_update) and
/// [`Receiver::wait_for`](super::Receiver::wait_for).
///
/// The guard holds the channel's lock: while it lives, the sender cannot store a new
/// value and other borrows (from any handle of the same channel, on any thread) wait.
/// Keep it short, and never hold it across an `.await`.
///
/// # Deadlocks
///
/// Borrowing the same channel a second time, or sending on it, while a `Ref` is alive
/// on the same thread deadlocks.
///
/// # Examples
///
/// ```
/// let (tx, rx) = rt_core::sync::watch::channel(String::from("hello"));
/// let value = rx.borrow();
/// assert_eq!(value.len(), 5);
/// assert!(!value.has_changed());
/// drop(value); // release the lock before sending
/// tx.send(String::from("bye")).unwrap();
/// assert!(rx.borrow().has_changed());
/// ```
#[must_use = "a `Ref` holds the channel's lock; drop it as soon as possible"]
pub struct Ref<'a, T> {
    guard: ValueGuard<'a, T>,
    has_changed: bool,
}

impl<'a, T> Ref<'a, T> {
    pub(super) fn new(guard: ValueGuard<'a, T>, has_changed: bool) -> Ref<'a, T> {
        Ref { guard, has_changed }
    }

    /// Whether the borrowed value was unseen by the receiver that borrowed it.
    ///
    /// For [`Receiver::borrow`](super::Receiver::borrow) it is whether the value is
    /// newer than the last one the receiver marked seen; for
    /// [`Receiver::borrow_and_update`](super::Receiver::borrow_and_update), whether it
    /// was newer before this borrow marked it seen. Always `false` for
    /// [`Sender::borrow`](super::Sender::borrow).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.borrow_and_update().has_changed());
    /// assert!(!tx.borrow().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ref")
            .field("value", &**self)
            .field("has_changed", &self.has_changed)
            .finish()
    }
}
