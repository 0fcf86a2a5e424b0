//! The receiver's waker slot: one registrant (the receiver), many wakers (senders).
//!
//! # Protocol
//!
//! The slot is a cell guarded by a state word with three bits:
//!
//! * `REGISTERING`: the receiver owns the cell and is storing a waker.
//! * `WAKING`: a sender owns the cell (or asked for a wake while the receiver owned
//!   it) and is taking the waker out.
//! * `HAS_WAKER`: the cell holds a waker that nobody has taken yet. Changed only by
//!   the thread that owns the cell.
//!
//! [`register`](RxWaker::register) takes the cell with a compare-and-swap that sets
//! `REGISTERING`, stores the waker, and gives the cell back with a second one that sets
//! `HAS_WAKER`. If a sender asked for a wake in between (the second compare-and-swap
//! finds `WAKING`), the receiver wakes its own waker. [`wake`](RxWaker::wake) sets
//! `WAKING` with a `fetch_or`; the sender that set it first while nobody owned the cell
//! owns it, takes the waker, and clears both `WAKING` and `HAS_WAKER`.
//!
//! Every transition is a read-modify-write, so a wake and a registration are always
//! ordered: either the wake finds the new waker, or the registration synchronises with
//! the wake (and the receiver, which checks for messages after registering, sees what
//! the waking sender published before it). That covers the rare wake-ups (the last
//! sender leaving, a permit given back after close).
//!
//! The hot path of a send avoids the read-modify-write: after publishing a message the
//! sender issues a `SeqCst` fence and only *loads* the state, calling `wake` when it
//! sees `HAS_WAKER`. The receiver issues a `SeqCst` fence between registering and
//! checking for messages again. Of the two fences, the one that comes first in the
//! fences' total order makes its side's write visible to the other side's read: either
//! the receiver sees the message, or the sender sees the waker.

use std::fmt;
use std::task::Waker;

use crate::loom::sync::atomic::AtomicUsize;
use crate::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use crate::loom::UnsafeCell;

/// The receiver owns the cell.
const REGISTERING: usize = 1 << 0;
/// A sender owns the cell, or asked for a wake while the receiver owned it.
const WAKING: usize = 1 << 1;
/// The cell holds a waker nobody has taken.
const HAS_WAKER: usize = 1 << 2;

/// The receiver's waker; see the module docs.
pub(super) struct RxWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cell is only touched by the thread that owns it through the state word
// (`REGISTERING` or `WAKING`), whose transitions are acquire/release; `Waker` is
// `Send + Sync`.
unsafe impl Send for RxWaker {}
// SAFETY: as above.
unsafe impl Sync for RxWaker {}

impl RxWaker {
    /// An empty slot.
    pub(super) fn new() -> RxWaker {
        RxWaker {
            state: AtomicUsize::new(0),
            waker: UnsafeCell::new(None),
        }
    }

    /// Stores `waker` to be woken by the next [`wake`](RxWaker::wake). The caller
    /// checks for messages afterwards (after a `SeqCst` fence, for the hot path).
    ///
    /// Only the receiver calls this (never two threads at once).
    pub(super) fn register(&self, waker: &Waker) {
        let mut curr = self.state.load(Relaxed);
        loop {
            debug_assert_eq!(curr & REGISTERING, 0, "two registrants");
            if curr & WAKING != 0 {
                // A sender is taking the previous waker out to wake it. That wake is
                // for this receiver, but may reach the old waker: wake the new one too.
                waker.wake_by_ref();
                crate::loom::hint::spin_loop();
                return;
            }
            match self
                .state
                .compare_exchange_weak(curr, curr | REGISTERING, Acquire, Relaxed)
            {
                Ok(_) => break,
                Err(actual) => curr = actual,
            }
        }
        // SAFETY: `REGISTERING` makes the cell ours.
        let replaced = self.waker.with_mut(|slot| unsafe {
            match &*slot {
                Some(old) if old.will_wake(waker) => None,
                _ => (*slot).replace(waker.clone()),
            }
        });
        let owned = curr | REGISTERING;
        if let Err(actual) = self.state.compare_exchange(owned, HAS_WAKER, AcqRel, Acquire) {
            // A sender asked for a wake while we held the cell, and left it to us.
            debug_assert_eq!(actual, owned | WAKING);
            // SAFETY: still ours: only we clear `REGISTERING`.
            let waker = self.waker.with_mut(|slot| unsafe { (*slot).take() });
            // A read-modify-write, so that it synchronises with the senders' `fetch_or`s.
            self.state.swap(0, AcqRel);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        drop(replaced);
    }

    /// Wakes the registered waker, if any (and takes it out).
    pub(super) fn wake(&self) {
        let prev = self.state.fetch_or(WAKING, AcqRel);
        if prev & (REGISTERING | WAKING) != 0 {
            // The receiver (registering) or another sender (waking) owns the cell and
            // will see our `WAKING` or is doing the wake already.
            return;
        }
        // SAFETY: we set `WAKING` first while nobody owned the cell: it is ours.
        let waker = self.waker.with_mut(|slot| unsafe { (*slot).take() });
        self.state.fetch_and(!(WAKING | HAS_WAKER), Release);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The hot path: wakes only if a waker seems registered. Call it after a `SeqCst`
    /// fence that follows the write the receiver must see (module docs).
    pub(super) fn wake_if_registered(&self) {
        if self.state.load(Relaxed) & HAS_WAKER != 0 {
            self.wake();
        }
    }
}

impl fmt::Debug for RxWaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RxWaker")
            .field("state", &self.state.load(Relaxed))
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    use super::RxWaker;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    #[test]
    fn register_then_wake_once() {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let slot = RxWaker::new();
        slot.wake_if_registered();
        slot.wake();
        slot.register(&Waker::from(count.clone()));
        slot.register(&Waker::from(count.clone()));
        assert_eq!(count.0.load(SeqCst), 0);
        slot.wake_if_registered();
        assert_eq!(count.0.load(SeqCst), 1);
        slot.wake_if_registered();
        slot.wake();
        assert_eq!(count.0.load(SeqCst), 1, "a waker is taken by its wake");
        assert_eq!(Arc::strong_count(&count), 1, "no clone left behind");
    }
}
