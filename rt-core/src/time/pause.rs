//! Pausing the clock in tests: `pause`, `resume`, `advance`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::handle_lookup::current_time_handle;
use super::TimeHandle;

fn current(what: &str) -> TimeHandle {
    current_time_handle().unwrap_or_else(|| super::no_timer(what))
}

/// Pauses the runtime's clock: [`Instant::now`](super::Instant::now) stops moving, and
/// timers only fire when [`advance`] moves the clock (or, on a runtime with
/// auto-advance, when every task is idle and the runtime jumps to the next timer).
///
/// # Panics
///
/// If called outside an rt-sched runtime with time enabled, if the runtime does not
/// allow pausing (only the current-thread runtime does: a paused clock on a
/// multi-threaded runtime would race the other workers), or if the clock is already
/// paused.
///
/// # Examples
///
/// ```
/// use rt_core::time::{self, sleep, Duration, Instant};
///
/// async fn test_a_timeout() {
///     time::pause();
///     let start = Instant::now();
///     let slow = sleep(Duration::from_secs(3600));
///     time::advance(Duration::from_secs(3600)).await;
///     slow.await; // no real waiting
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// }
/// ```
pub fn pause() {
    current("`time::pause` must be called").clock().pause();
}

/// Resumes a paused clock: time flows again from the paused (and advanced) time.
///
/// # Panics
///
/// If called outside an rt-sched runtime with time enabled, or if the clock is not
/// paused.
pub fn resume() {
    current("`time::resume` must be called").clock().resume();
}

/// Moves a paused clock forward by `duration`, fires the timers now due, and yields
/// once so that the tasks they woke can run.
///
/// # Panics
///
/// If called outside an rt-sched runtime with time enabled, or if the clock is not
/// paused.
///
/// # Cancel safety
///
/// The clock has moved by the time the first poll returns; dropping the future after
/// that only skips the final yield.
pub async fn advance(duration: Duration) {
    let handle = current("`time::advance` must be called");
    handle.clock().advance(duration);
    handle.process();
    YieldOnce(false).await;
}

/// Returns `Pending` once (waking itself), then `Ready`.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
