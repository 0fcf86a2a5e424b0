//! The task state word: lifecycle flags and a reference count packed in one atomic.
//!
//! # Protocol
//!
//! ```text
//!  bit 0  RUNNING        a thread owns the future (polling or cancelling it)
//!  bit 1  COMPLETE       the future is gone; the stage holds the output (or the error)
//!  bit 2  NOTIFIED       the task must be polled again; see below
//!  bit 3  CANCELLED      abort was requested; the next owner of the future drops it
//!  bit 4  JOIN_INTEREST  the `JoinHandle` is alive and may read the output
//!  bit 5  JOIN_WAKER     the join waker slot is written; while set, only the task side reads it
//!  bits 6..              the count of handle references (owned-list entry, `JoinHandle`,
//!                        `AbortHandle`, every `Waker`)
//! ```
//!
//! `NOTIFIED` and `RUNNING` each pin the allocation like a reference: a task is freed only
//! when the count is zero and neither bit is set. This is what lets `wake_by_ref` schedule
//! a task without touching the count: the queue entry it creates is "owned" by the
//! `NOTIFIED` bit, not by a counted reference.
//!
//! * An idle task that is woken gets `NOTIFIED` and is submitted to its scheduler: the
//!   `Notified` handle in the run queue stands for that bit.
//! * A running task that is woken only gets `NOTIFIED`; the thread polling it resubmits
//!   it when the poll returns `Pending` (or clears the bit when the task completes).
//! * A task that is already notified or complete ignores wakes, and so does a running
//!   task with `CANCELLED` set: its owner drops the future when the run ends, so there is
//!   nothing to poll again. This matters when shutdown owns a task that was queued:
//!   `NOTIFIED` then stands for that queue entry alone, and cancelling leaves it to the
//!   entry. A wake that set the bit after the entry was consumed would pin the
//!   allocation forever.
//! * Completing trades `RUNNING` for a reference, held by the completing thread until
//!   it has woken the joiner and left the owned list.
//!
//! So at most one `Notified` handle exists per task at any time: waking never queues a
//! task twice.
#![allow(clippy::unusual_byte_groupings)]

use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};

/// A thread owns the future.
pub(crate) const RUNNING: usize = 1 << 0;
/// The output (or the cancellation / panic error) is stored and the future dropped.
pub(crate) const COMPLETE: usize = 1 << 1;
/// The task is (or is about to be) in a run queue, or must be resubmitted by its runner.
pub(crate) const NOTIFIED: usize = 1 << 2;
/// Abort requested.
pub(crate) const CANCELLED: usize = 1 << 3;
/// The join handle is alive.
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
/// The join waker slot holds a waker owned by the task side.
pub(crate) const JOIN_WAKER: usize = 1 << 5;
/// One handle reference.
pub(crate) const REF_ONE: usize = 1 << 6;
const REF_MASK: usize = !(REF_ONE - 1);
/// Bits that keep the allocation alive besides the reference count.
const PINNED: usize = RUNNING | NOTIFIED;

/// The initial state: notified (the spawner submits it), join interest, and two
/// references (the owned-list entry and the `JoinHandle`).
const INITIAL: usize = NOTIFIED | JOIN_INTEREST | (2 * REF_ONE);

/// The atomic state word of one task.
pub(crate) struct State(AtomicUsize);

/// A copy of the state word.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    pub(crate) fn is(self, flag: usize) -> bool {
        self.0 & flag != 0
    }

    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_ONE.trailing_zeros()
    }

    /// Whether nothing keeps the allocation alive any more.
    pub(crate) fn is_unreferenced(self) -> bool {
        self.0 & (REF_MASK | PINNED) == 0
    }

    /// Whether the owner of the future will drop it when its current run ends: a wake
    /// has nothing to do (see the protocol above).
    fn is_cancelled_while_running(self) -> bool {
        self.is(RUNNING) && self.is(CANCELLED)
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is(RUNNING))
            .field("complete", &self.is(COMPLETE))
            .field("notified", &self.is(NOTIFIED))
            .field("cancelled", &self.is(CANCELLED))
            .field("join_interest", &self.is(JOIN_INTEREST))
            .field("join_waker", &self.is(JOIN_WAKER))
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// Outcome of taking a notified task to run.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// Poll the future.
    Poll,
    /// Abort was requested: drop the future instead of polling it.
    Cancel,
    /// The task is already complete or owned elsewhere; the notification was dropped and
    /// the caller must free the task when `true` (nothing else references it).
    Failed { dealloc: bool },
}

