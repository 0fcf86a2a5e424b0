//! [`Receiver`]: a handle that reads the latest value and waits for new ones.

use std::fmt;
use std::future::poll_fn;
use std::task::{ready, Context, Poll};

use super::borrow::Ref;
use super::error::RecvError;
use super::shared::{Key, Shared, State, Version};
use crate::coop;
use crate::loom::sync::Arc;

/// A receiving half of a watch channel, created by [`channel`](super::channel),
/// [`Sender::subscribe`](super::Sender::subscribe) or [`Clone`].
///
/// Each receiver remembers the version of the value it last *saw*. A value is marked
/// seen by [`borrow_and_update`](Self::borrow_and_update), [`changed`](Self::changed),
/// [`wait_for`](Self::wait_for) and [`mark_unchanged`](Self::mark_unchanged); a plain
/// [`borrow`](Self::borrow) does not mark it. Updates coalesce: a receiver that falls
/// behind sees only the latest value.
///
/// A clone starts with the same seen version as the original. When the sender is
/// dropped the last value stays readable, and [`changed`](Self::changed) returns
/// [`RecvError`] once that value has been seen.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let (tx, mut rx) = rt_core::sync::watch::channel(0);
/// for i in 1..=3 {
///     tx.send(i).unwrap();
/// }
/// // Three sends, one change: only the latest value is kept.
/// rx.changed().await.unwrap();
/// assert_eq!(*rx.borrow(), 3);
/// assert_eq!(rx.has_changed(), Ok(false));
/// # });
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    cursor: Cursor,
}

/// What a receiver knows about its own progress.
#[derive(Debug)]
struct Cursor {
    /// The version last marked seen.
    seen: Version,
    /// The receiver's slot in the `changed` waiter set, once it has waited.
    key: Option<Key>,
}

/// Whether [`poll_changed`] marks the change it finds as seen.
#[derive(Clone, Copy, Debug)]
enum Mark {
    /// `changed`: the change is consumed.
    Seen,
    /// `wait_for`: the value is marked seen when it is borrowed, so that its
    /// `Ref::has_changed` tells whether it was new.
    Unseen,
}

impl Cursor {
    /// The outcome of waiting for a change in `state`; `None` to wait.
    fn check(&mut self, state: State, mark: Mark) -> Option<Result<(), RecvError>> {
        if state.version() != self.seen {
            if let Mark::Seen = mark {
                self.seen = state.version();
            }
            Some(Ok(()))
        } else if state.is_closed() {
            Some(Err(RecvError::new()))
        } else {
            None
        }
    }
}

impl<T> Receiver<T> {
    /// A receiver counted in by the caller, which has seen `seen`.
    pub(super) fn new(shared: Arc<Shared<T>>, seen: Version) -> Receiver<T> {
        Receiver {
            shared,
            cursor: Cursor { seen, key: None },
        }
    }

