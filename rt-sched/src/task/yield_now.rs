//! `yield_now`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Yields to the scheduler: the task goes to the back of the run queue and other
/// ready tasks run before it continues.
///
/// # Cancel safety
///
/// Cancel safe.
///
/// # Examples
///
/// ```
/// # rt_sched::Runtime::new().unwrap().block_on(async {
/// for _ in 0..3 {
///     rt_sched::task::yield_now().await;
/// }
/// # });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await;
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Woken during its own poll, the task is resubmitted behind the queue (the
        // scheduler's `yield_now` path), not into the LIFO slot.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
