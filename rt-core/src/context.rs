//! The thread-local runtime context: the task being polled, its cooperative budget,
//! and whether this thread is inside a runtime.
//!
//! One thread-local holds all of it so a task poll costs one TLS lookup. Scheduler
//! crates keep their own handle in their own thread-local; this one only holds what
//! `rt-core` itself needs.

use std::cell::Cell;

use crate::coop::Budget;
use crate::task::Id;

pub(crate) struct Context {
    pub(crate) task_id: Cell<Option<Id>>,
    pub(crate) budget: Cell<Budget>,
    runtime_entered: Cell<bool>,
}

#[cfg(not(loom))]
thread_local! {
    static CONTEXT: Context = const {
        Context {
            task_id: Cell::new(None),
            budget: Cell::new(Budget::unconstrained()),
            runtime_entered: Cell::new(false),
        }
    };
}

#[cfg(loom)]
loom::thread_local! {
    static CONTEXT: Context = Context {
        task_id: Cell::new(None),
        budget: Cell::new(Budget::unconstrained()),
        runtime_entered: Cell::new(false),
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
