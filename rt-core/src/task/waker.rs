//! The raw waker vtable: a `Waker` of a task is the task pointer itself.
//!
//! * `clone` adds a reference; `drop` removes one.
//! * `wake_by_ref` sets `NOTIFIED` and submits an idle task without touching the count
//!   (the notification is owned by the bit; see `state.rs`).
//! * `wake` does the same and consumes the waker's reference, in the same atomic step
//!   when no submission is needed.
//!
//! The waker given to the future during a poll is borrowed: it holds no reference, as
//! the `RUNNING` bit keeps the task alive for the poll.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::core::Header;
use super::state::TransitionToNotified;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker borrowing the task (no reference taken).
///
/// # Safety
///
/// The task must stay live while the returned waker (not its clones) is used.
pub(crate) unsafe fn waker_ref(ptr: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable's functions uphold the `RawWaker` contract for task pointers;
    // `ManuallyDrop` keeps this borrowed waker from dropping a reference it never took.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw(ptr)) })
}

fn raw(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr().cast_const().cast(), &VTABLE)
}

/// # Safety
///
/// `data` is a live task pointer.
unsafe fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: per the caller's contract.
    unsafe { &*data.cast::<Header>() }
}

fn task_ptr(data: *const ()) -> NonNull<Header> {
    // The pointer came from a `NonNull<Header>` in `raw`.
    NonNull::new(data.cast_mut().cast::<Header>()).expect("null task waker")
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned keeps the task live.
    unsafe { header(data) }.state.ref_inc();
    raw(task_ptr(data))
}

unsafe fn wake(data: *const ()) {
    let ptr = task_ptr(data);
    // SAFETY: this waker's reference keeps the task live until consumed below.
    let header = unsafe { header(data) };
    match header.state.transition_to_notified_by_val() {
        TransitionToNotified::Submit => {
            // SAFETY: we set NOTIFIED; our reference pins the task during submission.
            unsafe { (header.vtable.schedule)(ptr) };
            if header.state.ref_dec() {
                // SAFETY: that was the last reference.
                unsafe { (header.vtable.dealloc)(ptr) };
            }
        }
        TransitionToNotified::DoNothing => {}
        // SAFETY: the transition consumed the last reference.
        TransitionToNotified::Dealloc => unsafe { (header.vtable.dealloc)(ptr) },
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the borrowed waker keeps the task live for this call.
    let header = unsafe { header(data) };
    if header.state.transition_to_notified_by_ref() == TransitionToNotified::Submit {
        // SAFETY: we set NOTIFIED; the caller's waker pins the task during submission.
        unsafe { (header.vtable.schedule)(task_ptr(data)) };
    }
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: this waker's reference keeps the task live until dropped here.
    let header = unsafe { header(data) };
    if header.state.ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(task_ptr(data)) };
    }
}
