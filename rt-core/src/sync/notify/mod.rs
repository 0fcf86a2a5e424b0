//! `Notify`: wakes one waiting task, or all of them, without passing data.
//!
//! The building block for "something changed, look again": a task creates a
//! [`Notified`] future, checks its condition, and awaits the future if the condition
//! does not hold yet; whoever changes the condition calls [`Notify::notify_one`] or
//! [`Notify::notify_waiters`].
//!
//! # Implementation
//!
//! An atomic state word (`state.rs`: a stored-permit flag, a waiters-present flag and a
//! generation counter) handles the common cases without a lock: storing a permit when
//! nobody waits, taking it, and a `notify_waiters` with nobody waiting. Waiters are kept
//! in an intrusive doubly linked list (`list.rs`) behind a mutex; each node lives inside
//! its pinned [`Notified`] future.
//!
//! Why intrusive rather than a `Vec` of `(id, Waker)` entries or a slab:
//!
//! * a notifier can tell *one particular* waiter how it was notified (an atomic inside
//!   its node), so a woken future completes on its next poll without taking the lock,
//!   and a dropped future knows whether it must pass a `notify_one` on. With a
//!   `Vec`, the waiter would have to search the list under the lock on every poll and
//!   the notifier would need a second table of "notified but not yet observed" ids;
//! * registering never allocates (a `Vec` or slab grows, and keeps its peak size);
//! * a cancelled waiter unlinks itself in O(1), where a `Vec` shifts or leaves
//!   tombstones behind.
//!
//! The price is `unsafe` code, confined to `list.rs` and the pinning in `notified.rs`,
//! and checked by the loom models (`tests/loom_sync_notify.rs`) and Miri.
//!
//! `notify_waiters` moves the whole list aside under the lock (to a second, *draining*
//! list) and bumps the generation in the same critical section, then wakes the moved
//! waiters in batches of 32, releasing the lock while it calls the wakers. A waiter
//! that is still in the draining list knows it was included, because its generation is
//! out of date; it removes itself if it is polled or dropped first.

mod list;
mod notified;
mod state;
#[cfg(all(test, not(loom)))]
mod tests;

pub use notified::Notified;

use std::fmt;
use std::task::Waker;

use self::list::{List, Waiter};
use self::state::{State, ALL, ONE_FIFO, ONE_LIFO};
use crate::loom::sync::Mutex;

/// Notifies one task, or all waiting tasks, that something happened.
///
/// * [`notify_one`](Notify::notify_one) wakes the task that has waited longest. If no
///   task waits, it stores a *permit*, and the next [`notified`](Notify::notified)
///   future completes at once. There is at most one permit: notifying twice with
///   nobody waiting still lets only one waiter through.
/// * [`notify_waiters`](Notify::notify_waiters) wakes every task waiting at the time of
///   the call, and every [`Notified`] future created before the call, even one never
///   polled. It stores no permit.
///
/// `Notify` only stores and wakes [`Waker`]s, so it works with any executor.
///
/// # Examples
///
/// A flag and a `Notify` make a one-time event (check, then wait):
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
/// use rt_core::sync::Notify;
///
/// struct Event {
///     set: AtomicBool,
///     notify: Notify,
/// }
///
/// impl Event {
///     async fn wait(&self) {
///         loop {
///             // Register before checking, so a `set` in between is not missed.
///             let notified = self.notify.notified();
///             if self.set.load(Ordering::Acquire) {
///                 return;
///             }
///             notified.await;
///         }
///     }
///
///     fn set(&self) {
///         self.set.store(true, Ordering::Release);
///         self.notify.notify_waiters();
///     }
/// }
///
/// let event = Arc::new(Event { set: AtomicBool::new(false), notify: Notify::new() });
/// let setter = std::thread::spawn({
///     let event = event.clone();
///     move || event.set()
/// });
/// futures::executor::block_on(event.wait());
/// setter.join().unwrap();
/// ```
pub struct Notify {
    state: State,
    waiters: Mutex<Waiters>,
}

/// What the lock guards.
struct Waiters {
    /// Registered waiters, oldest first; `WAITING` is set exactly when it is not empty.
    list: List,
    /// Waiters handed to running `notify_waiters` calls, not yet woken.
    draining: List,
}

/// How many wakers `notify_waiters` collects under the lock before calling them.
const WAKE_BATCH: usize = if cfg!(loom) { 2 } else { 32 };

impl Notify {
    /// Creates a `Notify` with no waiters and no stored permit.
    ///
    /// # Examples
    ///
    /// ```
    /// let notify = rt_core::sync::Notify::new();
    /// notify.notify_one();
    /// futures::executor::block_on(notify.notified()); // takes the stored permit
    /// ```
    #[cfg(not(loom))]
    pub const fn new() -> Notify {
        Notify {
            state: State::new(),
            waiters: Mutex::new(Waiters {
                list: List::new(),
                draining: List::new(),
            }),
        }
    }

    /// Creates a `Notify` with no waiters and no stored permit.
    #[cfg(loom)]
    pub fn new() -> Notify {
        Notify {
            state: State::new(),
            waiters: Mutex::new(Waiters {
                list: List::new(),
                draining: List::new(),
            }),
        }
    }

