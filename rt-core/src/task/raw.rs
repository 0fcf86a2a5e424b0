//! `RawTask`: an untyped, copyable pointer to a task, and the operations every handle
//! shares. Reference ownership is tracked by the handles that wrap it, not by this type.

use std::ptr::NonNull;
use std::task::Waker;

use super::core::Header;
use super::state::{TransitionToNotified, COMPLETE};
use super::Id;

#[derive(Clone, Copy)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    pub(crate) fn from_ptr(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: every `RawTask` is wrapped by a handle that keeps the task live for
        // at least as long as this borrow of the handle.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    pub(crate) fn is_complete(&self) -> bool {
        self.header().state.load().is(COMPLETE)
    }

    pub(crate) fn ref_inc(&self) {
        self.header().state.ref_inc();
    }

    /// # Safety
    ///
    /// The caller gives up one reference it owns.
    pub(crate) unsafe fn drop_reference(self) {
        if self.header().state.ref_dec() {
            // SAFETY: that was the last reference.
            unsafe { (self.header().vtable.dealloc)(self.ptr) };
        }
    }

    /// Runs the task.
    ///
    /// # Safety
    ///
    /// The caller owns the task's notification and gives it up.
    pub(crate) unsafe fn poll(self) {
        // SAFETY: per the caller's contract.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// Drops a notification without running it.
    ///
    /// # Safety
    ///
    /// The caller owns the task's notification and gives it up.
    pub(crate) unsafe fn drop_notification(self) {
        if self.header().state.drop_notification() {
            // SAFETY: nothing references the task any more.
            unsafe { (self.header().vtable.dealloc)(self.ptr) };
        }
    }

    /// # Safety
    ///
    /// The caller holds a reference (the owned-list entry) for the whole call.
    pub(crate) unsafe fn shutdown(self) {
        // SAFETY: per the caller's contract.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// Requests cancellation; an idle task is submitted to its scheduler to be dropped
    /// there. The caller's handle keeps the task live during the submission.
    pub(crate) fn remote_abort(&self) {
        if self.header().state.transition_to_notified_and_cancel() == TransitionToNotified::Submit {
            // SAFETY: we set NOTIFIED; the caller's reference pins the task meanwhile.
            unsafe { (self.header().vtable.schedule)(self.ptr) };
        }
    }

    /// # Safety
    ///
    /// `dst` points to a `Poll<Result<T, JoinError>>` of the task's output type, and the
    /// caller is the task's `JoinHandle`.
    pub(crate) unsafe fn try_read_output(&self, dst: *mut (), waker: &Waker) {
        // SAFETY: per the caller's contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    ///
    /// Called once, by the task's `JoinHandle`.
    pub(crate) unsafe fn drop_join_handle(self) {
        // SAFETY: per the caller's contract.
        unsafe { (self.header().vtable.drop_join_handle)(self.ptr) }
    }
}
