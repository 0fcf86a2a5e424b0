//! The intrusive waiter list of `Notify`.
//!
//! Each [`Waiter`] node lives inside a pinned [`Notified`](super::Notified) future; the
//! list only links them. Invariants:
//!
//! * A node is linked into at most one list, and every linked node is alive and pinned:
//!   its future removes it (under the lock) before it is dropped, unless a notifier
//!   removed it first.
//! * `links` and `waker` of a linked node are read and written only with the `Notify`
//!   lock held. A notifier that removes a node takes its waker and then stores its
//!   `notification` (release) as the very last access: from then on the node belongs
//!   to its future again, which may observe the notification without the lock and free
//!   the node at once.
//! * All mutation goes through `UnsafeCell`s and atomics, and pointers to nodes are made
//!   from shared references, so a future holding `&mut` to itself (which, being
//!   `!Unpin`, is not assumed unique) never invalidates them.

use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

use super::state::NONE;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use crate::loom::UnsafeCell;

/// One waiting `Notified` future.
pub(super) struct Waiter {
    links: UnsafeCell<Links>,
    /// The future's waker; under the lock while linked.
    waker: UnsafeCell<Option<Waker>>,
    /// How the waiter was notified (`state::NONE` until then); written by the notifier
    /// that unlinked it.
    notification: AtomicUsize,
    _pinned: PhantomPinned,
}

struct Links {
    prev: Option<NonNull<Waiter>>,
    next: Option<NonNull<Waiter>>,
}

impl Waiter {
    pub(super) fn new() -> Waiter {
        Waiter {
            links: UnsafeCell::new(Links { prev: None, next: None }),
            waker: UnsafeCell::new(None),
            notification: AtomicUsize::new(NONE),
            _pinned: PhantomPinned,
        }
    }

    /// The notification, with acquire ordering: when not `NONE`, the node is unlinked
    /// and no notifier touches it again.
    pub(super) fn notification(&self) -> usize {
        self.notification.load(Acquire)
    }

    /// Replaces the stored waker; returns the old one, to be dropped after unlocking.
    ///
    /// # Safety
    ///
    /// The `Notify` lock is held, or the node is not linked and not shared.
    pub(super) unsafe fn set_waker(&self, waker: Option<Waker>) -> Option<Waker> {
        // SAFETY: the caller guarantees exclusive access to the slot.
        self.waker
            .with_mut(|slot| unsafe { std::mem::replace(&mut *slot, waker) })
    }

    /// Whether the stored waker wakes the same task as `waker`.
    ///
    /// # Safety
    ///
    /// As for [`set_waker`](Waiter::set_waker).
    pub(super) unsafe fn will_wake(&self, waker: &Waker) -> bool {
        // SAFETY: the caller guarantees that nobody writes the slot meanwhile.
        self.waker
            .with(|slot| unsafe { (*slot).as_ref().is_some_and(|w| w.will_wake(waker)) })
    }

    /// Marks an unlinked node as notified and returns its waker.
    ///
    /// # Safety
    ///
    /// `node` was just removed from a list by the caller, who holds the `Notify` lock.
    /// The caller must not touch the node afterwards: its future may free it at once.
    pub(super) unsafe fn notify(node: NonNull<Waiter>, how: usize) -> Option<Waker> {
        // SAFETY: the node was linked until now, so it is alive; the lock is held.
        let waiter = unsafe { node.as_ref() };
        // SAFETY: the lock is held and the node is not yet marked: the slot is ours.
        let waker = unsafe { waiter.set_waker(None) };
        waiter.notification.store(how, Release);
        waker
    }

    /// # Safety
    ///
    /// The lock is held and `node` is alive.
    unsafe fn links<R>(node: NonNull<Waiter>, f: impl FnOnce(&mut Links) -> R) -> R {
        // SAFETY: the caller guarantees the node is alive.
        let node = unsafe { node.as_ref() };
        node.links.with_mut(|links| {
            // SAFETY: the lock gives exclusive access to the links of every node linked
            // (or being linked) under it.
            f(unsafe { &mut *links })
        })
    }
}

