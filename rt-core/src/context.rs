//! The thread-local runtime context: the task being polled, its cooperative budget,
//! whether this thread is inside a runtime, and the current driver handle.
//!
//! One thread-local holds all of it so a task poll costs one TLS lookup. Scheduler
//! crates keep their own handle in their own thread-local; this one only holds what
//! `rt-core` itself needs: the [`driver::Handle`] through which I/O sources find the
//! reactor and timers find the wheel ([`set_current_handle`]).

use std::cell::{Cell, RefCell};
use std::marker::PhantomData;

use crate::coop::Budget;
use crate::driver;
use crate::task::Id;

pub(crate) struct Context {
    pub(crate) task_id: Cell<Option<Id>>,
    pub(crate) budget: Cell<Budget>,
    runtime_entered: Cell<bool>,
    /// The driver of the runtime this thread runs on (set by the scheduler).
    handle: RefCell<Option<driver::Handle>>,
    /// How many `HandleGuard`s are alive on this thread (to catch out-of-order drops).
    handle_depth: Cell<usize>,
}

#[cfg(not(loom))]
thread_local! {
    static CONTEXT: Context = const {
        Context {
            task_id: Cell::new(None),
            budget: Cell::new(Budget::unconstrained()),
            runtime_entered: Cell::new(false),
            handle: RefCell::new(None),
            handle_depth: Cell::new(0),
        }
    };
}

#[cfg(loom)]
loom::thread_local! {
    static CONTEXT: Context = Context {
        task_id: Cell::new(None),
        budget: Cell::new(Budget::unconstrained()),
        runtime_entered: Cell::new(false),
        handle: RefCell::new(None),
        handle_depth: Cell::new(0),
    };
}

/// Runs `f` with the context, or returns `None` while the thread is being torn down.
pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    CONTEXT.try_with(f).ok()
}

pub(crate) fn current_task_id() -> Option<Id> {
    with(|c| c.task_id.get()).flatten()
}

/// Restores the previous task id and budget when a poll ends (even by unwinding).
pub(crate) struct TaskGuard {
    prev_id: Option<Id>,
    prev_budget: Budget,
}

/// Marks `id` as the running task and gives it a fresh budget.
pub(crate) fn enter_task(id: Id) -> TaskGuard {
    with(|c| TaskGuard {
        prev_id: c.task_id.replace(Some(id)),
        prev_budget: c.budget.replace(Budget::initial()),
    })
    // Lazily: an eagerly built fallback guard would run its `Drop` and undo the entry.
    .unwrap_or_else(|| TaskGuard {
        prev_id: None,
        prev_budget: Budget::unconstrained(),
    })
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let _ = with(|c| {
            c.task_id.set(self.prev_id);
            c.budget.set(self.prev_budget);
        });
    }
}

/// Proof that this thread is inside a runtime; dropping it leaves.
#[derive(Debug)]
pub struct EnterGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

/// Marks the current thread as running a runtime (a worker thread, or a thread inside
/// `block_on`), so that a nested blocking call can be refused.
///
/// Returns `None` when the thread is already inside a runtime: blocking it again
/// would deadlock the outer runtime.
pub fn try_enter_runtime() -> Option<EnterGuard> {
    let entered = with(|c| !c.runtime_entered.replace(true)).unwrap_or(false);
    entered.then_some(EnterGuard {
        _not_send: std::marker::PhantomData,
    })
}

/// Whether the current thread is inside a runtime.
pub fn is_runtime_entered() -> bool {
    with(|c| c.runtime_entered.get()).unwrap_or(false)
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let _ = with(|c| c.runtime_entered.set(false));
    }
}

/// Restores the previous driver handle when dropped; made by [`set_current_handle`].
///
/// Guards nest: each one restores what was current before it was made, so they must be
/// dropped in the reverse order of their creation.
#[derive(Debug)]
#[must_use = "the handle is only current until the guard is dropped"]
pub struct HandleGuard {
    prev: Option<driver::Handle>,
    depth: usize,
    _not_send: PhantomData<*const ()>,
}

/// Makes `handle` the current thread's driver handle until the returned guard is
/// dropped: I/O sources and timers created on this thread register with its driver.
///
/// Schedulers call it on worker threads, inside `block_on`, in `Runtime::enter` and on
/// blocking-pool threads. Calls nest; dropping the guard restores the previous handle.
///
/// # Panics
///
/// When called from inside the closure given to `with_current_handle` (an internal
/// accessor), or while the thread's locals are being destroyed.
pub fn set_current_handle(handle: &driver::Handle) -> HandleGuard {
    with(|c| {
        let prev = c.handle.replace(Some(handle.clone()));
        let depth = c.handle_depth.get() + 1;
        c.handle_depth.set(depth);
        HandleGuard {
            prev,
            depth,
            _not_send: PhantomData,
        }
    })
    .expect("set_current_handle called while the thread's locals are being destroyed")
}

/// A clone of the current thread's driver handle, if a runtime set one (for threads
/// that hand it on, such as a `spawn_blocking` closure's thread).
pub fn current_handle() -> Option<driver::Handle> {
    with(|c| c.handle.borrow().clone()).flatten()
}

/// Runs `f` with the current driver handle, without cloning it.
///
/// `f` must not call [`set_current_handle`] (the handle is borrowed while `f` runs).
pub(crate) fn with_current_handle<R>(f: impl FnOnce(Option<&driver::Handle>) -> R) -> R {
    let mut f = Some(f);
    let out = with(|c| {
        let handle = c.handle.borrow();
        (f.take().expect("called once"))(handle.as_ref())
    });
    match out {
        Some(out) => out,
        // The thread is being torn down: there is no context left.
        None => (f.take().expect("not called yet"))(None),
    }
}

impl Drop for HandleGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let restored = with(|c| {
            let out_of_order = c.handle_depth.get() != self.depth;
            c.handle_depth.set(self.depth - 1);
            (out_of_order, c.handle.replace(prev))
        });
        // The replaced handle is dropped here, after the cell is released.
        if let Some((out_of_order, _replaced)) = restored {
            if out_of_order && !std::thread::panicking() {
                panic!("context::HandleGuard values dropped out of order");
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{current_handle, set_current_handle, with_current_handle};
    use crate::driver::{Config, Driver, Handle};

    fn handle() -> Handle {
        Driver::new(Config::default()).unwrap().1
    }

    fn same(a: Option<&Handle>, b: &Handle) -> bool {
        a.is_some_and(|a| a.shared_ptr() == b.shared_ptr())
    }

    #[test]
    fn no_handle_outside_a_runtime() {
        assert!(current_handle().is_none());
        assert!(with_current_handle(|h| h.is_none()));
    }

    #[test]
    fn guards_nest_and_restore() {
        let (a, b) = (handle(), handle());
        {
            let _ga = set_current_handle(&a);
            assert!(same(current_handle().as_ref(), &a));
            {
                let _gb = set_current_handle(&b);
                assert!(with_current_handle(|h| same(h, &b)));
            }
            assert!(with_current_handle(|h| same(h, &a)));
        }
        assert!(current_handle().is_none());
    }

    #[test]
    fn the_handle_is_per_thread() {
        let a = handle();
        let _g = set_current_handle(&a);
        std::thread::spawn(|| assert!(current_handle().is_none()))
            .join()
            .unwrap();
    }

    #[test]
    #[should_panic(expected = "dropped out of order")]
    fn out_of_order_drop_panics() {
        let (a, b) = (handle(), handle());
        let ga = set_current_handle(&a);
        let gb = set_current_handle(&b);
        drop(ga);
        drop(gb);
    }
}
