//! The protocol between a semaphore's permit counter and its waiters.
//!
//! # Protocol
//!
//! The [state word](super::state) holds the available permits and the `CLOSED` and
//! `WAITERS` flags. The wait list, behind `waiters`, holds one [`Node`] per queued
//! [`Acquire`](super::Acquire) future; its payload, [`Waiter::remaining`], is how many
//! permits that waiter still needs.
//!
//! * **Fast paths (no lock).** An acquirer takes permits with one compare-and-swap when
//!   enough are available; a release adds them with one compare-and-swap when `WAITERS`
//!   is clear. Because `WAITERS` implies a permit count of zero, a lock-free acquirer
//!   never barges past a queued waiter, and a release never misses one: the acquirer that
//!   queues sets `WAITERS` with the same compare-and-swap that empties the count, so a
//!   concurrent lock-free release fails its compare-and-swap and retries.
//! * **Queueing (under the lock).** An acquirer that finds too few permits takes all of
//!   them (a partial assignment), sets `WAITERS`, records what it still needs in its node
//!   and links the node at the back.
//! * **Releasing to waiters (under the lock).** Released permits go to the head of the
//!   list first, in FIFO order: a head that needs more than is released takes what there
//!   is and stays at the head, so a large request is never starved by later small ones.
//!   A fully served waiter is unlinked, its waker taken, and only then is `remaining`
//!   set to zero with a `Release` store: that store is the lock holder's last access to
//!   the node (wait-list invariant 3), after which the owner may complete without the
//!   lock. Permits left over once the list is empty go back to the counter, and
//!   `WAITERS` is cleared in the same compare-and-swap.
//! * **Cancelling.** A queued future that is dropped (or fails because the semaphore
//!   closed) unlinks its node under the lock and releases the permits it had been
//!   assigned, which serves the next waiters. One that sees `remaining == 0` without the
//!   lock owns its node again and simply releases all its permits.
//! * **Closing.** `close` sets `CLOSED` under the lock, unlinks every waiter and wakes it;
//!   a woken waiter sees `CLOSED`, returns the permits it was partially assigned and
//!   fails. Nothing is assigned to a waiter after it was unlinked.
//!
//! Wakers are always woken after the lock is released, in batches of
//! [`WakeBatch::CAPACITY`].

use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

use super::state::{self, CLOSED, WAITERS};
use super::{AcquireError, Semaphore, TryAcquireError};
use crate::loom::sync::atomic::AtomicUsize;
use crate::loom::sync::atomic::Ordering::{Acquire as Acq, Relaxed, Release};
use crate::loom::sync::MutexGuard;
use crate::sync::wait_list::{Node, WaitList, WakeBatch};

/// The payload of a waiter's node.
#[derive(Debug)]
pub(super) struct Waiter {
    /// Permits still needed. Written under the lock; the final store of zero, which
    /// hands the node back to its owner, is `Release`.
    remaining: AtomicUsize,
}

impl Waiter {
    pub(super) fn new(permits: usize) -> Waiter {
        Waiter {
            remaining: AtomicUsize::new(permits),
        }
    }
}

impl Semaphore {
    /// Sets `CLOSED` and unlinks and wakes every waiter (`close`).
    pub(super) fn close_and_wake_all(&self) {
        let mut list = self.waiters.lock();
        self.state.fetch_or(CLOSED, Release);
        loop {
            let mut wakers = WakeBatch::new();
            while !wakers.is_full() {
                let Some(node) = list.pop_front() else { break };
                // SAFETY: the node was linked, so it is valid; it stays valid after being
                // popped because its owner only frees it after taking the lock (its
                // `remaining` is not zero, so it cannot complete without the lock).
                wakers.push(unsafe { node.as_ref().take_waker() });
            }
            if list.is_empty() {
                self.state.fetch_and(!WAITERS, Release);
            }
            let done = list.is_empty();
            drop(list);
            wakers.wake_all();
            if done {
                return;
            }
            list = self.waiters.lock();
        }
    }

    /// Takes `n` permits without waiting: the fast path of every acquire.
    pub(crate) fn try_acquire_raw(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut curr = self.state.load(Relaxed);
        loop {
            if curr & CLOSED != 0 {
                return Err(TryAcquireError::closed());
            }
            // While `WAITERS` is set the count is zero, so this also refuses to barge.
            if state::permits(curr) < n {
                return Err(TryAcquireError::no_permits());
            }
            match self.state.compare_exchange(curr, curr - state::amount(n), Acq, Relaxed) {
                Ok(_) => return Ok(()),
                Err(actual) => curr = actual,
            }
        }
    }

