//! The one allocation of a channel: the state word, the value slot and the two waker
//! slots. Which side may touch which slot, and when, is the protocol of
//! [`state`](super::state); every `unsafe` block below cites the rule it relies on.

use std::task::{Context, Poll, Waker};

use super::error::RecvError;
use super::state::{Snapshot, State, TransitionToComplete, CLOSED, RX_TASK_SET, TX_TASK_SET, VALUE_SENT};
use crate::loom::UnsafeCell;

/// The state shared by a [`Sender`](super::Sender) and its [`Receiver`](super::Receiver).
pub(super) struct Shared<T> {
    state: State,
    /// Owned by the sender until `VALUE_SENT`, by the receiver after.
    value: UnsafeCell<Option<T>>,
    /// Owned by the receiver while `RX_TASK_SET` is clear; read-only while it is set.
    rx_waker: UnsafeCell<Option<Waker>>,
    /// Owned by the sender while `TX_TASK_SET` is clear; read-only while it is set.
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the value is moved from the sending thread to the receiving one, never shared
// by reference, so `T: Send` is enough; the slots are handed between the two sides by the
// state word's protocol (acquire/release transitions), so no slot is written while the
// other side accesses it. Wakers are `Send + Sync`.
unsafe impl<T: Send> Send for Shared<T> {}
// SAFETY: as for `Send`: `&Shared` only reaches the value through the protocol, which
// gives it to one side at a time.
unsafe impl<T: Send> Sync for Shared<T> {}

impl<T> Shared<T> {
    pub(super) fn new() -> Shared<T> {
        Shared {
            state: State::new(),
            value: UnsafeCell::new(None),
            rx_waker: UnsafeCell::new(None),
            tx_waker: UnsafeCell::new(None),
        }
    }

    pub(super) fn state(&self) -> Snapshot {
        self.state.load()
    }

    // ===== sender side =====

    /// Stores `value` and hands it to the receiver; gives it back if the receiver closed.
    pub(super) fn send(&self, value: T) -> Result<(), T> {
        // SAFETY: `VALUE_SENT` is not set (only this call sets it, once), so the slot is
        // the sender's and the receiver does not touch it. It holds `None` (nothing was
        // sent before), so overwriting it without dropping the old contents leaks nothing.
        self.value.with_mut(|slot| unsafe { slot.write(Some(value)) });
        match self.state.transition_to_value_sent() {
            TransitionToComplete::Closed => {
                // SAFETY: the transition failed, so `VALUE_SENT` is still clear: the slot
                // is still the sender's.
                let value = self.value.with_mut(|slot| unsafe { (*slot).take() });
                Err(value.expect("the value was just written"))
            }
            TransitionToComplete::WakeRx => {
                self.wake_rx();
                Ok(())
            }
            TransitionToComplete::Done => Ok(()),
        }
    }

    /// The sender is dropped without sending: the receiver gets an error.
    pub(super) fn drop_tx(&self) {
        if self.state.transition_to_tx_dropped() == TransitionToComplete::WakeRx {
            self.wake_rx();
        }
    }