/// Outcome of a poll that returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// Nothing more to do.
    Idle,
    /// Woken while running: the caller holds the notification and must resubmit it,
    /// then drop the one reference this transition added.
    Notified,
    /// Abort was requested while running: the caller still owns the future and drops it.
    Cancelled,
}

/// Outcome of shutting a task down.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToShutdown {
    /// Complete already, or the runner will cancel it when its poll returns.
    Nothing,
    /// The caller took `RUNNING` and must cancel the task; `queued` says whether a
    /// run-queue entry (a `Notified`) still exists for it.
    Cancel { queued: bool },
}

/// Outcome of a wake.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotified {
    /// The caller must submit the task to its scheduler.
    Submit,
    /// Nothing to do (already notified, running or complete).
    DoNothing,
    /// Nothing to do, and the consumed reference was the last: free the task.
    Dealloc,
}

impl State {
    pub(crate) fn new() -> Self {
        State(AtomicUsize::new(INITIAL))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// Applies `f` until the CAS succeeds; `f` returns the new state (or `None` to leave
    /// it as is) and a value to return.
    fn update<R>(&self, mut f: impl FnMut(Snapshot) -> (Option<Snapshot>, R)) -> R {
        let mut current = self.0.load(Acquire);
        loop {
            let (next, result) = f(Snapshot(current));
            let Some(next) = next else { return result };
            match self.0.compare_exchange_weak(current, next.0, AcqRel, Acquire) {
                Ok(_) => return result,
                Err(actual) => current = actual,
            }
        }
    }

    /// The holder of the notification takes the future: `NOTIFIED` becomes `RUNNING`.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.update(|s| {
            debug_assert!(s.is(NOTIFIED), "running a task that is not notified: {s:?}");
            if s.is(RUNNING) || s.is(COMPLETE) {
                // Shutdown took the future (or the task completed) meanwhile: drop the notification.
                let next = Snapshot(s.0 & !NOTIFIED);
                (
                    Some(next),
                    TransitionToRunning::Failed {
                        dealloc: next.is_unreferenced(),
                    },
                )
            } else {
                let next = Snapshot((s.0 & !NOTIFIED) | RUNNING);
                let action = if s.is(CANCELLED) {
                    TransitionToRunning::Cancel
                } else {
                    TransitionToRunning::Poll
                };
                (Some(next), action)
            }
        })
    }

    /// The poll returned `Pending`: release the future unless woken or cancelled meanwhile.
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.update(|s| {
            debug_assert!(s.is(RUNNING) && !s.is(COMPLETE));
            if s.is(CANCELLED) {
                (None, TransitionToIdle::Cancelled)
            } else if s.is(NOTIFIED) {
                // Take a reference for the duration of the resubmission: once RUNNING
                // is gone, another thread may run and finish the task at once.
                (Some(Snapshot((s.0 & !RUNNING) + REF_ONE)), TransitionToIdle::Notified)
            } else {
                (Some(Snapshot(s.0 & !RUNNING)), TransitionToIdle::Idle)
            }
        })
    }

    /// The output is stored: the task is complete. Trades `RUNNING` for a reference,
    /// which the caller drops when it is done with the task, and returns the state
    /// before.
    ///
    /// The completing thread still wakes the joiner and calls `release` after this, and
    /// `RUNNING` stops pinning the task here: the owned-list reference may be gone
    /// already (shutdown popped the task during its poll), and the `JoinHandle` may
    /// drop the last one as soon as it sees `COMPLETE`.
    ///
    /// `owns_notified` says whether a `NOTIFIED` bit seen now belongs to the runner (it
    /// was set by a wake during the run and nobody will submit it) and is cleared with
    /// it. It is `false` only when shutdown took a task that sat in a run queue: the bit
    /// then stands for that queue entry, which clears it when it is popped or dropped.
    pub(crate) fn transition_to_complete(&self, owns_notified: bool) -> Snapshot {
        let clear = if owns_notified { RUNNING | NOTIFIED } else { RUNNING };
        self.update(|s| {
            debug_assert!(s.is(RUNNING) && !s.is(COMPLETE));
            (Some(Snapshot(((s.0 & !clear) | COMPLETE) + REF_ONE)), s)
        })
    }

    /// Wake by reference: no reference is consumed.
    pub(crate) fn transition_to_notified_by_ref(&self) -> TransitionToNotified {
        self.update(|s| {
            if s.is(COMPLETE) || s.is(NOTIFIED) || s.is_cancelled_while_running() {
                (None, TransitionToNotified::DoNothing)
            } else if s.is(RUNNING) {
                (Some(Snapshot(s.0 | NOTIFIED)), TransitionToNotified::DoNothing)
            } else {
                (Some(Snapshot(s.0 | NOTIFIED)), TransitionToNotified::Submit)
            }
        })
    }

    /// Wake by value: consumes one reference (the waker's) in the same step, except on
    /// `Submit`, where the caller drops it after submitting (it pins the task meanwhile).
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotified {
        self.update(|s| {
            debug_assert!(s.ref_count() > 0);
            let dropped = s.0 - REF_ONE;
            if s.is(COMPLETE) || s.is(NOTIFIED) || s.is_cancelled_while_running() {
                let next = Snapshot(dropped);
                let action = if next.is_unreferenced() {
                    TransitionToNotified::Dealloc
                } else {
                    TransitionToNotified::DoNothing
                };
                (Some(next), action)
            } else if s.is(RUNNING) {
                (Some(Snapshot(dropped | NOTIFIED)), TransitionToNotified::DoNothing)
            } else {
                // Keep the waker's reference while submitting; the caller drops it after.
                (Some(Snapshot(s.0 | NOTIFIED)), TransitionToNotified::Submit)
            }
        })
    }

    /// Requests cancellation from a handle (`abort`). Returns `Submit` when the task was
    /// idle: it is now notified and must be submitted so a worker drops its future.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> TransitionToNotified {
        self.update(|s| {
            if s.is(COMPLETE) || s.is(CANCELLED) {
                (None, TransitionToNotified::DoNothing)
            } else if s.is(RUNNING) || s.is(NOTIFIED) {
                // The runner (or whoever runs the queued notification) sees CANCELLED.
                (Some(Snapshot(s.0 | CANCELLED)), TransitionToNotified::DoNothing)
            } else {
                (Some(Snapshot(s.0 | CANCELLED | NOTIFIED)), TransitionToNotified::Submit)
            }
        })
    }

    /// Shutdown takes the future wherever the task is: sets `CANCELLED` and, if nobody runs
    /// the task and it is not complete, `RUNNING`, so the caller must cancel it.
    pub(crate) fn transition_to_shutdown(&self) -> TransitionToShutdown {
        self.update(|s| {
            if s.is(COMPLETE) {
                (None, TransitionToShutdown::Nothing)
            } else if s.is(RUNNING) {
                (Some(Snapshot(s.0 | CANCELLED)), TransitionToShutdown::Nothing)
            } else {
                let queued = s.is(NOTIFIED);
                (
                    Some(Snapshot(s.0 | CANCELLED | RUNNING)),
                    TransitionToShutdown::Cancel { queued },
                )
            }
        })
    }

    /// Drops a queued notification without running it. Returns `true` when the task
    /// must be freed.
    pub(crate) fn drop_notification(&self) -> bool {
        let prev = Snapshot(self.0.fetch_and(!NOTIFIED, AcqRel));
        debug_assert!(prev.is(NOTIFIED));
        Snapshot(prev.0 & !NOTIFIED).is_unreferenced()
    }

    /// Clears `JOIN_INTEREST` if the task is not complete. `Err` means it is complete and
    /// the handle must drop the output itself.
    pub(crate) fn unset_join_interested(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is(JOIN_INTEREST));
            if s.is(COMPLETE) {
                (None, Err(s))
            } else {
                let next = Snapshot(s.0 & !(JOIN_INTEREST | JOIN_WAKER));
                (Some(next), Ok(next))
            }
        })
    }

    /// Publishes the join waker the handle just wrote. `Err` means the task completed
    /// first: the handle still owns the slot and reads the output instead.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is(JOIN_INTEREST) && !s.is(JOIN_WAKER));
            if s.is(COMPLETE) {
                (None, Err(s))
            } else {
                let next = Snapshot(s.0 | JOIN_WAKER);
                (Some(next), Ok(next))
            }
        })
    }

    /// Takes the join waker slot back from the task side to replace the waker. `Err`
    /// means the task completed first.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is(JOIN_INTEREST) && s.is(JOIN_WAKER));
            if s.is(COMPLETE) {
                (None, Err(s))
            } else {
                let next = Snapshot(s.0 & !JOIN_WAKER);
                (Some(next), Ok(next))
            }
        })
    }

    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        // Overflowing the count would free a live task; abort like `Arc` does.
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops one reference; `true` when the task must be freed.
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.0.fetch_sub(REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= 1);
        Snapshot(prev.0 - REF_ONE).is_unreferenced()
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn spawn_run_idle_wake() {
        let s = State::new();
        assert_eq!(s.load().ref_count(), 2);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Poll);
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Idle);
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::Submit);
        // A second wake while queued does nothing: no double queueing.
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        assert_eq!(s.load().ref_count(), 2);
    }

    #[test]
    fn wake_while_running_resubmits_once() {
        let s = State::new();
        let _ = s.transition_to_running();
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Notified);
        assert!(s.load().is(NOTIFIED) && !s.load().is(RUNNING));
        assert_eq!(s.load().ref_count(), 3, "a reference is held while resubmitting");
        assert!(!s.ref_dec());
    }

    #[test]
    fn wake_after_complete_is_noop() {
        let s = State::new();
        let _ = s.transition_to_running();
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        let prev = s.transition_to_complete(true);
        assert!(prev.is(JOIN_INTEREST) && prev.is(NOTIFIED));
        assert!(!s.load().is(NOTIFIED), "completion drops the pending notification");
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        assert!(!s.load().is(NOTIFIED));
        assert!(!s.ref_dec()); // owned-list entry
        assert!(!s.ref_dec()); // join handle
        assert!(s.ref_dec()); // the completing thread's: last reference
    }

    #[test]
    fn last_waker_after_complete_deallocs() {
        let s = State::new();
        let _ = s.transition_to_running();
        s.ref_inc(); // a waker: 3 refs
        let _ = s.transition_to_complete(true);
        assert!(!s.ref_dec()); // the completing thread's
        assert!(!s.ref_dec()); // owned-list entry
        assert!(s.unset_join_interested().is_err());
        assert!(!s.ref_dec()); // join handle
        assert_eq!(s.transition_to_notified_by_val(), TransitionToNotified::Dealloc);
    }

    #[test]
    fn abort_idle_task_submits_it_once() {
        let s = State::new();
        let _ = s.transition_to_running();
        let _ = s.transition_to_idle();
        assert_eq!(s.transition_to_notified_and_cancel(), TransitionToNotified::Submit);
        assert_eq!(s.transition_to_notified_and_cancel(), TransitionToNotified::DoNothing);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Cancel);
    }

    #[test]
    fn shutdown_steals_queued_task() {
        let s = State::new();
        assert_eq!(
            s.transition_to_shutdown(),
            TransitionToShutdown::Cancel { queued: true }
        );
        let _ = s.transition_to_complete(false);
        assert!(s.load().is(NOTIFIED), "the queue entry still owns its bit");
        // The queued notification now fails and is dropped.
        assert_eq!(
            s.transition_to_running(),
            TransitionToRunning::Failed { dealloc: false }
        );
        assert!(!s.load().is(NOTIFIED));
    }

    #[test]
    fn wake_while_shutdown_cancels_is_noop() {
        let s = State::new();
        let shutdown = s.transition_to_shutdown();
        assert_eq!(shutdown, TransitionToShutdown::Cancel { queued: true });
        // The queued notification is popped and fails ...
        let failed = s.transition_to_running();
        assert_eq!(failed, TransitionToRunning::Failed { dealloc: false });
        // ... then wakes arrive while shutdown still owns the future.
        assert_eq!(s.transition_to_notified_by_ref(), TransitionToNotified::DoNothing);
        s.ref_inc();
        assert_eq!(s.transition_to_notified_by_val(), TransitionToNotified::DoNothing);
        let _ = s.transition_to_complete(false);
        assert!(!s.load().is(NOTIFIED), "no wake re-set the bit");
        assert!(!s.ref_dec()); // the completing thread's
        assert!(!s.ref_dec()); // owned-list entry
        assert!(s.ref_dec()); // join handle: freed
    }

    #[test]
    fn notified_bit_pins_allocation() {
        let s = State::new();
        assert!(!s.ref_dec());
        assert!(!s.ref_dec()); // refs are zero but NOTIFIED still pins
        assert!(s.drop_notification());
    }
}
