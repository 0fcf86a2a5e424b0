//! Cooperative scheduling: a per-poll budget so that one always-ready task cannot
//! starve the others.
//!
//! Each task poll starts with a budget of 128 units. Runtime resources (join handles,
//! channels, sockets, timers) spend one unit each time they make progress; once the
//! budget is gone they return `Pending` and wake the task at once, so it goes back to
//! the run queue and other tasks get their turn.
//!
//! A future that never touches a runtime resource spends nothing; it can call
//! [`consume_budget`] in a hot loop. [`unconstrained`] opts a future out.
//!
//! # Examples
//!
//! ```
//! # async fn work(_: u32) {}
//! async fn crunch(items: Vec<u32>) {
//!     for item in items {
//!         work(item).await;
//!         // Yields to the scheduler once the task's budget is spent.
//!         rt_core::coop::consume_budget().await;
//!     }
//! }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::context;

/// The initial budget of a task poll.
pub const INITIAL_BUDGET: u8 = 128;

/// Units left in the current poll (`None`: unconstrained).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget(Option<u8>);

impl Budget {
    pub(crate) const fn initial() -> Budget {
        Budget(Some(INITIAL_BUDGET))
    }

    pub(crate) const fn unconstrained() -> Budget {
        Budget(None)
    }
}

/// One unit of budget taken by [`poll_proceed`].
///
/// If the operation that took it turns out not to make progress (it returns
/// `Pending`), dropping this without calling [`made_progress`](RestoreOnPending::made_progress)
/// gives the unit back.
#[derive(Debug)]
#[must_use = "call `made_progress` when the operation completes"]
pub struct RestoreOnPending(std::cell::Cell<Budget>);

impl RestoreOnPending {
    /// Keeps the unit spent: the operation made progress.
    pub fn made_progress(&self) {
        self.0.set(Budget::unconstrained());
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        // No progress: give the unit back (restore the budget from before the spend).
        if let Budget(Some(before)) = self.0.get() {
            let _ = context::with(|c| {
                if c.budget.get().0.is_some() {
                    c.budget.set(Budget(Some(before)));
                }
            });
        }
    }
}

/// Spends one unit of the current task's budget.
///
/// Returns `Pending` (after waking the task, so it is polled again soon) when the
/// budget is exhausted. Outside a task, or in an [`unconstrained`] future, always
/// returns `Ready`.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    let before = context::with(|c| {
        let budget = c.budget.get();
        match budget.0 {
            None => Ok(budget),
            Some(0) => Err(()),
            Some(n) => {
                c.budget.set(Budget(Some(n - 1)));
                Ok(budget)
            }
        }
    })
    .unwrap_or(Ok(Budget::unconstrained()));
    match before {
        Ok(budget) => Poll::Ready(RestoreOnPending(std::cell::Cell::new(budget))),
        Err(()) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Whether the current task still has budget left (always `true` outside a task).
pub fn has_budget_remaining() -> bool {
    context::with(|c| c.budget.get().0 != Some(0)).unwrap_or(true)
}

/// Spends one unit of budget, yielding to the scheduler when it is exhausted.
///
/// # Cancel safety
///
/// Cancel safe: nothing is lost when the future is dropped.
pub async fn consume_budget() {
    let mut status = Poll::Pending;
    std::future::poll_fn(move |cx| {
        if status.is_ready() {
            return status;
        }
        status = poll_proceed(cx).map(|restore| restore.made_progress());
        status
    })
    .await;
}

/// Runs `future` without a budget: runtime resources it uses never force it to yield.
///
/// Use it for futures that must not be interrupted (a tight protocol exchange) and
/// that yield on their own; a future that is always ready will starve its worker.
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { future }
}

pin_project_lite::pin_project! {
    /// The future returned by [`unconstrained`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless polled"]
    pub struct Unconstrained<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let prev = context::with(|c| c.budget.replace(Budget::unconstrained()));
        let result = self.project().future.poll(cx);
        if let Some(prev) = prev {
            let _ = context::with(|c| c.budget.set(prev));
        }
        result
    }
}

/// Runs `f` with no budget (for code that must not be forced to yield, such as a
/// blocking closure on the blocking pool), restoring the previous budget after.
pub fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Budget>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(prev) = self.0 {
                let _ = context::with(|c| c.budget.set(prev));
            }
        }
    }
    let _restore = Restore(context::with(|c| c.budget.replace(Budget::unconstrained())));
    f()
}

/// Runs `f` with a fresh budget (as a task poll does), restoring the previous budget
/// after. Schedulers use it for futures they poll outside a task, such as the future
/// given to `block_on`.
pub fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Budget>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(prev) = self.0 {
                let _ = context::with(|c| c.budget.set(prev));
            }
        }
    }
    let _restore = Restore(context::with(|c| c.budget.replace(Budget::initial())));
    f()
}