    /// Resolves when the receiver closed the channel or was dropped.
    pub(super) fn poll_closed(&self, cx: &mut Context<'_>) -> Poll<()> {
        let state = self.state.load();
        if state.is(CLOSED) {
            return Poll::Ready(());
        }
        if state.is(TX_TASK_SET) {
            // SAFETY: `TX_TASK_SET` is set: the slot is only read, by either side.
            if self.tx_waker.with(|slot| unsafe { will_wake(&*slot, cx.waker()) }) {
                return Poll::Pending;
            }
            if self.state.unset_tx_task().is_err() {
                return Poll::Ready(());
            }
        }
        // SAFETY: `TX_TASK_SET` is clear and only the sender (us) sets it: the receiver
        // reads the slot only after seeing the bit set.
        self.tx_waker
            .with_mut(|slot| unsafe { *slot = Some(cx.waker().clone()) });
        if self.state.set_tx_task().is(CLOSED) {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn wake_rx(&self) {
        // SAFETY: the sender's completing transition saw `RX_TASK_SET` (acquire), so the
        // slot is written; the receiver can no longer clear the bit, so it only reads it.
        self.rx_waker.with(|slot| unsafe { wake_by_ref(&*slot) });
    }

    // ===== receiver side =====

    /// Polls for the value; registers `cx`'s waker while there is none yet.
    pub(super) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let state = self.state.load();
        if state.is_complete() {
            // SAFETY: the sender completed (seen with acquire).
            return Poll::Ready(unsafe { self.take_value(state) });
        }
        if state.is(CLOSED) {
            // Closed and nothing was sent before: nothing ever will be.
            return Poll::Ready(Err(RecvError(())));
        }
        if state.is(RX_TASK_SET) {
            // SAFETY: `RX_TASK_SET` is set: the slot is only read, by either side.
            if self.rx_waker.with(|slot| unsafe { will_wake(&*slot, cx.waker()) }) {
                return Poll::Pending;
            }
            if let Err(state) = self.state.unset_rx_task() {
                // SAFETY: the unset failed because the sender completed (seen with acquire).
                return Poll::Ready(unsafe { self.take_value(state) });
            }
        }
        // SAFETY: `RX_TASK_SET` is clear and only the receiver (us) sets it: the sender
        // reads the slot only after seeing the bit set.
        self.rx_waker
            .with_mut(|slot| unsafe { *slot = Some(cx.waker().clone()) });
        let state = self.state.set_rx_task();
        if state.is_complete() {
            // SAFETY: the sender completed (seen with acquire).
            return Poll::Ready(unsafe { self.take_value(state) });
        }
        Poll::Pending
    }

    /// Closes the channel; wakes a sender waiting in `closed()`. Returns the state before.
    pub(super) fn close(&self) -> Snapshot {
        let prev = self.state.transition_to_closed();
        if prev.is(TX_TASK_SET) && !prev.is(CLOSED) && !prev.is_complete() {
            // SAFETY: `TX_TASK_SET` was set (seen with acquire) when `CLOSED` was set, so
            // the slot is written and the sender can no longer clear the bit: it only
            // reads the slot.
            self.tx_waker.with(|slot| unsafe { wake_by_ref(&*slot) });
        }
        prev
    }

    /// The receiver is dropped: closes the channel and drops a value sent before.
    pub(super) fn drop_rx(&self) {
        let prev = self.close();
        if prev.is(VALUE_SENT) {
            // SAFETY: `prev` came from the acquiring `fetch_or` of `close`, and the
            // receiver is being dropped, so this is the last time it takes the value.
            drop(unsafe { self.take_value(prev) });
        }
    }

    /// Takes the value out of the slot, or the error when the sender was dropped.
    ///
    /// # Safety
    ///
    /// `state` was loaded with acquire ordering (or by an acquiring read-modify-write)
    /// and shows the sender completed; the receiver calls this at most once.
    pub(super) unsafe fn take_value(&self, state: Snapshot) -> Result<T, RecvError> {
        debug_assert!(state.is_complete());
        if !state.is(VALUE_SENT) {
            return Err(RecvError(()));
        }
        // SAFETY: `VALUE_SENT` was seen with acquire: the value is written and the slot
        // is the receiver's (the caller's contract).
        let value = self.value.with_mut(|slot| unsafe { (*slot).take() });
        Ok(value.expect("VALUE_SENT without a value"))
    }
}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("state", &self.state.load())
            .finish_non_exhaustive()
    }
}

/// Whether the stored waker wakes the same task as `waker`.
fn will_wake(slot: &Option<Waker>, waker: &Waker) -> bool {
    slot.as_ref().is_some_and(|stored| stored.will_wake(waker))
}

fn wake_by_ref(slot: &Option<Waker>) {
    if let Some(waker) = slot {
        waker.wake_by_ref();
    }
}
