//! Tasks: the unit of work a scheduler runs.
//!
//! A spawned future lives in exactly **one heap allocation**: a header (an atomic state
//! word with lifecycle flags and a reference count, a vtable pointer, an intrusive
//! run-queue link, owned-list links and the task id), the scheduler handle, the future
//! (replaced by its output when it completes) and the join waker. There is no `Arc` per
//! task: handles and wakers are the task pointer, counted in the state word.
//!
//! # For users
//!
//! [`JoinHandle`], [`AbortHandle`], [`JoinError`] and [`Id`] are what spawning returns
//! (the spawning functions live in `rt-sched`). [`id`] / [`try_id`] give the current
//! task's id.
//!
//! # For scheduler implementations
//!
//! A scheduler implements [`Schedule`] and creates tasks with [`new_task`], which
//! returns three handles:
//!
//! * a [`Task`], the scheduler's own reference, bound into an [`OwnedTasks`] list so
//!   that shutdown can cancel every live task;
//! * a [`Notified`], the task's single "please poll me" token, pushed to a run queue
//!   and consumed by [`Notified::run`];
//! * the [`JoinHandle`] for the caller.
//!
//! Wakers call [`Schedule::schedule`] with a fresh `Notified` when an idle task is
//! woken; a task woken while it runs is resubmitted through [`Schedule::yield_now`]
//! after its poll. At most one `Notified` exists per task at any time. When the task
//! completes, [`Schedule::release`] takes it out of the owned list.
//!
//! [`Inject`] is an intrusive, allocation-free FIFO of `Notified` handles for the
//! queues shared between threads.

mod abort;
mod core;
mod error;
mod harness;
mod id;
mod inject;
mod join;
mod list;
mod raw;
mod state;
mod waker;

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;

pub use abort::AbortHandle;
pub use error::JoinError;
pub use id::Id;
pub use inject::Inject;
pub use join::JoinHandle;
pub use list::OwnedTasks;

use self::core::{Cell, Header};
use harness::Harness;
pub(crate) use raw::RawTask;

/// The id of the task being polled on this thread.
///
/// # Panics
///
/// When called outside a task; see [`try_id`].
#[track_caller]
pub fn id() -> Id {
    try_id().expect("`task::id()` called outside of a task")
}

/// The id of the task being polled on this thread, or `None` outside a task.
pub fn try_id() -> Option<Id> {
    crate::context::current_task_id()
}

/// What a scheduler provides to its tasks.
///
/// The scheduler handle `Self` is stored in every task (keep it one pointer wide, such
/// as an `Arc` of the scheduler's shared state), and the methods may be called from
/// any thread: a waker can fire anywhere.
pub trait Schedule: Sized + Send + Sync + 'static {
    /// Queues a task that was woken (or aborted) while idle.
    fn schedule(&self, task: Notified<Self>);

    /// Queues a task that was woken during its own poll (it yielded). The default
    /// queues it like [`schedule`](Schedule::schedule); a scheduler may put it behind
    /// other work to let it run.
    fn yield_now(&self, task: Notified<Self>) {
        self.schedule(task);
    }

    /// The task completed: remove it from the owned list and return the list's
    /// reference, or `None` when it is not in the list (shutdown popped it).
    fn release(&self, task: &Task<Self>) -> Option<Task<Self>>;
}

/// The scheduler's own reference to a task: the entry of its [`OwnedTasks`] list.
pub struct Task<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

/// The notification of a task: owning it is the right and duty to poll the task once.
///
/// Dropping it without [`run`](Notified::run) simply forgets the notification (the
/// task is not polled; shutdown still cancels it through its [`Task`]).
pub struct Notified<S: 'static> {
    raw: RawTask,
    _scheduler: PhantomData<S>,
}

// SAFETY: a task's handles only touch its atomic state word, or run the future through
// the vtable. Tasks of `!Send` futures are only made by `new_local_task`, whose caller
// promises to move neither handle off the owning thread.
unsafe impl<S> Send for Task<S> {}
// SAFETY: as above; `&Task` only reads the id and the state word.
unsafe impl<S> Sync for Task<S> {}
// SAFETY: as for `Task`.
unsafe impl<S> Send for Notified<S> {}