    /// Gives back `n` permits: to the counter when nobody waits (no lock), otherwise to
    /// the waiters first.
    ///
    /// # Panics
    ///
    /// When the total would exceed [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut curr = self.state.load(Relaxed);
        loop {
            if curr & WAITERS != 0 {
                return self.release_locked(n, self.waiters.lock());
            }
            match self.state.compare_exchange(curr, state::add(curr, n), Release, Relaxed) {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }

    /// The slow path of a first poll: under the lock, takes the permits if they became
    /// available, otherwise takes what there is and links `node` to wait for the rest.
    /// `Pending` means the node is linked.
    ///
    /// # Safety
    ///
    /// `node` is pinned, unlinked, and stays valid until it is handed back: until
    /// [`dequeue`](Semaphore::dequeue) was called with it, or
    /// [`poll_queued`](Semaphore::poll_queued) returned `Ready` for it.
    pub(super) unsafe fn poll_enqueue(
        &self,
        node: Pin<&Node<Waiter>>,
        n: usize,
        waker: &Waker,
    ) -> Poll<Result<(), AcquireError>> {
        let mut list = self.waiters.lock();
        // Before any permit is taken, so that a panicking waker clone loses none.
        // SAFETY: the node is not linked yet, and the lock is held anyway.
        unsafe { node.set_waker(waker) };
        let mut curr = self.state.load(Relaxed);
        let remaining = loop {
            if curr & CLOSED != 0 {
                return Poll::Ready(Err(AcquireError::closed()));
            }
            let available = state::permits(curr);
            // Either everything needed, or everything there is (and then we queue).
            let (next, remaining) = match n.checked_sub(available) {
                None | Some(0) => (curr - state::amount(n), 0),
                Some(remaining) => (WAITERS, remaining),
            };
            match self.state.compare_exchange(curr, next, Acq, Relaxed) {
                Ok(_) => break remaining,
                Err(actual) => curr = actual,
            }
        };
        if remaining == 0 {
            return Poll::Ready(Ok(()));
        }
        node.value().remaining.store(remaining, Relaxed);
        // SAFETY: pinned, unlinked and valid until handed back (caller); lock held.
        unsafe { list.push_back(NonNull::from(node.get_ref())) };
        Poll::Pending
    }

    /// A later poll of a waiter whose node was linked by
    /// [`poll_enqueue`](Semaphore::poll_enqueue). `Ready` hands the node back: with `Ok`
    /// the waiter holds all its permits; with `Err` (closed) it holds none.
    ///
    /// # Safety
    ///
    /// `node` was linked into this semaphore's list by `poll_enqueue` and not handed back
    /// yet.
    pub(super) unsafe fn poll_queued(
        &self,
        node: Pin<&Node<Waiter>>,
        n: usize,
        waker: &Waker,
    ) -> Poll<Result<(), AcquireError>> {
        // Fully served: the server's last access to the node was this `Release` store.
        if node.value().remaining.load(Acq) == 0 {
            return Poll::Ready(Ok(()));
        }
        let list = self.waiters.lock();
        if node.value().remaining.load(Acq) == 0 {
            return Poll::Ready(Ok(()));
        }
        // `CLOSED` is set under the lock, so this read is exact.
        if self.state.load(Relaxed) & CLOSED != 0 {
            // SAFETY: linked into this list or unlinked by `close` (caller).
            unsafe { self.dequeue_locked(node, n, list) };
            return Poll::Ready(Err(AcquireError::closed()));
        }
        // SAFETY: the lock is held.
        unsafe { node.set_waker(waker) };
        Poll::Pending
    }

    /// Hands back the node of a waiter that gives up before completing: unlinks it and
    /// releases the permits it was assigned.
    ///
    /// # Safety
    ///
    /// As for [`poll_queued`](Semaphore::poll_queued).
    pub(super) unsafe fn dequeue(&self, node: Pin<&Node<Waiter>>, n: usize) {
        if node.value().remaining.load(Acq) == 0 {
            // Unlinked and fully served: all `n` permits are ours to give back.
            return self.release(n);
        }
        // SAFETY: forwarded from the caller.
        unsafe { self.dequeue_locked(node, n, self.waiters.lock()) }
    }

    /// # Safety
    ///
    /// As for [`poll_queued`](Semaphore::poll_queued), and `list` is this semaphore's.
    unsafe fn dequeue_locked(&self, node: Pin<&Node<Waiter>>, n: usize, mut list: MutexGuard<'_, WaitList<Waiter>>) {
        // SAFETY: the node is valid and in this list or in none (caller).
        unsafe { list.remove(NonNull::from(node.get_ref())) };
        // Stable now: only a lock holder assigns, and only to linked nodes.
        let assigned = n - node.value().remaining.load(Relaxed);
        self.release_locked(assigned, list);
    }

    /// Serves waiters from `n` released permits in FIFO order, then returns what is left
    /// to the counter (clearing `WAITERS`) once the list is empty. Wakes the served
    /// waiters after releasing the lock. `n` may be zero: a waiter that left may have
    /// emptied the list.
    fn release_locked<'a>(&'a self, mut n: usize, mut list: MutexGuard<'a, WaitList<Waiter>>) {
        loop {
            let mut wakers = WakeBatch::new();
            while !wakers.is_full() {
                let Some(head) = list.front() else { break };
                let needed = head.value().remaining.load(Relaxed);
                if needed > n {
                    // A partial assignment: the head keeps its place.
                    if n > 0 {
                        head.value().remaining.store(needed - n, Relaxed);
                        n = 0;
                    }
                    break;
                }
                n -= needed;
                let node = list.pop_front().expect("the list has a head");
                // SAFETY: a popped node stays valid until its owner sees `remaining == 0`;
                // the lock is held.
                unsafe {
                    wakers.push(node.as_ref().take_waker());
                    // The last access: from here on the owner may complete and free it.
                    node.as_ref().value().remaining.store(0, Release);
                }
            }
            let empty = list.is_empty();
            if empty {
                self.add_and_clear_waiters(n);
            }
            drop(list);
            wakers.wake_all();
            // Not empty with permits left means the batch filled up: serve the rest.
            if empty || n == 0 {
                return;
            }
            list = self.waiters.lock();
        }
    }

    /// The `CLOSED` and `WAITERS` bits, for the unit tests.
    #[cfg(all(test, not(loom)))]
    pub(super) fn flags(&self) -> usize {
        self.state.load(Relaxed) & (CLOSED | WAITERS)
    }

    /// Adds `n` permits to the counter and clears `WAITERS`; the lock is held and the
    /// list is empty.
    fn add_and_clear_waiters(&self, n: usize) {
        let mut curr = self.state.load(Relaxed);
        loop {
            let next = state::add(curr, n) & !WAITERS;
            match self.state.compare_exchange(curr, next, Release, Relaxed) {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }
}