    /// Creates a `Notify` in a constant context, for a `static`.
    ///
    /// The same as [`new`](Notify::new), which is `const` too; kept for code written
    /// against tokio. Not available under `--cfg loom` (loom's types are not `const`).
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::Notify;
    ///
    /// static SHUTDOWN: Notify = Notify::const_new();
    /// SHUTDOWN.notify_one();
    /// futures::executor::block_on(SHUTDOWN.notified());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Notify {
        Notify::new()
    }

    /// Returns a future that completes when this `Notify` is notified.
    ///
    /// The future takes part in [`notify_waiters`](Notify::notify_waiters) from the
    /// moment it is created. It joins the queue for [`notify_one`](Notify::notify_one)
    /// when first polled, or earlier with [`Notified::enable`].
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let notified = notify.notified();
    /// notify.notify_waiters(); // counts: `notified` was created before the call
    /// futures::executor::block_on(notified);
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified::new(self, self.state.load().generation())
    }

    /// Wakes the task that has waited longest, or stores a permit if none waits.
    ///
    /// A stored permit makes the next [`notified`](Notify::notified) future complete at
    /// once. Permits do not accumulate: at most one is stored.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use rt_core::sync::Notify;
    ///
    /// let notify = Arc::new(Notify::new());
    /// let waiter = std::thread::spawn({
    ///     let notify = notify.clone();
    ///     move || futures::executor::block_on(notify.notified())
    /// });
    /// notify.notify_one(); // wakes the waiter, or leaves it a permit
    /// waiter.join().unwrap();
    /// ```
    pub fn notify_one(&self) {
        self.notify(ONE_FIFO);
    }

    /// Wakes the task that has waited the *shortest* time, or stores a permit if none
    /// waits (LIFO order; otherwise the same as [`notify_one`](Notify::notify_one)).
    ///
    /// # Examples
    ///
    /// ```
    /// let notify = rt_core::sync::Notify::new();
    /// notify.notify_last();
    /// futures::executor::block_on(notify.notified());
    /// ```
    pub fn notify_last(&self) {
        self.notify(ONE_LIFO);
    }

    /// Wakes every task waiting now, and completes every [`Notified`] future created
    /// before this call (polled or not). Stores no permit: futures created after the
    /// call wait for the next notification.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let (first, second) = (notify.notified(), notify.notified());
    /// notify.notify_waiters();
    /// futures::executor::block_on(async { first.await; second.await });
    ///
    /// let late = std::pin::pin!(notify.notified());
    /// let waker = futures::task::noop_waker();
    /// let mut cx = std::task::Context::from_waker(&waker);
    /// assert!(late.poll(&mut cx).is_pending(), "no permit was stored");
    /// # use std::future::Future;
    /// ```
    pub fn notify_waiters(&self) {
        if self.state.bump_generation().is_ok() {
            return;
        }
        let mut waiters = self.waiters.lock();
        // Nobody waits any more (the last waiter left, or was notified, meanwhile).
        if self.state.bump_generation().is_ok() {
            return;
        }
        // `WAITING` is set and the lock held: only we change the word now. Hand the
        // list over and bump the generation in one critical section, so every waiter
        // either is in the draining list or sees the new generation.
        self.state.bump_generation_locked();
        let Waiters { list, draining } = &mut *waiters;
        draining.append(list);

        let mut batch: [Option<Waker>; WAKE_BATCH] = std::array::from_fn(|_| None);
        loop {
            // Phase 1, locked: unlink up to a batch of waiters and take their wakers.
            let mut n = 0;
            while n < WAKE_BATCH {
                let Some(node) = waiters.draining.pop_front() else {
                    break;
                };
                // SAFETY: `node` was just unlinked under the lock; not touched again.
                batch[n] = unsafe { Waiter::notify(node, ALL) };
                n += 1;
            }
            let done = waiters.draining.is_empty();
            drop(waiters);
            // Phase 2, unlocked: wake them (a waker may run arbitrary code).
            for waker in batch[..n].iter_mut().filter_map(Option::take) {
                waker.wake();
            }
            if done {
                return;
            }
            waiters = self.waiters.lock();
        }
    }

    /// `notify_one` / `notify_last`: the lock-free path, then the locked one.
    fn notify(&self, how: usize) {
        if self.state.store_permit().is_ok() {
            return;
        }
        let mut waiters = self.waiters.lock();
        let waker = self.notify_locked(&mut waiters, how);
        drop(waiters);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Notifies one waiter (or stores the permit) with the lock held; returns the waker
    /// to call once the lock is released.
    fn notify_locked(&self, waiters: &mut Waiters, how: usize) -> Option<Waker> {
        if self.state.store_permit().is_ok() {
            return None;
        }
        // `WAITING` is set, so the list is not empty.
        let node = match how {
            ONE_LIFO => waiters.list.pop_back(),
            _ => waiters.list.pop_front(),
        }
        .expect("WAITING is set but the waiter list is empty");
        if waiters.list.is_empty() {
            self.state.clear_waiting_locked();
        }
        // SAFETY: `node` was just unlinked under the lock; not touched again.
        unsafe { Waiter::notify(node, how) }
    }
}

impl Default for Notify {
    fn default() -> Notify {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notify")
            .field("state", &self.state.load())
            .finish_non_exhaustive()
    }
}
