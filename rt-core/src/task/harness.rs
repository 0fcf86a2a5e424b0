//! The monomorphised task operations behind the vtable: poll, complete, cancel, read
//! the output, drop the join handle, free.
//!
//! Every function here is entered with the right to touch the fields it uses, as stated
//! in `core.rs`: `RUNNING` for the stage, `JOIN_INTEREST` plus `COMPLETE` for reading
//! the output, the `JOIN_WAKER` handshake for the waker slot.

use std::future::Future;
use std::marker::PhantomData;
use std::mem;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::core::{Cell, Header, Stage, Vtable};
use super::error::JoinError;
use super::state::{TransitionToIdle, TransitionToRunning, TransitionToShutdown, COMPLETE, JOIN_INTEREST, JOIN_WAKER};
use super::{waker, Notified, Schedule, Task};
use crate::context;

/// Namespace for the operations of tasks of future type `F` on scheduler `S`.
pub(crate) struct Harness<F: Future, S>(PhantomData<(F, S)>);

impl<F: Future, S: Schedule> Harness<F, S> {
    pub(crate) const VTABLE: Vtable = Vtable {
        poll: Self::poll,
        schedule: Self::schedule,
        dealloc: Self::dealloc,
        try_read_output: Self::try_read_output,
        drop_join_handle: Self::drop_join_handle,
        shutdown: Self::shutdown,
    };

    /// # Safety
    ///
    /// `ptr` must be a live task of this very type.
    unsafe fn cell<'a>(ptr: NonNull<Header>) -> &'a Cell<F, S> {
        // SAFETY: the header is the first field of the repr(C) cell, and the vtable
        // that led here was built for `Cell<F, S>`; the allocation is live per the caller.
        unsafe { ptr.cast::<Cell<F, S>>().as_ref() }
    }

    /// # Safety
    ///
    /// `ptr` must be a task of this type that holds a notification.
    unsafe fn poll(ptr: NonNull<Header>) {
        // SAFETY: the notification pins the task.
        let cell = unsafe { Self::cell(ptr) };
        match cell.header.state.transition_to_running() {
            // SAFETY: we now hold RUNNING.
            TransitionToRunning::Poll => unsafe { Self::poll_running(ptr) },
            // SAFETY: we now hold RUNNING.
            TransitionToRunning::Cancel => unsafe { Self::cancel(ptr, true) },
            TransitionToRunning::Failed { dealloc } => {
                if dealloc {
                    // SAFETY: nothing references the task any more.
                    unsafe { Self::dealloc(ptr) }
                }
            }
        }
    }

    /// # Safety
    ///
    /// The caller holds `RUNNING` on the task at `ptr`.
    ///
    /// (Functions that may free the task take the raw pointer only: a reference
    /// argument must not outlive the allocation it points into.)
    unsafe fn poll_running(ptr: NonNull<Header>) {
        // SAFETY: RUNNING pins the task.
        let cell = unsafe { Self::cell(ptr) };
        // The waker borrows the task without a reference: RUNNING pins it during the poll.
        // SAFETY: `ptr` is a live task for the whole poll.
        let waker = unsafe { waker::waker_ref(ptr) };
        let mut cx = Context::from_waker(&waker);
        let _enter = context::enter_task(cell.header.id);
        let polled = panic::catch_unwind(AssertUnwindSafe(|| {
            cell.stage.with_mut(|stage| {
                // SAFETY: RUNNING gives exclusive access to the stage.
                match unsafe { &mut *stage } {
                    // SAFETY: the future lives in the task allocation, which never moves.
                    Stage::Running(future) => unsafe { std::pin::Pin::new_unchecked(future) }.poll(&mut cx),
                    _ => unreachable!("polled a task whose future is gone"),
                }
            })
        }));
        drop(_enter);
        let stage = match polled {
            Ok(Poll::Pending) => {
                match cell.header.state.transition_to_idle() {
                    TransitionToIdle::Idle => {}
                    TransitionToIdle::Notified => {
                        // SAFETY: the NOTIFIED bit we were left with is this handle.
                        let notified = unsafe { Notified::from_raw(ptr) };
                        cell.scheduler.yield_now(notified);
                        // Drop the reference the transition took to pin the task while
                        // the scheduler handled it.
                        if cell.header.state.ref_dec() {
                            // SAFETY: that was the last reference.
                            unsafe { Self::dealloc(ptr) };
                        }
                    }
                    // SAFETY: transition_to_idle kept RUNNING for us.
                    TransitionToIdle::Cancelled => unsafe { Self::cancel(ptr, true) },
                }
                return;
            }
            Ok(Poll::Ready(output)) => {
                // SAFETY: RUNNING gives exclusive access to the stage.
                match unsafe { Self::drop_future(cell) } {
                    None => Stage::Finished(output),
                    Some(panic_stage) => panic_stage,
                }
            }
            Err(payload) => {
                // SAFETY: RUNNING gives exclusive access to the stage; a second panic
                // while dropping the future is swallowed, the first one is reported.
                let _ = unsafe { Self::drop_future(cell) };
                Stage::Panicked(payload)
            }
        };
        // SAFETY: we hold RUNNING.
        unsafe { Self::complete(ptr, stage, true) }
    }

