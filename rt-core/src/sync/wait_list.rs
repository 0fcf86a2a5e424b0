//! An intrusive, allocation-free FIFO of waiters, shared by the sync primitives.
//!
//! A waiting future embeds a [`Node`]: two links, a [`Waker`] slot and a payload of the
//! primitive's choosing (the semaphore stores how many permits the waiter still needs).
//! The primitive keeps one [`WaitList`] inside its own lock and links the nodes of
//! pending futures into it, so queueing a waiter never allocates.
//!
//! # Invariants
//!
//! These hold for every list and every node; the `unsafe` methods state which ones the
//! caller must uphold.
//!
//! 1. **The lock.** A `WaitList` lives inside a mutex owned by the primitive (its
//!    *owner's lock*). A node's links and its waker slot are read and written only by a
//!    thread holding that lock. Holding `&mut WaitList` is the proof of it; the waker
//!    accessors, which take `&Node`, are `unsafe` for that reason.
//! 2. **Pinning.** A node is linked only while it is pinned: its address does not change
//!    from `push_back` until it is unlinked. `Node` is `!Unpin` (it holds
//!    `PhantomPinned`), so a future embedding one is `!Unpin` too, and a `&mut` to that
//!    future does not claim exclusive access to the node (which the lock holder may be
//!    touching through its pointer at the same moment).
//! 3. **Lifetime.** A node's memory stays valid while the node is linked. Its owner (the
//!    future) frees it only after it knows no other thread still uses it: either it took
//!    the lock and unlinked it with [`WaitList::remove`], or the lock holder that
//!    unlinked it ([`WaitList::pop_front`]) published a "done with you" signal through
//!    the payload (a `Release` store the owner reads with `Acquire`) as its very last
//!    access to the node. A node whose future was leaked (a `mem::forget`-ten boxed
//!    future) is never freed, so it may stay linked, even when the list is dropped.
//! 4. **Membership.** A node is in at most one list at a time, and `remove` is only ever
//!    called on the list the node was pushed to. An unlinked node has both links `None`,
//!    which is how `remove` tells a linked node from an unlinked one.
//! 5. **Sharing.** The payload is only ever reached through `&T`, from the owner and from
//!    the lock holder at once, so it must be `Sync` (atomics, or cells guarded by the
//!    lock).
//!
//! # How a primitive uses it
//!
//! ```text
//! poll:    lock; if not ready { node.set_waker(cx); list.push_back(node) }; unlock
//! wake:    lock; node = list.pop_front(); w = node.take_waker(); publish "done"
//!          through the payload (last access); unlock; w.wake()
//! drop:    if "done" was published: nothing to unlink
//!          else: lock; list.remove(node); undo what the node was given; unlock
//! ```
//!
//! Wakers are collected in a [`WakeBatch`] and woken after the lock is released, so that
//! a waker that runs code (or takes another lock) never runs under ours.

use std::fmt;
use std::marker::PhantomPinned;
use std::ptr::NonNull;
use std::task::Waker;

use crate::loom::UnsafeCell;

/// A waiter: links, a waker slot, and the owner's payload.
///
/// Embed it in a future (which must then be `!Unpin`, as it will be automatically) and
/// link it into a [`WaitList`] once the future is pinned.
pub(crate) struct Node<T> {
    links: UnsafeCell<Links<T>>,
    waker: UnsafeCell<Option<Waker>>,
    value: T,
    _pinned: PhantomPinned,
}

struct Links<T> {
    prev: Option<NonNull<Node<T>>>,
    next: Option<NonNull<Node<T>>>,
}

// SAFETY: the links and the waker slot are only touched under the owner's lock
// (invariant 1), whichever thread holds it; the payload is shared, hence `T: Sync`.
// Moving the node to another thread (with the future that holds it) is then as safe as
// moving `T` and a `Waker`.
unsafe impl<T: Send + Sync> Send for Node<T> {}
// SAFETY: as above: through `&Node` only the payload (`T: Sync`) is reachable without
// the lock.
unsafe impl<T: Sync> Sync for Node<T> {}

impl<T> Node<T> {
    /// An unlinked node with an empty waker slot.
    pub(crate) fn new(value: T) -> Node<T> {
        Node {
            links: UnsafeCell::new(Links { prev: None, next: None }),
            waker: UnsafeCell::new(None),
            value,
            _pinned: PhantomPinned,
        }
    }

    /// The payload.
    pub(crate) fn value(&self) -> &T {
        &self.value
    }

