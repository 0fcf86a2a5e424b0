//! `Timeout`: a future with a deadline.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use super::error::Elapsed;
use super::{sleep, sleep_until, Instant, Sleep};
use crate::coop;

/// Requires `future` to complete within `duration`.
///
/// Resolves to `Ok(output)` if the future completes first, or to `Err(Elapsed)` once the
/// duration has elapsed; the future is then dropped with the [`Timeout`]. The future is
/// polled before the deadline is checked, so one that is ready at once wins even with a
/// zero duration.
///
/// If the runtime's timer shuts down first, the result is `Err` with
/// [`Elapsed::is_shutdown`] set: a timeout never waits forever, and never claims that
/// its future finished.
///
/// # Panics
///
/// Polling the returned future panics if it was created and polled outside an rt-sched
/// runtime with time enabled ("there is no timer running").
///
/// # Cancel safety
///
/// Cancel safe if `future` is.
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot;
/// use rt_core::time::{timeout, Duration};
///
/// async fn receive(rx: oneshot::Receiver<u32>) {
///     match timeout(Duration::from_millis(10), rx).await {
///         Ok(Ok(value)) => println!("got {value}"),
///         Ok(Err(_)) => println!("sender dropped"),
///         Err(_) => println!("did not receive within 10 ms"),
///     }
/// }
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout::new(future.into_future(), sleep(duration))
}

/// Requires `future` to complete before `deadline`; see [`timeout`].
///
/// # Panics
///
/// Polling the returned future panics if it was created and polled outside an rt-sched
/// runtime with time enabled ("there is no timer running").
///
/// # Cancel safety
///
/// Cancel safe if `future` is.
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout::new(future.into_future(), sleep_until(deadline))
}

pin_project_lite::pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Timeout<T> {
        #[pin]
        value: T,
        delay: Sleep,
    }
}

impl<T> Timeout<T> {
    pub(crate) fn new(value: T, delay: Sleep) -> Timeout<T> {
        Timeout { value, delay }
    }

    /// The inner future.
    pub fn get_ref(&self) -> &T {
        &self.value
    }

    /// The inner future, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.value
    }

    /// Consumes the timeout and returns the inner future (the timer is cancelled).
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T: Future> Future for Timeout<T> {
    type Output = Result<T::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let had_budget = coop::has_budget_remaining();
        if let Poll::Ready(output) = this.value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // An inner future that spent the last of the budget must not keep the deadline
        // from firing: then the timer is polled without a budget.
        let delay = Pin::new(&mut *this.delay);
        let fired = if had_budget && !coop::has_budget_remaining() {
            coop::with_unconstrained(|| delay.poll(cx))
        } else {
            delay.poll(cx)
        };
        fired.map(|()| Err(Elapsed::new(this.delay.is_shutdown())))
    }
}
