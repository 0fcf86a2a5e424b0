//! `JoinHandle`: the awaitable result of a spawned task.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::{AbortHandle, Id, JoinError, RawTask};
use crate::coop;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] when the task panicked or was
/// cancelled. Dropping it *detaches* the task: the task keeps running and its output
/// is dropped when it completes.
///
/// # Cancel safety
///
/// Awaiting a `JoinHandle` is cancel safe: dropping the `.await` before it resolves
/// loses nothing, and the handle may be polled again later.
///
/// # Panics
///
/// Polling the handle again after it returned `Ready` panics.
///
/// # Examples
///
/// ```ignore
/// let handle = rt_sched::spawn(async { 6 * 7 });
/// assert_eq!(handle.await.unwrap(), 42);
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves the output out of the task, so sending it across
// threads is sound when the output may be sent.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` only allows `abort`, `is_finished` and `id`, which touch the
// atomic state word, never the output.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    ///
    /// `raw` carries the join-handle reference of a task whose output type is `T`.
    pub(crate) unsafe fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Requests cancellation of the task.
    ///
    /// An idle task is dropped on its scheduler soon after; a running task at its next
    /// `.await` that returns `Pending`. Awaiting the handle then returns a cancelled
    /// [`JoinError`], unless the task completed first. Aborting a finished task does
    /// nothing.
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has completed (with an output, a panic or a cancellation).
    pub fn is_finished(&self) -> bool {
        self.raw.is_complete()
    }

    /// A handle that can abort the task without owning its output.
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        // SAFETY: we just took a reference for the new handle.
        unsafe { AbortHandle::new(self.raw) }
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Awaiting a handle in a loop must not starve other tasks.
        let coop = std::task::ready!(coop::poll_proceed(cx));
        let mut out = Poll::Pending;
        // SAFETY: `out` is a `Poll<Result<T, JoinError>>` and `T` is this task's output.
        unsafe { self.raw.try_read_output((&raw mut out).cast(), cx.waker()) };
        if out.is_ready() {
            coop.made_progress();
        }
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: the handle's reference is given up exactly once, here.
        unsafe { self.raw.drop_join_handle() };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").field("id", &self.id()).finish()
    }
}
