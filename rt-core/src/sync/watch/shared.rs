//! The state shared by the sender and every receiver: the value, the version word, the
//! receiver count, and the two waiter sets.
//!
//! # Protocol
//!
//! - `value` is only written under its lock, and every write that should be seen bumps
//!   the version (by [`STEP`]) *before the lock is released*, so a reader that reads the
//!   version under the lock knows exactly which version it is looking at.
//! - After a bump (or after setting [`CLOSED`]) the sender calls
//!   [`Waiters::wake_all`] on `changed`. A receiver about to sleep registers its waker in
//!   `changed` and *then* loads the state again. The waiter lock orders the two sides:
//!   either the sender's `wake_all` takes the lock after the registration and wakes the
//!   receiver, or it took it before, in which case its bump happens before the
//!   receiver's lock and so before its second load, which sees the new version.
//! - `receivers` and the `closed` waiters follow the same pattern: the last receiver
//!   decrements the count and then wakes `closed`; `Sender::closed` registers and then
//!   loads the count again.
//! - No waker is woken, cloned into user code or dropped while a waiter lock is held
//!   (only `Waker::clone`/`will_wake` run under it): a waker's `wake` or `drop` may run
//!   arbitrary code, which may drop a receiver and take the same lock.

use std::mem;
use std::task::Waker;

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};

/// Bit 0 of the state: the sender was dropped. Never cleared.
pub(super) const CLOSED: usize = 1;

/// What one visible write adds to the state (the version lives above the closed bit).
pub(super) const STEP: usize = 2;

/// The lock around the value. A `Mutex`, not a read-write lock: the shim has none yet,
/// and borrows are meant to be short. Swapping in a `RwLock` only touches these aliases
/// and the `lock_value` call sites.
type ValueLock<T> = Mutex<T>;

/// A guard of [`ValueLock`].
pub(super) type ValueGuard<'a, T> = MutexGuard<'a, T>;

/// A snapshot of the state word.
#[derive(Clone, Copy, Debug)]
pub(super) struct State(pub(super) usize);

impl State {
    pub(super) fn version(self) -> Version {
        Version(self.0 & !CLOSED)
    }

    pub(super) fn is_closed(self) -> bool {
        self.0 & CLOSED != 0
    }
}

/// A version of the value, as remembered by a receiver.
///
/// Real versions are even. [`Version::UNSEEN`] is odd, so it differs from every real
/// version: a receiver holding it treats the current value as new.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Version(usize);

impl Version {
    pub(super) const UNSEEN: Version = Version(CLOSED);
}

/// The heap part of a channel, behind an `Arc` held by the sender and each receiver.
pub(super) struct Shared<T> {
    value: ValueLock<T>,
    /// `version | CLOSED`; see the module docs.
    state: AtomicUsize,
    /// Live receivers. May go back up from zero through `Sender::subscribe`.
    receivers: AtomicUsize,
    /// Receivers waiting in `changed`, keyed by receiver.
    pub(super) changed: Waiters,
    /// `Sender::closed` futures waiting for the last receiver to go.
    pub(super) closed: Waiters,
}

impl<T> Shared<T> {
    /// A channel holding `init` at version 0, with one receiver.
    pub(super) fn new(init: T) -> Shared<T> {
        Shared {
            value: ValueLock::new(init),
            state: AtomicUsize::new(0),
            receivers: AtomicUsize::new(1),
            changed: Waiters::new(),
            closed: Waiters::new(),
        }
    }

    pub(super) fn state(&self) -> State {
        State(self.state.load(Ordering::Acquire))
    }

    pub(super) fn lock_value(&self) -> ValueGuard<'_, T> {
        self.value.lock()
    }

    /// Publishes a new version.
    ///
    /// Call it with the value lock held (`_held` proves it), after the write.
    pub(super) fn bump_version(&self, _held: &mut ValueGuard<'_, T>) {
        self.state.fetch_add(STEP, Ordering::Release);
    }

    /// Marks the channel closed (the sender is gone) and wakes every waiting receiver.
    pub(super) fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::Release);
        self.changed.wake_all();
    }

    pub(super) fn receiver_count(&self) -> usize {
        self.receivers.load(Ordering::Acquire)
    }

    pub(super) fn add_receiver(&self) {
        // Relaxed, as for `Arc::clone`: the caller already holds a handle to the channel.
        let prev = self.receivers.fetch_add(1, Ordering::Relaxed);
        // A count this large means leaked receivers; wrapping would close the channel.
        assert!(prev < usize::MAX / 2, "too many watch receivers");
    }

    /// Counts a receiver out; the last one wakes the `closed` waiters.
    pub(super) fn remove_receiver(&self) {
        if self.receivers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.closed.wake_all();
        }
    }
}