    /// Borrows the current value without marking it seen.
    ///
    /// [`Ref::has_changed`] says whether it is newer than the last value this receiver
    /// saw. The [`Ref`] holds the channel's lock: drop it quickly, never keep it across
    /// an `.await`, and do not borrow the same channel again or send on it while it
    /// lives on the same thread (that deadlocks).
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow(), 2);
    /// assert!(rx.borrow().has_changed()); // still unseen
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.lock_value();
        let current = self.shared.state().version();
        Ref::new(guard, current != self.cursor.seen)
    }

    /// Borrows the current value and marks it seen.
    ///
    /// [`Ref::has_changed`] says whether it was unseen before this call. The same
    /// locking rules as for [`borrow`](Self::borrow) apply.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// let value = rx.borrow_and_update();
    /// assert_eq!((*value, value.has_changed()), (2, true));
    /// drop(value);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        borrow_and_update(&self.shared, &mut self.cursor)
    }

    /// Whether a value this receiver has not seen is available, without waiting.
    ///
    /// `Ok(true)` exactly when [`changed`](Self::changed) would complete at once with
    /// `Ok`. Unlike tokio's, it still reports an unseen last value after the sender is
    /// dropped.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender was dropped and this receiver has seen the last
    /// value.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::watch::channel(1);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(2).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// rx.mark_unchanged();
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state();
        if state.version() != self.cursor.seen {
            Ok(true)
        } else if state.is_closed() {
            Err(RecvError::new())
        } else {
            Ok(false)
        }
    }

    /// Marks the current value unseen, so that [`changed`](Self::changed) completes at
    /// once (even after the sender is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (_tx, mut rx) = rt_core::sync::watch::channel(1);
    /// rx.mark_changed();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// rx.changed().await.unwrap();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// # });
    /// ```
    pub fn mark_changed(&mut self) {
        self.cursor.seen = Version::UNSEEN;
    }

    /// Marks the current value seen without borrowing it.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, mut rx) = rt_core::sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// rx.mark_unchanged();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.cursor.seen = self.shared.state().version();
    }

    /// Waits for a value this receiver has not seen, and marks it seen.
    ///
    /// Completes at once if the current value is unseen. Several sends while the
    /// receiver was not looking count as one change. Polling spends one unit of the
    /// task's cooperative budget ([`coop`](crate::coop)) when it completes.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender was dropped and this receiver has seen the last
    /// value (which [`borrow`](Self::borrow) still returns).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a change is only marked seen when the future completes, so one
    /// dropped before completing (for example a losing branch of a `select!`) leaves the
    /// change for the next call. Waiting allocates nothing after the first time.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::watch::channel("a");
    /// let worker = std::thread::spawn(move || {
    ///     tx.send("b").unwrap();
    ///     // `tx` is dropped here: the channel closes.
    /// });
    /// rx.changed().await.unwrap();
    /// assert_eq!(*rx.borrow_and_update(), "b");
    /// assert!(rx.changed().await.is_err());
    /// worker.join().unwrap();
    /// # });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        let (shared, cursor) = (&*self.shared, &mut self.cursor);
        poll_fn(|cx| poll_changed(shared, cursor, Mark::Seen, cx)).await
    }

    /// Waits until the value satisfies `predicate`, marks it seen, and returns it.
    ///
    /// Checks the current value first, seen or not, then each new value. `predicate`
    /// runs with the channel locked: it must not use this channel (that deadlocks).
    /// [`Ref::has_changed`] of the result says whether that value was unseen before
    /// this call looked at it (so it is `true` whenever the call had to wait for it).
    /// Unlike tokio's, an already-seen last value is still checked after the sender is
    /// dropped.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender was dropped and `predicate` returned `false` for
    /// its last value.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense of [`changed`](Self::changed): no value is lost.
    /// Values it rejected before being dropped are marked seen.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let (tx, mut rx) = rt_core::sync::watch::channel(0);
    /// let worker = std::thread::spawn(move || {
    ///     for i in 1..=10 {
    ///         tx.send(i).unwrap();
    ///     }
    /// });
    /// assert!(*rx.wait_for(|n| *n >= 5).await.unwrap() >= 5);
    /// worker.join().unwrap();
    /// // The sender is gone, and 10 is its last value.
    /// assert!(rx.wait_for(|n| *n > 10).await.is_err());
    /// # });
    /// ```
    pub async fn wait_for(&mut self, mut predicate: impl FnMut(&T) -> bool) -> Result<Ref<'_, T>, RecvError> {
        let (shared, cursor) = (&*self.shared, &mut self.cursor);
        loop {
            // A block, not `drop`: the guard must not be live across the `.await`, or
            // the future would not be `Send`.
            {
                let value = borrow_and_update(shared, cursor);
                if predicate(&value) {
                    return Ok(value);
                }
            }
            poll_fn(|cx| poll_changed(shared, cursor, Mark::Unseen, cx)).await?;
        }
    }

    /// Whether `self` and `other` are receivers of the same channel.
    ///
    /// # Examples
    ///
    /// ```
    /// let (tx, rx) = rt_core::sync::watch::channel(());
    /// let (_other_tx, other) = rt_core::sync::watch::channel(());
    /// assert!(rx.same_channel(&tx.subscribe()));
    /// assert!(!rx.same_channel(&other));
    /// ```
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

/// [`Receiver::borrow_and_update`] over the receiver's two fields, so that
/// [`Receiver::wait_for`] can return the guard from inside its loop.
fn borrow_and_update<'a, T>(shared: &'a Shared<T>, cursor: &mut Cursor) -> Ref<'a, T> {
    let guard = shared.lock_value();
    // Read under the lock: the version of exactly the value in `guard`.
    let current = shared.state().version();
    let has_changed = current != cursor.seen;
    cursor.seen = current;
    Ref::new(guard, has_changed)
}

/// Polls for a change: check, register the waker, check again (see `shared`'s protocol).
fn poll_changed<T>(
    shared: &Shared<T>,
    cursor: &mut Cursor,
    mark: Mark,
    cx: &mut Context<'_>,
) -> Poll<Result<(), RecvError>> {
    let budget = ready!(coop::poll_proceed(cx));
    let outcome = match cursor.check(shared.state(), mark) {
        Some(outcome) => outcome,
        None => {
            shared.changed.register(&mut cursor.key, cx.waker());
            match cursor.check(shared.state(), mark) {
                Some(outcome) => outcome,
                // Dropping `budget` gives the unit back.
                None => return Poll::Pending,
            }
        }
    };
    budget.made_progress();
    Poll::Ready(outcome)
}

impl<T> Clone for Receiver<T> {
    /// A new receiver of the same channel that has seen what `self` has seen.
    fn clone(&self) -> Receiver<T> {
        self.shared.add_receiver();
        Receiver::new(self.shared.clone(), self.cursor.seen)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.changed.deregister(&mut self.cursor.key);
        self.shared.remove_receiver();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Does not lock the value: `Debug` must not deadlock while a `Ref` is alive.
        f.debug_struct("Receiver")
            .field("seen", &self.cursor.seen)
            .field("state", &self.shared.state())
            .finish_non_exhaustive()
    }
}
