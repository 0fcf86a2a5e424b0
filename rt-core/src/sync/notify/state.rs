//! The `Notify` state word and the per-waiter notification values.
//!
//! # Protocol
//!
//! ```text
//!  bit 0   NOTIFIED  a stored permit: the next waiter completes at once (at most one)
//!  bit 1   WAITING   the waiter list is not empty
//!  bits 2.. the generation: how many `notify_waiters` calls there were (wrapping)
//! ```
//!
//! `NOTIFIED` and `WAITING` are never both set: a permit is only stored when nobody
//! waits, and a waiter takes a stored permit instead of queueing.
//!
//! `WAITING` is set and cleared only with the waiter lock held, and it mirrors the
//! list exactly. Every lock-free transition (storing a permit, taking it, bumping the
//! generation with no waiters) is a compare-and-swap from a value *without* `WAITING`,
//! so while `WAITING` is set only lock holders change the word. That is what lets the
//! locked paths trust what they load.
//!
//! The generation tells a [`Notified`](super::Notified) whether a `notify_waiters` call
//! happened since it was created: it records the generation when created and completes
//! as soon as it sees a different one. Registering in the list is a compare-and-swap
//! that includes the generation, so a concurrent `notify_waiters` either sees the new
//! waiter (`WAITING`) and wakes it, or makes the registration fail and retry.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};

/// A stored permit.
pub(super) const NOTIFIED: usize = 1 << 0;
/// The waiter list is not empty.
pub(super) const WAITING: usize = 1 << 1;
/// One step of the generation counter.
const GEN_ONE: usize = 1 << 2;

/// A waiter's notification slot: not notified yet.
pub(super) const NONE: usize = 0;
/// Chosen by `notify_one` (FIFO); passed on to the next waiter if dropped unobserved.
pub(super) const ONE_FIFO: usize = 1;
/// Chosen by `notify_last` (LIFO); passed on likewise.
pub(super) const ONE_LIFO: usize = 2;
/// Woken by `notify_waiters`; not passed on.
pub(super) const ALL: usize = 3;

/// The atomic state word of one `Notify`.
pub(super) struct State(AtomicUsize);

/// A copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(super) struct Snapshot(usize);

impl Snapshot {
    pub(super) fn is(self, flag: usize) -> bool {
        self.0 & flag != 0
    }

    /// The generation (count of `notify_waiters` calls, wrapping).
    pub(super) fn generation(self) -> usize {
        self.0 / GEN_ONE
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("notified", &self.is(NOTIFIED))
            .field("waiting", &self.is(WAITING))
            .field("generation", &self.generation())
            .finish()
    }
}

/// Outcome of a `Notified` trying to register itself (with the lock held).
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToWaiting {
    /// `WAITING` is set: link the waiter into the list.
    Registered,
    /// A stored permit was taken: the future is done.
    TookPermit,
    /// The generation moved on since the future was created: it is done.
    Broadcast,
}

impl State {
    #[cfg(not(loom))]
    pub(super) const fn new() -> State {
        State(AtomicUsize::new(0))
    }

    #[cfg(loom)]
    pub(super) fn new() -> State {
        State(AtomicUsize::new(0))
    }

    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Stores the permit when nobody waits. Fails (with the state) when `WAITING` is set:
    /// then the caller must take the lock and wake a waiter.
    pub(super) fn store_permit(&self) -> Result<(), Snapshot> {
        self.update(|curr| {
            if curr & WAITING != 0 {
                None
            } else {
                Some(curr | NOTIFIED)
            }
        })
    }

    /// Takes a stored permit for a future created in `generation`. Fails (with the
    /// state) when there is none, or when the generation moved on: that future is
    /// complete anyway, and the permit is left for another.
    pub(super) fn take_permit(&self, generation: usize) -> Result<(), Snapshot> {
        self.update(|curr| {
            let usable = curr & NOTIFIED != 0 && Snapshot(curr).generation() == generation;
            usable.then_some(curr & !NOTIFIED)
        })
    }

    /// Bumps the generation when nobody waits. Fails when `WAITING` is set: then the
    /// caller must take the lock and wake the list.
    pub(super) fn bump_generation(&self) -> Result<(), Snapshot> {
        self.update(|curr| {
            if curr & WAITING != 0 {
                None
            } else {
                Some(curr.wrapping_add(GEN_ONE))
            }
        })
    }

    /// Bumps the generation and clears `WAITING`: the list was handed to a
    /// `notify_waiters` call. The lock is held and `WAITING` is set.
    pub(super) fn bump_generation_locked(&self) {
        let prev = self.update(|curr| Some(curr.wrapping_add(GEN_ONE) & !WAITING));
        debug_assert!(prev.is_ok());
    }

    /// Clears `WAITING`: the list became empty. The lock is held and `WAITING` is set.
    pub(super) fn clear_waiting_locked(&self) {
        let prev = self.0.fetch_and(!WAITING, Release);
        debug_assert!(prev & WAITING != 0);
    }

    /// Registers interest for a future created in `generation`. The lock is held.
    pub(super) fn transition_to_waiting(&self, generation: usize) -> TransitionToWaiting {
        let mut curr = self.load();
        loop {
            if curr.generation() != generation {
                return TransitionToWaiting::Broadcast;
            }
            let (next, outcome) = if curr.is(NOTIFIED) {
                (curr.0 & !NOTIFIED, TransitionToWaiting::TookPermit)
            } else if curr.is(WAITING) {
                return TransitionToWaiting::Registered;
            } else {
                (curr.0 | WAITING, TransitionToWaiting::Registered)
            };
            match self.0.compare_exchange(curr.0, next, AcqRel, Acquire) {
                Ok(_) => return outcome,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    /// A compare-and-swap loop applying `f` until it succeeds or `f` declines.
    fn update(&self, mut f: impl FnMut(usize) -> Option<usize>) -> Result<(), Snapshot> {
        let mut curr = self.0.load(Acquire);
        loop {
            let Some(next) = f(curr) else {
                return Err(Snapshot(curr));
            };
            match self.0.compare_exchange_weak(curr, next, AcqRel, Acquire) {
                Ok(_) => return Ok(()),
                Err(actual) => curr = actual,
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn permit_is_stored_once_and_taken_once() {
        let state = State::new();
        assert!(state.store_permit().is_ok());
        assert!(state.store_permit().is_ok());
        assert!(state.take_permit(0).is_ok());
        assert!(state.take_permit(0).is_err(), "permits do not accumulate");
    }

    #[test]
    fn registration_takes_a_permit_or_sees_a_broadcast() {
        let state = State::new();
        let generation = state.load().generation();
        state.store_permit().unwrap();
        assert_eq!(state.transition_to_waiting(generation), TransitionToWaiting::TookPermit);
        assert_eq!(state.transition_to_waiting(generation), TransitionToWaiting::Registered);
        assert!(state.load().is(WAITING));
        assert!(state.store_permit().is_err() && state.bump_generation().is_err());
        state.bump_generation_locked();
        assert!(!state.load().is(WAITING));
        assert_eq!(state.transition_to_waiting(generation), TransitionToWaiting::Broadcast);
    }

    #[test]
    fn generation_wraps() {
        let state = State(AtomicUsize::new(usize::MAX & !(NOTIFIED | WAITING)));
        let before = state.load().generation();
        state.bump_generation().unwrap();
        assert_ne!(state.load().generation(), before);
        assert_eq!(state.load().generation(), 0);
    }
}
