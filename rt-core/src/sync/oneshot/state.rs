//! The oneshot state word: which side has finished and which waker slots are written.
//!
//! # Protocol
//!
//! ```text
//!  bit 0  RX_TASK_SET  the receiver's waker slot is written; while set, only reads touch it
//!  bit 1  VALUE_SENT   the value slot holds the value; from now on only the receiver touches it
//!  bit 2  CLOSED       the receiver closed (or was dropped); no value will be accepted any more
//!  bit 3  TX_TASK_SET  the sender's waker slot is written; while set, only reads touch it
//!  bit 4  TX_DROPPED   the sender was dropped without sending
//! ```
//!
//! The sender *completes* by setting `VALUE_SENT` (after writing the value) or
//! `TX_DROPPED`; at most one of the two is ever set, and never after `CLOSED` is set for
//! `VALUE_SENT`: [`State::transition_to_value_sent`] is a compare-and-swap that gives
//! up when it sees `CLOSED`. So the value slot has one owner at a time:
//!
//! * before `VALUE_SENT`, the sender (it writes the value, and takes it back when the
//!   transition fails because the receiver closed);
//! * after `VALUE_SENT`, the receiver (it takes the value, or drops it when dropped).
//!
//! Each waker slot follows the same rule from the other direction. The owning side
//! writes its slot while the `*_TASK_SET` bit is clear, then sets the bit (release);
//! the other side reads it only after seeing the bit set in the value its own
//! completing transition replaced (acquire). To replace a stored waker the owner first
//! clears the bit with a compare-and-swap that fails once the other side has
//! completed (`VALUE_SENT` / `TX_DROPPED` for the receiver's slot, `CLOSED` for the
//! sender's): after that the other side may be reading the slot, so the owner leaves it
//! alone, and it is dropped with the allocation.

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};

/// The receiver's waker slot is written.
pub(super) const RX_TASK_SET: usize = 1 << 0;
/// The value is written and handed over to the receiver.
pub(super) const VALUE_SENT: usize = 1 << 1;
/// The receiver closed the channel or was dropped.
pub(super) const CLOSED: usize = 1 << 2;
/// The sender's waker slot is written.
pub(super) const TX_TASK_SET: usize = 1 << 3;
/// The sender was dropped without sending.
pub(super) const TX_DROPPED: usize = 1 << 4;
/// The sender has finished, one way or the other.
const COMPLETE: usize = VALUE_SENT | TX_DROPPED;

/// The atomic state word of one channel.
pub(super) struct State(AtomicUsize);

/// A copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(super) struct Snapshot(usize);

impl Snapshot {
    pub(super) fn is(self, flag: usize) -> bool {
        self.0 & flag != 0
    }

    /// Whether the sender has sent a value or was dropped.
    pub(super) fn is_complete(self) -> bool {
        self.is(COMPLETE)
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("rx_task_set", &self.is(RX_TASK_SET))
            .field("value_sent", &self.is(VALUE_SENT))
            .field("closed", &self.is(CLOSED))
            .field("tx_task_set", &self.is(TX_TASK_SET))
            .field("tx_dropped", &self.is(TX_DROPPED))
            .finish()
    }
}

/// Outcome of the sender finishing (sending, or being dropped).
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(super) enum TransitionToComplete {
    /// The receiver had closed: a value was not handed over.
    Closed,
    /// Done; the receiver's waker is stored and must be woken.
    WakeRx,
    /// Done; nobody waits.
    Done,
}

impl TransitionToComplete {
    fn after(prev: Snapshot) -> TransitionToComplete {
        if prev.is(CLOSED) {
            TransitionToComplete::Closed
        } else if prev.is(RX_TASK_SET) {
            TransitionToComplete::WakeRx
        } else {
            TransitionToComplete::Done
        }
    }
}

impl State {
    pub(super) fn new() -> State {
        State(AtomicUsize::new(0))
    }

    /// The current state, with acquire ordering (the other side's writes before its
    /// transition are visible).
    pub(super) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Hands the written value over to the receiver, unless it closed.
    pub(super) fn transition_to_value_sent(&self) -> TransitionToComplete {
        let mut curr = self.0.load(Relaxed);
        loop {
            if curr & CLOSED != 0 {
                // The value stays with the sender, which wrote it: nothing to synchronise.
                return TransitionToComplete::Closed;
            }
            match self.0.compare_exchange_weak(curr, curr | VALUE_SENT, AcqRel, Relaxed) {
                Ok(_) => return TransitionToComplete::after(Snapshot(curr)),
                Err(actual) => curr = actual,
            }
        }
    }

    /// Records that the sender was dropped without sending.
    pub(super) fn transition_to_tx_dropped(&self) -> TransitionToComplete {
        TransitionToComplete::after(Snapshot(self.0.fetch_or(TX_DROPPED, AcqRel)))
    }

    /// Closes the channel from the receiver's side; returns the state before.
    pub(super) fn transition_to_closed(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(CLOSED, AcqRel))
    }

    /// Publishes the receiver's freshly written waker; returns the state after.
    pub(super) fn set_rx_task(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(RX_TASK_SET, AcqRel) | RX_TASK_SET)
    }

    /// Takes the receiver's waker slot back for rewriting. Fails (returning the state)
    /// once the sender has completed: it may be reading the slot.
    pub(super) fn unset_rx_task(&self) -> Result<(), Snapshot> {
        self.unset(RX_TASK_SET, COMPLETE)
    }

    /// Publishes the sender's freshly written waker; returns the state after.
    pub(super) fn set_tx_task(&self) -> Snapshot {
        Snapshot(self.0.fetch_or(TX_TASK_SET, AcqRel) | TX_TASK_SET)
    }

    /// Takes the sender's waker slot back for rewriting. Fails once the receiver closed.
    pub(super) fn unset_tx_task(&self) -> Result<(), Snapshot> {
        self.unset(TX_TASK_SET, CLOSED)
    }

    fn unset(&self, flag: usize, unless: usize) -> Result<(), Snapshot> {
        let mut curr = self.0.load(Acquire);
        loop {
            if curr & unless != 0 {
                return Err(Snapshot(curr));
            }
            match self.0.compare_exchange_weak(curr, curr & !flag, AcqRel, Acquire) {
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
    fn send_after_close_fails_and_leaves_value_unsent() {
        let state = State::new();
        assert!(!state.transition_to_closed().is(CLOSED));
        assert_eq!(state.transition_to_value_sent(), TransitionToComplete::Closed);
        assert!(!state.load().is(VALUE_SENT));
    }

    #[test]
    fn completion_asks_to_wake_a_stored_receiver_waker() {
        let state = State::new();
        assert!(!state.set_rx_task().is_complete());
        assert_eq!(state.transition_to_value_sent(), TransitionToComplete::WakeRx);
        assert!(state.load().is_complete());
        assert_eq!(
            state.unset_rx_task(),
            Err(state.load()),
            "the slot belongs to the sender now"
        );
    }

    #[test]
    fn tx_slot_is_kept_after_close() {
        let state = State::new();
        let _ = state.set_tx_task();
        assert_eq!(state.unset_tx_task(), Ok(()));
        let _ = state.set_tx_task();
        assert!(state.transition_to_closed().is(TX_TASK_SET));
        assert!(state.unset_tx_task().is_err());
    }

    #[test]
    fn drop_without_send_completes_without_value() {
        let state = State::new();
        assert_eq!(state.transition_to_tx_dropped(), TransitionToComplete::Done);
        let now = state.load();
        assert!(now.is_complete() && !now.is(VALUE_SENT));
    }
}