    /// Stores a clone of `waker`, unless the stored one already wakes the same task.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the list this node is (or is about to be) linked
    /// into, or the node is not shared with any other thread yet.
    pub(crate) unsafe fn set_waker(&self, waker: &Waker) {
        self.waker.with_mut(|slot| {
            // SAFETY: the caller holds the lock, so nobody else touches the slot.
            let slot = unsafe { &mut *slot };
            match slot {
                Some(old) if old.will_wake(waker) => {}
                _ => *slot = Some(waker.clone()),
            }
        });
    }

    /// Takes the stored waker out.
    ///
    /// # Safety
    ///
    /// As for [`set_waker`](Node::set_waker).
    pub(crate) unsafe fn take_waker(&self) -> Option<Waker> {
        // SAFETY: the caller holds the lock, so nobody else touches the slot.
        self.waker.with_mut(|slot| unsafe { (*slot).take() })
    }

    /// # Safety
    ///
    /// The caller holds the owner's lock.
    unsafe fn prev(&self) -> Option<NonNull<Node<T>>> {
        // SAFETY: the caller holds the lock, so no thread writes the links.
        self.links.with(|links| unsafe { (*links).prev })
    }

    /// # Safety
    ///
    /// The caller holds the owner's lock.
    unsafe fn next(&self) -> Option<NonNull<Node<T>>> {
        // SAFETY: the caller holds the lock, so no thread writes the links.
        self.links.with(|links| unsafe { (*links).next })
    }

    /// # Safety
    ///
    /// The caller holds the owner's lock.
    unsafe fn set_links(&self, prev: Option<NonNull<Node<T>>>, next: Option<NonNull<Node<T>>>) {
        // SAFETY: the caller holds the lock, so no other thread reads or writes the links.
        self.links.with_mut(|links| unsafe { *links = Links { prev, next } });
    }

    /// # Safety
    ///
    /// The caller holds the owner's lock.
    unsafe fn set_prev(&self, prev: Option<NonNull<Node<T>>>) {
        // SAFETY: the caller holds the lock.
        self.links.with_mut(|links| unsafe { (*links).prev = prev });
    }

    /// # Safety
    ///
    /// The caller holds the owner's lock.
    unsafe fn set_next(&self, next: Option<NonNull<Node<T>>>) {
        // SAFETY: the caller holds the lock.
        self.links.with_mut(|links| unsafe { (*links).next = next });
    }
}

impl<T: fmt::Debug> fmt::Debug for Node<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The links and the waker are the lock's; only the payload is shown.
        f.debug_struct("Node")
            .field("value", &self.value)
            .finish_non_exhaustive()
    }
}

/// An intrusive doubly linked FIFO of [`Node`]s, kept under its owner's lock.
///
/// See the module docs for the invariants every user upholds.
pub(crate) struct WaitList<T> {
    head: Option<NonNull<Node<T>>>,
    tail: Option<NonNull<Node<T>>>,
}

// SAFETY: the list is only reached under its owner's lock; the nodes it points to are
// `Sync` when `T` is (see `Node`), and the lock holder may be any thread.
unsafe impl<T: Sync> Send for WaitList<T> {}
// SAFETY: through `&WaitList` only `&Node` (hence `&T`, `T: Sync`) is reachable.
unsafe impl<T: Sync> Sync for WaitList<T> {}

impl<T> WaitList<T> {
    /// An empty list.
    pub(crate) const fn new() -> WaitList<T> {
        WaitList { head: None, tail: None }
    }

    /// Whether no node is linked.
    pub(crate) fn is_empty(&self) -> bool {
        debug_assert_eq!(self.head.is_none(), self.tail.is_none());
        self.head.is_none()
    }

    /// The oldest node, still linked.
    ///
    /// The reference cannot outlive the borrow of the list, and a linked node stays
    /// valid while it is linked (invariant 3); unlinking needs `&mut self`.
    pub(crate) fn front(&self) -> Option<&Node<T>> {
        // SAFETY: a linked node is valid (invariant 3) and stays linked, hence valid,
        // while `self` is borrowed.
        self.head.map(|head| unsafe { &*head.as_ptr() })
    }