/// How many wakers [`Waiters::wake_all`] takes per lock acquisition (shrunk under loom
/// so that two receivers exercise the re-locking path).
const BATCH: usize = if cfg!(loom) { 1 } else { 32 };

/// A set of wakers, each in a slot owned by one [`Key`].
///
/// A slab: a slot is allocated the first time its owner waits and kept until the owner
/// goes, so waiting again reuses it and allocates nothing. A slot holds at most one
/// waker (a new poll replaces it), so a receiver polled many times never piles up
/// wakers. `wake_all` empties the slots but keeps them allocated.
#[derive(Debug)]
pub(super) struct Waiters {
    set: Mutex<WaiterSet>,
}

/// The slot of one waiter in a [`Waiters`]; held by the receiver or future that waits.
///
/// Deliberately not `Clone`: one owner per slot, released by [`Waiters::deregister`].
///
/// A `u32`, so that a receiver (which keeps an `Option<Key>`) is three words: servers keep
/// one per connection.
#[derive(Debug)]
pub(super) struct Key(u32);

#[derive(Debug, Default)]
struct WaiterSet {
    /// `None`: free, or owned by a key with no waker stored.
    slots: Vec<Option<Waker>>,
    /// Indices of the slots that no key owns.
    free: Vec<usize>,
    /// How many slots hold a waker.
    waiting: usize,
}

impl Waiters {
    pub(super) fn new() -> Waiters {
        Waiters {
            set: Mutex::new(WaiterSet::default()),
        }
    }

    /// Stores `waker` in the slot of `key`, allocating the slot on first use.
    ///
    /// The caller must check its condition again afterwards (see the module docs).
    pub(super) fn register(&self, key: &mut Option<Key>, waker: &Waker) {
        let replaced = {
            let mut set = self.set.lock();
            let index = match key {
                Some(Key(index)) => *index as usize,
                None => {
                    // Each waiter owns memory of its own (its receiver, its slot): 2^32 of
                    // them cannot exist.
                    let index = u32::try_from(set.allocate()).expect("fewer than 2^32 waiters");
                    key.insert(Key(index)).0 as usize
                }
            };
            set.store(index, waker)
        };
        // Dropped outside the lock (see the module docs).
        drop(replaced);
    }

    /// Releases the slot of `key`, if it has one, dropping any waker in it.
    pub(super) fn deregister(&self, key: &mut Option<Key>) {
        if let Some(Key(index)) = key.take() {
            let waker = self.set.lock().release(index as usize);
            drop(waker);
        }
    }

