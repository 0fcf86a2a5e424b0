//! The memory layout of a task: one allocation holding the header, the scheduler handle,
//! the future-or-output stage and the join waker.
//!
//! # Invariants
//!
//! * `Cell` is `repr(C)` with the `Header` first, so a `NonNull<Header>` of a task is
//!   also a pointer to its `Cell` (cast back only by the monomorphised vtable functions,
//!   which know the real `F` and `S`).
//! * `stage` is accessed only by the thread that holds `RUNNING`, or, once `COMPLETE` is
//!   set, by the `JoinHandle` while `JOIN_INTEREST` is set (by the completing thread
//!   otherwise).
//! * `join_waker` is written only by the `JoinHandle` while `JOIN_WAKER` is clear, and
//!   read only by the completing thread while `JOIN_WAKER` is set.
//! * `queue_next` belongs to whichever intrusive queue holds the task's `Notified`
//!   handle; `owned` belongs to the `OwnedTasks` list and is touched under its lock.

use std::any::Any;
use std::future::Future;
use std::ptr::NonNull;
use std::task::Waker;

use super::id::Id;
use super::state::State;
use crate::loom::UnsafeCell;

/// Links of the intrusive owned-tasks list.
#[derive(Default)]
pub(crate) struct Pointers {
    pub(crate) prev: Option<NonNull<Header>>,
    pub(crate) next: Option<NonNull<Header>>,
}

/// The type-erased part at the start of every task.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    /// Next task in an intrusive run queue (the inject queue).
    pub(crate) queue_next: UnsafeCell<Option<NonNull<Header>>>,
    /// Links in the owned-tasks list.
    pub(crate) owned: UnsafeCell<Pointers>,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: Id,
}

/// Where the future lives, then its result.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(F::Output),
    Panicked(Box<dyn Any + Send + 'static>),
    Cancelled,
    Consumed,
}

/// The whole task allocation.
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// Type-erased operations on a task, monomorphised per future and scheduler type.
pub(crate) struct Vtable {
    /// Runs a notified task (consumes the notification).
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Submits a task whose `NOTIFIED` bit the caller just set.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Frees the allocation.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Reads the output into `*mut Poll<Result<T, JoinError>>` or registers the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Drops the join handle's interest and reference.
    pub(crate) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task on behalf of runtime shutdown.
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
}

impl<F: Future, S> Cell<F, S> {
    pub(crate) fn new(future: F, scheduler: S, id: Id, vtable: &'static Vtable) -> Box<Self> {
        Box::new(Cell {
            header: Header {
                state: State::new(),
                queue_next: UnsafeCell::new(None),
                owned: UnsafeCell::new(Pointers::default()),
                vtable,
                id,
            },
            scheduler,
            stage: UnsafeCell::new(Stage::Running(future)),
            join_waker: UnsafeCell::new(None),
        })
    }
}

impl Header {
    /// # Safety
    ///
    /// The caller must have exclusive access to the `queue_next` link (it owns the
    /// task's notification and holds the queue's lock).
    pub(crate) unsafe fn set_next(&self, next: Option<NonNull<Header>>) {
        // SAFETY: exclusive access per the caller's contract.
        self.queue_next.with_mut(|p| unsafe { *p = next });
    }

    /// # Safety
    ///
    /// As for [`Header::set_next`].
    pub(crate) unsafe fn get_next(&self) -> Option<NonNull<Header>> {
        // SAFETY: exclusive access per the caller's contract.
        self.queue_next.with(|p| unsafe { *p })
    }
}