    /// Links `node` at the back.
    ///
    /// # Safety
    ///
    /// `node` points to a pinned, unlinked node that stays valid until it is unlinked
    /// from this list (invariants 2 to 4), and `self` is the list under the owner's lock.
    pub(crate) unsafe fn push_back(&mut self, node: NonNull<Node<T>>) {
        // SAFETY: the caller vouches for `node`; `&mut self` proves the lock is held.
        unsafe {
            debug_assert!(node.as_ref().prev().is_none() && node.as_ref().next().is_none());
            debug_assert_ne!(self.head, Some(node), "node pushed twice");
            node.as_ref().set_links(self.tail, None);
            match self.tail {
                Some(tail) => tail.as_ref().set_next(Some(node)),
                None => self.head = Some(node),
            }
        }
        self.tail = Some(node);
    }

    /// Unlinks and returns the oldest node.
    ///
    /// The caller may keep using the node until it publishes, through the payload, that
    /// it is done with it (invariant 3); the node's owner may free it right after.
    pub(crate) fn pop_front(&mut self) -> Option<NonNull<Node<T>>> {
        let head = self.head?;
        // SAFETY: a linked node is valid (invariant 3); `&mut self` proves the lock.
        unsafe {
            let next = head.as_ref().next();
            match next {
                Some(next) => next.as_ref().set_prev(None),
                None => self.tail = None,
            }
            self.head = next;
            head.as_ref().set_links(None, None);
        }
        Some(head)
    }

    /// Unlinks `node` if it is linked; returns whether it was.
    ///
    /// # Safety
    ///
    /// `node` is valid, and is either linked into this list or into none (invariant 4).
    pub(crate) unsafe fn remove(&mut self, node: NonNull<Node<T>>) -> bool {
        // SAFETY: `node` is valid (caller); its neighbours are linked, hence valid; the
        // lock is held (`&mut self`).
        unsafe {
            let (prev, next) = (node.as_ref().prev(), node.as_ref().next());
            if prev.is_none() && self.head != Some(node) {
                // Not linked: the head is the only linked node without a predecessor.
                return false;
            }
            match prev {
                Some(prev) => prev.as_ref().set_next(next),
                None => self.head = next,
            }
            match next {
                Some(next) => next.as_ref().set_prev(prev),
                None => self.tail = prev,
            }
            node.as_ref().set_links(None, None);
        }
        true
    }

    /// The linked nodes, oldest first.
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        Iter {
            next: self.head,
            _list: self,
        }
    }
}

impl<T> fmt::Debug for WaitList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitList").field("len", &self.iter().count()).finish()
    }
}

/// The iterator of [`WaitList::iter`].
pub(crate) struct Iter<'a, T> {
    next: Option<NonNull<Node<T>>>,
    _list: &'a WaitList<T>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a Node<T>;

    fn next(&mut self) -> Option<&'a Node<T>> {
        let node = self.next?;
        // SAFETY: linked nodes are valid while the list is borrowed (see `front`), and
        // the borrow of the list proves the lock is held, so the links are stable.
        unsafe {
            self.next = node.as_ref().next();
            Some(&*node.as_ptr())
        }
    }
}

/// Wakers collected under a lock, to be woken after it is released.
///
/// Holds at most [`WakeBatch::CAPACITY`] wakers without allocating; a caller with more
/// to wake releases the lock, wakes the batch, and takes the lock again. Dropping the
/// batch wakes whatever is left, so a panic between collecting and waking (an overflow
/// assertion, say) loses no wake-up.
pub(crate) struct WakeBatch {
    wakers: [Option<Waker>; WakeBatch::CAPACITY],
    len: usize,
}

impl WakeBatch {
    /// How many wakers a batch holds (small under loom, to exercise the refill path).
    #[cfg(not(loom))]
    pub(crate) const CAPACITY: usize = 32;
    /// How many wakers a batch holds (small under loom, to exercise the refill path).
    #[cfg(loom)]
    pub(crate) const CAPACITY: usize = 1;

    /// An empty batch.
    pub(crate) fn new() -> WakeBatch {
        WakeBatch {
            wakers: std::array::from_fn(|_| None),
            len: 0,
        }
    }

    /// Whether the batch holds `CAPACITY` wakers.
    pub(crate) fn is_full(&self) -> bool {
        self.len == Self::CAPACITY
    }

    /// Adds a waker (nothing for `None`).
    ///
    /// # Panics
    ///
    /// When the batch is full; check [`is_full`](WakeBatch::is_full) first.
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        if let Some(waker) = waker {
            assert!(!self.is_full(), "wake batch overflow");
            self.wakers[self.len] = Some(waker);
            self.len += 1;
        }
    }

    /// Wakes every collected waker (call it with no lock held).
    pub(crate) fn wake_all(mut self) {
        self.wake_collected();
    }

    fn wake_collected(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        self.len = 0;
    }
}