/// A doubly linked list of waiters, oldest first.
pub(super) struct List {
    head: Option<NonNull<Waiter>>,
    tail: Option<NonNull<Waiter>>,
}

// SAFETY: the list is only used inside the `Notify` mutex, and the nodes it points to
// hold only `Send + Sync` data (wakers, atomics, links read under that mutex).
unsafe impl Send for List {}

impl List {
    pub(super) const fn new() -> List {
        List { head: None, tail: None }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `node` at the back (the newest end).
    ///
    /// # Safety
    ///
    /// The `Notify` lock is held; `node` is alive, pinned and in no list, and stays
    /// alive until it is removed from this list.
    pub(super) unsafe fn push_back(&mut self, node: NonNull<Waiter>) {
        let old_tail = self.tail.replace(node);
        // SAFETY: the caller's contract; `old_tail` is linked, hence alive.
        unsafe {
            Waiter::links(node, |links| {
                links.prev = old_tail;
                links.next = None;
            });
            match old_tail {
                Some(tail) => Waiter::links(tail, |links| links.next = Some(node)),
                None => self.head = Some(node),
            }
        }
    }

    /// Unlinks the oldest node.
    pub(super) fn pop_front(&mut self) -> Option<NonNull<Waiter>> {
        let node = self.head?;
        // SAFETY: `node` is linked (so alive) and the lock is held: every list lives
        // inside the `Notify` mutex.
        unsafe { self.unlink(node) };
        Some(node)
    }

    /// Unlinks the newest node.
    pub(super) fn pop_back(&mut self) -> Option<NonNull<Waiter>> {
        let node = self.tail?;
        // SAFETY: as in `pop_front`.
        unsafe { self.unlink(node) };
        Some(node)
    }

    /// Unlinks `node`.
    ///
    /// # Safety
    ///
    /// The `Notify` lock is held and `node` is linked into *this* list.
    pub(super) unsafe fn remove(&mut self, node: NonNull<Waiter>) {
        // SAFETY: the caller's contract.
        unsafe { self.unlink(node) }
    }

    /// Moves every node of `other` to the back of `self`, keeping their order.
    pub(super) fn append(&mut self, other: &mut List) {
        let Some(other_head) = other.head.take() else { return };
        let other_tail = other.tail.take();
        match self.tail {
            // SAFETY: both nodes are linked (alive) and the lock is held.
            Some(tail) => unsafe {
                Waiter::links(tail, |links| links.next = Some(other_head));
                Waiter::links(other_head, |links| links.prev = Some(tail));
            },
            None => self.head = Some(other_head),
        }
        self.tail = other_tail;
    }

    /// # Safety
    ///
    /// The lock is held and `node` is linked into this list.
    unsafe fn unlink(&mut self, node: NonNull<Waiter>) {
        // SAFETY: the caller's contract; neighbours of a linked node are linked too.
        unsafe {
            let (prev, next) = Waiter::links(node, |links| (links.prev.take(), links.next.take()));
            match prev {
                Some(prev) => Waiter::links(prev, |links| links.next = next),
                None => {
                    check_end(self.head, node);
                    self.head = next;
                }
            }
            match next {
                Some(next) => Waiter::links(next, |links| links.prev = prev),
                None => {
                    check_end(self.tail, node);
                    self.tail = prev;
                }
            }
        }
    }
}

/// A node without a neighbour on one side must be this list's end on that side; a
/// mismatch means the caller picked the wrong list. Checked in debug builds and under
/// loom (whose models run in release mode).
#[inline]
fn check_end(end: Option<NonNull<Waiter>>, node: NonNull<Waiter>) {
    if cfg!(any(debug_assertions, loom)) {
        assert_eq!(end, Some(node), "waiter is not in this list");
    }
}

impl std::fmt::Debug for List {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("List").field("empty", &self.is_empty()).finish()
    }
}