/// Creates a task for `future`, run by `scheduler`.
///
/// The returned [`Notified`] must be submitted (usually after binding the [`Task`]
/// with [`OwnedTasks::bind`]).
pub fn new_task<F, S>(future: F, scheduler: S) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    // SAFETY: the future and its output are `Send`, so the handles may go anywhere.
    unsafe { new_local_task(future, scheduler) }
}

/// Creates a task for a future that is not `Send`.
///
/// # Safety
///
/// The returned [`Task`] and [`Notified`] (and every `Notified` the scheduler receives
/// for this task later) must only be run, shut down or dropped on the thread that
/// called this function; a scheduler that gets one on another thread must send it
/// back to that thread first (wakers may fire anywhere).
///
/// The task must also be bound (with [`OwnedTasks::bind`], which cancels it at once if
/// the list is closed) on this thread before any of its handles leaves it, and the list
/// must be shut down on this thread: otherwise the last reference, dropped by a waker or
/// a `JoinHandle` elsewhere, could drop the `!Send` future on another thread.
pub unsafe fn new_local_task<F, S>(future: F, scheduler: S) -> (Task<S>, Notified<S>, JoinHandle<F::Output>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    let cell = Cell::new(future, scheduler, Id::next(), &Harness::<F, S>::VTABLE);
    let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
    let raw = RawTask::from_ptr(ptr);
    // The initial state holds the notification and two references: the owned-list
    // entry and the join handle.
    let task = Task {
        raw,
        _scheduler: PhantomData,
    };
    let notified = Notified {
        raw,
        _scheduler: PhantomData,
    };
    // SAFETY: the join handle's reference is part of the initial state.
    let join = unsafe { JoinHandle::new(raw) };
    (task, notified, join)
}

impl<S: 'static> Task<S> {
    /// # Safety
    ///
    /// `ptr` is a task of scheduler `S` and the new handle owns one of its references.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Task<S> {
        Task {
            raw: RawTask::from_ptr(ptr),
            _scheduler: PhantomData,
        }
    }

    pub(crate) fn into_raw(self) -> RawTask {
        ManuallyDrop::new(self).raw
    }

    pub(crate) fn header_ptr(&self) -> NonNull<Header> {
        self.raw.ptr()
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }

    /// Cancels the task on behalf of runtime shutdown: if nobody is running it, its
    /// future is dropped right here and its `JoinHandle` gets a cancelled error; if it
    /// is running, its future is dropped when the poll returns `Pending` (a poll that
    /// returns `Ready` keeps its output).
    pub fn shutdown(self) {
        let raw = self.raw;
        // SAFETY: `self` holds a reference until it is dropped after the call.
        unsafe { raw.shutdown() };
        drop(self);
    }
}

impl<S: 'static> Drop for Task<S> {
    fn drop(&mut self) {
        // SAFETY: the handle's reference is given up exactly once, here.
        unsafe { self.raw.drop_reference() };
    }
}

impl<S: 'static> Notified<S> {
    /// # Safety
    ///
    /// `ptr` is a task of scheduler `S` whose `NOTIFIED` bit the new handle now owns.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> Notified<S> {
        Notified {
            raw: RawTask::from_ptr(ptr),
            _scheduler: PhantomData,
        }
    }

    pub(crate) fn into_raw(self) -> RawTask {
        ManuallyDrop::new(self).raw
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }

    /// Polls the task once (or drops its future when it was aborted). The future runs
    /// with a fresh cooperative budget and panics are caught into its `JoinHandle`.
    pub fn run(self) {
        let raw = self.into_raw();
        // SAFETY: the notification is given up to `poll`.
        unsafe { raw.poll() };
    }
}

impl<S: 'static> Drop for Notified<S> {
    fn drop(&mut self) {
        // SAFETY: the notification is given up exactly once, here.
        unsafe { self.raw.drop_notification() };
    }
}

impl<S: 'static> fmt::Debug for Task<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task").field("id", &self.id()).finish()
    }
}

impl<S: 'static> fmt::Debug for Notified<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").field("id", &self.id()).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