    /// Drops the future (or whatever the stage holds), catching a panic from its `Drop`.
    ///
    /// # Safety
    ///
    /// The caller has exclusive access to the stage.
    unsafe fn drop_future(cell: &Cell<F, S>) -> Option<Stage<F>> {
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: exclusive access per the caller's contract.
            cell.stage.with_mut(|stage| unsafe { *stage = Stage::Consumed });
        }));
        result.err().map(Stage::Panicked)
    }

    /// Drops the future of a task whose `RUNNING` bit the caller holds, and completes
    /// it with a cancellation error (or the panic its `Drop` raised). `owns_notified`
    /// as for `State::transition_to_complete`.
    ///
    /// # Safety
    ///
    /// The caller holds `RUNNING`.
    unsafe fn cancel(ptr: NonNull<Header>, owns_notified: bool) {
        // SAFETY: RUNNING pins the task and gives exclusive access to the stage.
        let stage = unsafe { Self::drop_future(Self::cell(ptr)) }.unwrap_or(Stage::Cancelled);
        // SAFETY: we hold RUNNING.
        unsafe { Self::complete(ptr, stage, owns_notified) }
    }

    /// Stores the result, publishes completion, wakes the joiner and leaves the owned list.
    ///
    /// # Safety
    ///
    /// The caller holds `RUNNING` and the future is already dropped.
    unsafe fn complete(ptr: NonNull<Header>, stage: Stage<F>, owns_notified: bool) {
        // SAFETY: RUNNING pins the task, and `transition_to_complete` trades it for a
        // reference held until this function returns.
        let cell = unsafe { Self::cell(ptr) };
        // SAFETY: RUNNING gives exclusive access to the stage (it holds `Consumed`, so
        // this assignment drops nothing).
        cell.stage.with_mut(|s| unsafe { *s = stage });
        let prev = cell.header.state.transition_to_complete(owns_notified);
        // The reference that replaced RUNNING, as a handle: it is dropped last, when this
        // function returns (or unwinds from the join waker or `release`), and may free
        // the task then.
        // SAFETY: `transition_to_complete` took this reference for us.
        let _completing = unsafe { Task::<S>::from_raw(ptr) };
        if !prev.is(JOIN_INTEREST) {
            // Nobody will read the output: drop it here. COMPLETE without JOIN_INTEREST
            // leaves the stage to us.
            // SAFETY: see above.
            let _ = unsafe { Self::drop_future(cell) };
        } else if prev.is(JOIN_WAKER) {
            cell.join_waker.with(|w| {
                // SAFETY: JOIN_WAKER set before COMPLETE hands the slot to this side for
                // reading; the handle can no longer take it back.
                if let Some(waker) = unsafe { &*w } {
                    waker.wake_by_ref();
                }
            });
        }
        // Leave the owned list (`None` when shutdown popped the task already).
        // SAFETY: the task is live and owned by `S`; this borrowed handle is not dropped.
        let this = mem::ManuallyDrop::new(unsafe { Task::<S>::from_raw(ptr) });
        let released = cell.scheduler.release(&this);
        drop(released);
    }

    /// # Safety
    ///
    /// `ptr` is a task of this type whose `NOTIFIED` bit the caller just set.
    unsafe fn schedule(ptr: NonNull<Header>) {
        // SAFETY: the notification pins the task.
        let cell = unsafe { Self::cell(ptr) };
        // SAFETY: the caller's NOTIFIED bit is this handle.
        cell.scheduler.schedule(unsafe { Notified::from_raw(ptr) });
    }

    /// # Safety
    ///
    /// Nothing references the task any more.
    unsafe fn dealloc(ptr: NonNull<Header>) {
        // SAFETY: the task was allocated by `Box<Cell<F, S>>` and is unreferenced.
        drop(unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) });
    }

    /// # Safety
    ///
    /// Called by the task's `JoinHandle<F::Output>`; `dst` points to a
    /// `Poll<Result<F::Output, JoinError>>`.
    unsafe fn try_read_output(ptr: NonNull<Header>, dst: *mut (), waker: &Waker) {
        // SAFETY: the join handle's reference keeps the task live.
        let cell = unsafe { Self::cell(ptr) };
        if Self::can_read_output(cell, waker) {
            let stage = cell.stage.with_mut(|s| {
                // SAFETY: COMPLETE with JOIN_INTEREST hands the stage to the handle.
                mem::replace(unsafe { &mut *s }, Stage::Consumed)
            });
            let output = match stage {
                Stage::Finished(output) => Ok(output),
                Stage::Panicked(payload) => Err(JoinError::panic(cell.header.id, payload)),
                Stage::Cancelled => Err(JoinError::cancelled(cell.header.id)),
                Stage::Running(_) | Stage::Consumed => panic!("`JoinHandle` polled after completion"),
            };
            let dst = dst.cast::<Poll<Result<F::Output, JoinError>>>();
            // SAFETY: the caller passes a valid, initialised `Poll` of this type.
            unsafe { *dst = Poll::Ready(output) };
        }
    }

    /// The join waker handshake. `true` when the output can be read now.
    fn can_read_output(cell: &Cell<F, S>, waker: &Waker) -> bool {
        let state = &cell.header.state;
        let snapshot = state.load();
        if snapshot.is(COMPLETE) {
            return true;
        }
        if snapshot.is(JOIN_WAKER) {
            // The task side may read the slot concurrently; reading it here is fine.
            // SAFETY: shared reads only, and nobody writes while JOIN_WAKER is set.
            let same = cell
                .join_waker
                .with(|w| unsafe { &*w }.as_ref().is_some_and(|w| w.will_wake(waker)));
            if same {
                return false;
            }
            if state.unset_join_waker().is_err() {
                return true;
            }
        }
        // JOIN_WAKER is clear: the slot is ours.
        // SAFETY: only the handle writes the slot, and only while JOIN_WAKER is clear.
        cell.join_waker.with_mut(|w| unsafe { *w = Some(waker.clone()) });
        match state.set_join_waker() {
            Ok(_) => false,
            Err(_) => {
                // Completed before we published the waker: the slot is still ours.
                // SAFETY: as above.
                cell.join_waker.with_mut(|w| unsafe { *w = None });
                true
            }
        }
    }

    /// # Safety
    ///
    /// Called once, by the task's `JoinHandle` being dropped.
    unsafe fn drop_join_handle(ptr: NonNull<Header>) {
        // SAFETY: the join handle's reference keeps the task live.
        let cell = unsafe { Self::cell(ptr) };
        let panic = match cell.header.state.unset_join_interested() {
            // Complete: the output is ours to drop (without unwinding past the ref drop).
            // SAFETY: COMPLETE with JOIN_INTEREST hands the stage to the handle.
            Err(_) => unsafe { Self::drop_future(cell) },
            Ok(_) => {
                // The slot is ours again (JOIN_WAKER was cleared with the interest).
                // SAFETY: only the handle writes the slot, and JOIN_WAKER is clear.
                cell.join_waker.with_mut(|w| unsafe { *w = None });
                None
            }
        };
        if cell.header.state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { Self::dealloc(ptr) };
        }
        if let Some(Stage::Panicked(payload)) = panic {
            panic::resume_unwind(payload);
        }
    }

    /// # Safety
    ///
    /// `ptr` is a task of this type that the caller references (the owned-list entry).
    unsafe fn shutdown(ptr: NonNull<Header>) {
        // SAFETY: the caller's reference keeps the task live.
        let cell = unsafe { Self::cell(ptr) };
        if let TransitionToShutdown::Cancel { queued } = cell.header.state.transition_to_shutdown() {
            // SAFETY: the transition gave us RUNNING. A queued entry keeps its bit.
            unsafe { Self::cancel(ptr, !queued) }
        }
    }
}
