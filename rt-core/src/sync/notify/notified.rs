//! `Notified`: the future returned by [`Notify::notified`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::list::Waiter;
use super::state::{TransitionToWaiting, NONE, ONE_FIFO, ONE_LIFO};
use super::Notify;

/// Completes when its [`Notify`] is notified; made by [`Notify::notified`].
///
/// It counts for [`Notify::notify_waiters`] from the moment it is created, and joins
/// the queue for [`Notify::notify_one`] when first polled or [enabled](Notified::enable).
///
/// # Cancel safety
///
/// Dropping it never loses a notification: if a `notify_one` (or `notify_last`) had
/// already chosen it but the future had not reported it yet (no `Ready` poll, no `true`
/// from [`enable`](Notified::enable)), the notification is passed on to the next
/// waiter, or stored as the permit when none waits. A `notify_waiters` wake-up is not
/// passed on. Dropping it does lose its place in the queue: a new `Notified` starts at
/// the back.
///
/// # Examples
///
/// ```
/// use std::pin::pin;
/// use rt_core::sync::Notify;
///
/// let notify = Notify::new();
/// let mut notified = pin!(notify.notified());
/// notified.as_mut().enable(); // queued now, before the condition check below
/// // ... check the condition; it does not hold yet ...
/// notify.notify_one();
/// futures::executor::block_on(notified);
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    stage: Stage,
    /// The `Notify` generation when this future was created.
    generation: usize,
    /// Linked into the `Notify`'s list while `stage` is `Waiting` (and not yet notified).
    waiter: Waiter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Not registered.
    Init,
    /// Registered: `waiter` is linked, or was unlinked by a notifier.
    Waiting,
    /// Completed.
    Done,
}

// SAFETY: the waiter node's cells are only accessed under the `Notify` lock (or by this
// future while the node is unlinked); `stage` and `generation` only through `&mut self`.
// `&Notify` is `Send` because `Notify` is `Sync`.
unsafe impl Send for Notified<'_> {}
// SAFETY: `&Notified` gives access to nothing but `Debug` (which reads `stage`, only
// ever written through `&mut`).
unsafe impl Sync for Notified<'_> {}

impl<'a> Notified<'a> {
    pub(super) fn new(notify: &'a Notify, generation: usize) -> Notified<'a> {
        Notified {
            notify,
            stage: Stage::Init,
            generation,
            waiter: Waiter::new(),
        }
    }

    /// Joins the queue for [`Notify::notify_one`] now, without waiting; returns whether
    /// the future is already notified (then the next poll returns `Ready`).
    ///
    /// Use it to register interest *before* checking a condition, so that a
    /// `notify_one` between the check and the first poll is not lost. Calling it again,
    /// or after a poll, only reports whether the future is notified.
    ///
    /// A `true` counts as receiving the notification, as a `Ready` poll does: dropping
    /// the future afterwards does not pass it on.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::pin::pin;
    /// use rt_core::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable());
    /// notify.notify_one(); // goes to `notified`: it is queued, so no permit is stored
    /// assert!(notified.as_mut().enable());
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.poll_notified(None).is_ready()
    }

    fn poll_notified(self: Pin<&mut Self>, waker: Option<&Waker>) -> Poll<()> {
        // SAFETY: `waiter` is never moved out of the pinned future (the other fields are
        // plain data used in place), and a linked waiter is unlinked in `drop`.
        let this = unsafe { self.get_unchecked_mut() };
        match this.stage {
            Stage::Init => this.poll_init(waker),
            Stage::Waiting => this.poll_waiting(waker),
            Stage::Done => Poll::Ready(()),
        }
    }

    /// First poll: complete on a broadcast or a stored permit, or register.
    fn poll_init(&mut self, waker: Option<&Waker>) -> Poll<()> {
        let notify = self.notify;
        // Lock-free: a broadcast since creation, or a permit to take.
        if notify.state.load().generation() != self.generation || notify.state.take_permit(self.generation).is_ok() {
            return self.complete();
        }
        // Cloned before locking: cloning a waker may run arbitrary code.
        let waker = waker.cloned();
        let mut waiters = notify.waiters.lock();
        match notify.state.transition_to_waiting(self.generation) {
            TransitionToWaiting::Broadcast | TransitionToWaiting::TookPermit => {
                drop(waiters);
                drop(waker);
                self.complete()
            }
            TransitionToWaiting::Registered => {
                // SAFETY: the lock is held and the node is not linked yet. It is pinned
                // (we are reached through `Pin<&mut Self>`) and `drop` unlinks it.
                unsafe {
                    let old = self.waiter.set_waker(waker);
                    debug_assert!(old.is_none());
                    waiters.list.push_back(NonNull::from(&self.waiter));
                }
                self.stage = Stage::Waiting;
                Poll::Pending
            }
        }
    }

    /// Later polls: notified yet? Otherwise refresh the waker.
    fn poll_waiting(&mut self, waker: Option<&Waker>) -> Poll<()> {
        // Lock-free: a notifier unlinked us and will not touch the node again.
        if self.waiter.notification() != NONE {
            return self.complete();
        }
        let notify = self.notify;
        let mut waiters = notify.waiters.lock();
        if self.waiter.notification() != NONE {
            drop(waiters);
            return self.complete();
        }
        if notify.state.load().generation() != self.generation {
            // A `notify_waiters` call took the list but has not reached us yet: we are in
            // the draining list. Leave it and complete.
            // SAFETY: the lock is held; the waiter is linked into `draining` (see above).
            let old_waker = unsafe {
                waiters.draining.remove(NonNull::from(&self.waiter));
                self.waiter.set_waker(None)
            };
            drop(waiters);
            drop(old_waker);
            return self.complete();
        }
        let old_waker = match waker {
            // SAFETY: the lock is held.
            Some(waker) if !unsafe { self.waiter.will_wake(waker) } => {
                // SAFETY: the lock is held.
                unsafe { self.waiter.set_waker(Some(waker.clone())) }
            }
            _ => None,
        };
        drop(waiters);
        drop(old_waker);
        Poll::Pending
    }

    fn complete(&mut self) -> Poll<()> {
        self.stage = Stage::Done;
        Poll::Ready(())
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_notified(Some(cx.waker()))
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting {
            return;
        }
        let notify = self.notify;
        let mut waiters = notify.waiters.lock();
        let mut old_waker = None;
        let mut forward = None;
        match self.waiter.notification() {
            NONE => {
                let node = NonNull::from(&self.waiter);
                // SAFETY: the lock is held and the waiter, not notified, is still linked:
                // into `list` if the generation is ours (a broadcast would have moved the
                // whole list away), into `draining` otherwise.
                unsafe {
                    if notify.state.load().generation() == self.generation {
                        waiters.list.remove(node);
                        if waiters.list.is_empty() {
                            notify.state.clear_waiting_locked();
                        }
                    } else {
                        waiters.draining.remove(node);
                    }
                    old_waker = self.waiter.set_waker(None);
                }
            }
            // Chosen by `notify_one` / `notify_last` but never observed: pass it on.
            how @ (ONE_FIFO | ONE_LIFO) => forward = notify.notify_locked(&mut waiters, how),
            _ => {}
        }
        drop(waiters);
        drop(old_waker);
        if let Some(waker) = forward {
            waker.wake();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}