impl Drop for WakeBatch {
    fn drop(&mut self) {
        self.wake_collected();
    }
}

impl fmt::Debug for WakeBatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakeBatch").field("len", &self.len).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::pin::pin;
    use std::ptr::NonNull;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::{Node, WaitList, WakeBatch};

    fn ptr(node: &Node<u32>) -> NonNull<Node<u32>> {
        NonNull::from(node)
    }

    fn values(list: &WaitList<u32>) -> Vec<u32> {
        list.iter().map(|node| *node.value()).collect()
    }

    #[test]
    fn fifo_push_pop() {
        let (a, b, c) = (pin!(Node::new(1)), pin!(Node::new(2)), pin!(Node::new(3)));
        let mut list = WaitList::new();
        assert!(list.is_empty());
        // SAFETY: the nodes are pinned, unlinked and outlive the list's use of them.
        unsafe {
            list.push_back(ptr(&a));
            list.push_back(ptr(&b));
            list.push_back(ptr(&c));
        }
        assert_eq!(values(&list), [1, 2, 3]);
        assert_eq!(list.front().map(|n| *n.value()), Some(1));
        let popped: Vec<u32> = std::iter::from_fn(|| list.pop_front())
            // SAFETY: the nodes are alive (pinned on this stack).
            .map(|n| unsafe { *n.as_ref().value() })
            .collect();
        assert_eq!(popped, [1, 2, 3]);
        assert!(list.is_empty());
        assert!(list.pop_front().is_none());
    }

    #[test]
    fn remove_head_middle_tail_and_unlinked() {
        let nodes = [Node::new(0), Node::new(1), Node::new(2), Node::new(3)];
        let nodes = pin!(nodes);
        let mut list = WaitList::new();
        for node in nodes.iter() {
            // SAFETY: pinned, unlinked, outlives the list's use.
            unsafe { list.push_back(ptr(node)) };
        }
        // SAFETY: each node is alive (pinned on this stack) and in `list` or in no list.
        unsafe {
            assert!(list.remove(ptr(&nodes[2])));
            assert_eq!(values(&list), [0, 1, 3]);
            assert!(!list.remove(ptr(&nodes[2])), "second removal is a no-op");
            assert!(list.remove(ptr(&nodes[0])));
            assert_eq!(values(&list), [1, 3]);
            assert!(list.remove(ptr(&nodes[3])));
            assert_eq!(values(&list), [1]);
            // Re-link a removed node: it goes to the back.
            list.push_back(ptr(&nodes[0]));
            assert_eq!(values(&list), [1, 0]);
            assert!(list.remove(ptr(&nodes[1])));
            assert!(list.remove(ptr(&nodes[0])));
            assert!(!list.remove(ptr(&nodes[0])));
        }
        assert!(list.is_empty());
    }

    #[test]
    fn popped_node_is_not_removed_again() {
        let (a, b) = (pin!(Node::new(1)), pin!(Node::new(2)));
        let mut list = WaitList::new();
        // SAFETY: pinned, unlinked, outlive the list's use.
        unsafe {
            list.push_back(ptr(&a));
            list.push_back(ptr(&b));
        }
        assert_eq!(list.pop_front(), Some(ptr(&a)));
        // SAFETY: `a` is alive and in no list now.
        assert!(!unsafe { list.remove(ptr(&a)) });
        assert_eq!(values(&list), [2]);
        // SAFETY: `b` is alive and in `list`.
        assert!(unsafe { list.remove(ptr(&b)) });
    }

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn waker_slot_keeps_one_waker() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let node = Node::new(());
        // SAFETY: the node is not shared.
        unsafe {
            node.set_waker(&waker);
            node.set_waker(&waker);
            assert!(node.take_waker().is_some());
            assert!(node.take_waker().is_none());
        }
        assert_eq!(Arc::strong_count(&count), 2, "no clone left in the slot");
    }

    #[test]
    fn wake_batch_wakes_on_wake_all_and_on_drop() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let mut batch = WakeBatch::new();
        batch.push(Some(Waker::from(count.clone())));
        batch.push(None);
        batch.push(Some(Waker::from(count.clone())));
        batch.wake_all();
        assert_eq!(count.0.load(SeqCst), 2);

        let mut batch = WakeBatch::new();
        while !batch.is_full() {
            batch.push(Some(Waker::from(count.clone())));
        }
        drop(batch);
        assert_eq!(count.0.load(SeqCst), 2 + WakeBatch::CAPACITY);
        assert_eq!(Arc::strong_count(&count), 1);
    }
}