    /// Wakes every stored waker, leaving each slot allocated and empty.
    ///
    /// Wakes in batches of [`BATCH`] outside the lock. A waker stored in a slot already
    /// passed was registered after this call took the lock, so after the state change
    /// that this call announces: its owner sees that change when it checks again.
    pub(super) fn wake_all(&self) {
        let mut next = 0;
        loop {
            let mut batch = WakeBatch::new();
            let more = {
                let mut set = self.set.lock();
                if set.waiting == 0 {
                    return;
                }
                next = set.take_batch(next, &mut batch);
                next < set.slots.len()
            };
            batch.wake();
            if !more {
                return;
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
impl Waiters {
    /// `(allocated slots, free slots)`, for tests.
    pub(super) fn slots(&self) -> (usize, usize) {
        let set = self.set.lock();
        (set.slots.len(), set.free.len())
    }
}

impl WaiterSet {
    fn allocate(&mut self) -> usize {
        self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        })
    }

    /// Returns the waker it replaces, if any (to be dropped outside the lock).
    fn store(&mut self, index: usize, waker: &Waker) -> Option<Waker> {
        let slot = &mut self.slots[index];
        match slot {
            Some(stored) if stored.will_wake(waker) => None,
            Some(stored) => Some(mem::replace(stored, waker.clone())),
            None => {
                self.waiting += 1;
                *slot = Some(waker.clone());
                None
            }
        }
    }

    fn release(&mut self, index: usize) -> Option<Waker> {
        debug_assert!(!self.free.contains(&index), "waiter slot {index} released twice");
        self.free.push(index);
        self.take(index)
    }

    fn take(&mut self, index: usize) -> Option<Waker> {
        let waker = self.slots[index].take();
        if waker.is_some() {
            self.waiting -= 1;
        }
        waker
    }

    /// Moves wakers from slot `from` on into `batch` until it is full; returns the index
    /// to resume from.
    fn take_batch(&mut self, from: usize, batch: &mut WakeBatch) -> usize {
        let mut index = from;
        while index < self.slots.len() && !batch.is_full() {
            if let Some(waker) = self.take(index) {
                batch.push(waker);
            }
            index += 1;
        }
        index
    }
}

/// Up to [`BATCH`] wakers taken out of a set, on the stack: no allocation per send.
struct WakeBatch {
    wakers: [Option<Waker>; BATCH],
    len: usize,
}

impl WakeBatch {
    fn new() -> WakeBatch {
        WakeBatch {
            wakers: [const { None }; BATCH],
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len == BATCH
    }

    fn push(&mut self, waker: Waker) {
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    fn wake(mut self) {
        for waker in self.wakers[..self.len].iter_mut().filter_map(Option::take) {
            waker.wake();
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::{Key, Waiters, BATCH};

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn counting() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    fn woken(count: &Count) -> usize {
        count.0.load(SeqCst)
    }

    #[test]
    fn registering_twice_keeps_one_waker() {
        let waiters = Waiters::new();
        let (count, waker) = counting();
        let mut key = None;
        waiters.register(&mut key, &waker);
        waiters.register(&mut key, &waker);
        assert_eq!(waiters.set.lock().waiting, 1);
        waiters.wake_all();
        assert_eq!(woken(&count), 1);
        // The slot stays allocated and empty: a second wake finds nothing.
        waiters.wake_all();
        assert_eq!(woken(&count), 1);
        assert_eq!(waiters.set.lock().slots.len(), 1);
    }

    #[test]
    fn a_new_waker_replaces_the_old_one() {
        let waiters = Waiters::new();
        let (old, old_waker) = counting();
        let (new, new_waker) = counting();
        let mut key = None;
        waiters.register(&mut key, &old_waker);
        waiters.register(&mut key, &new_waker);
        waiters.wake_all();
        assert_eq!((woken(&old), woken(&new)), (0, 1));
        // The replaced waker was dropped: only the test holds it now.
        assert_eq!(Arc::strong_count(&old), 2);
    }

    #[test]
    fn released_slots_are_reused() {
        let waiters = Waiters::new();
        let (count, waker) = counting();
        let (mut a, mut b) = (None, None);
        waiters.register(&mut a, &waker);
        waiters.register(&mut b, &waker);
        let first = a.as_ref().map(|key| key.0).unwrap();
        waiters.deregister(&mut a);
        assert!(a.is_none());
        let mut c = None;
        waiters.register(&mut c, &waker);
        assert!(matches!(c, Some(Key(index)) if index == first));
        assert_eq!(waiters.set.lock().slots.len(), 2);
        waiters.wake_all();
        assert_eq!(woken(&count), 2);
        waiters.deregister(&mut b);
        waiters.deregister(&mut c);
        assert_eq!(waiters.set.lock().free.len(), 2);
    }

    #[test]
    fn wake_all_crosses_batches() {
        let waiters = Waiters::new();
        let (count, waker) = counting();
        let mut keys: Vec<Option<Key>> = (0..BATCH * 2 + 3).map(|_| None).collect();
        for key in &mut keys {
            waiters.register(key, &waker);
        }
        // Leave a hole: a released slot in the middle is skipped.
        waiters.deregister(&mut keys[BATCH]);
        waiters.wake_all();
        assert_eq!(woken(&count), BATCH * 2 + 2);
        assert_eq!(waiters.set.lock().waiting, 0);
    }

    #[test]
    fn deregister_drops_the_waker() {
        let waiters = Waiters::new();
        let (count, waker) = counting();
        let mut key = None;
        waiters.register(&mut key, &waker);
        drop(waker);
        waiters.deregister(&mut key);
        assert_eq!(Arc::strong_count(&count), 1);
        assert_eq!(woken(&count), 0);
    }
}
