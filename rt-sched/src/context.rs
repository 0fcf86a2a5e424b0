//! This crate's thread-local context: the runtime handle that `spawn` uses, and the
//! scheduler-specific state of the thread (the worker's core on a multi-thread worker,
//! the driving core inside a current-thread `block_on`).
//!
//! One thread-local for both, so `spawn` from inside a task costs one lookup.

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;

use crate::scheduler;

pub(crate) struct Context {
    /// The handle `Handle::current` returns.
    pub(crate) handle: RefCell<Option<scheduler::Handle>>,
    /// The scheduler context of this thread (type-erased pointer, set by the scheduler
    /// that owns the thread for the duration of its run loop).
    pub(crate) scheduler: Cell<Option<scheduler::ContextPtr>>,
}

#[cfg(not(loom))]
thread_local! {
    static CONTEXT: Context = const {
        Context { handle: RefCell::new(None), scheduler: Cell::new(None) }
    };
}

#[cfg(loom)]
loom::thread_local! {
    static CONTEXT: Context = Context { handle: RefCell::new(None), scheduler: Cell::new(None) };
}

pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    CONTEXT.try_with(f).ok()
}

/// The current handle, if any.
pub(crate) fn current_handle() -> Option<scheduler::Handle> {
    with(|c| c.handle.borrow().clone()).flatten()
}

/// Runs `f` with the current handle without cloning it.
pub(crate) fn with_current_handle<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    let mut f = Some(f);
    match with(|c| (f.take().unwrap())(c.handle.borrow().as_ref())) {
        Some(r) => r,
        None => (f.take().unwrap())(None),
    }
}

/// Restores the previous handle when dropped.
#[derive(Debug)]
pub(crate) struct SetHandleGuard {
    prev: Option<scheduler::Handle>,
    /// The driver handle `rt-core`'s I/O types and timers find (restored first).
    _driver: Option<rt_core::context::HandleGuard>,
    _not_send: PhantomData<*const ()>,
}

/// Makes `handle` the current one until the guard drops, along with its driver (for
/// sockets and timers).
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetHandleGuard {
    let prev = with(|c| c.handle.replace(Some(handle.clone()))).flatten();
    SetHandleGuard {
        prev,
        _driver: handle.driver_handle().map(rt_core::context::set_current_handle),
        _not_send: PhantomData,
    }
}

impl Drop for SetHandleGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = with(|c| *c.handle.borrow_mut() = prev);
    }
}

/// Restores the previous scheduler context when dropped.
pub(crate) struct SetSchedulerGuard {
    prev: Option<scheduler::ContextPtr>,
}

/// Sets the scheduler context of this thread until the guard drops.
pub(crate) fn set_scheduler(ptr: scheduler::ContextPtr) -> SetSchedulerGuard {
    let prev = with(|c| c.scheduler.replace(Some(ptr))).flatten();
    SetSchedulerGuard { prev }
}

impl Drop for SetSchedulerGuard {
    fn drop(&mut self) {
        let _ = with(|c| c.scheduler.set(self.prev));
    }
}

/// The scheduler context of this thread, if any.
pub(crate) fn scheduler() -> Option<scheduler::ContextPtr> {
    with(|c| c.scheduler.get()).flatten()
}
