//! `Interval`: a stream of ticks, one per period.

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::{sleep_until, Instant, MissedTickBehavior, Sleep};

/// A tick later than this after its deadline counts as missed (see
/// [`MissedTickBehavior`]).
const TOLERANCE: Duration = Duration::from_millis(5);

/// Ticks every `period`, the first tick completing at once.
///
/// Same as `interval_at(Instant::now(), period)`. Missed ticks are handled per
/// [`MissedTickBehavior::Burst`] until [`Interval::set_missed_tick_behavior`] says
/// otherwise.
///
/// # Panics
///
/// If `period` is zero (as tokio's `interval`). Polling the interval panics outside an
/// rt-sched runtime with time enabled ("there is no timer running").
///
/// # Examples
///
/// ```
/// use rt_core::time::{interval, Duration};
///
/// async fn heartbeat() {
///     let mut ticks = interval(Duration::from_secs(1));
///     loop {
///         ticks.tick().await; // the first tick completes at once
///         println!("still alive");
///     }
/// }
/// ```
pub fn interval(period: Duration) -> Interval {
    assert!(!period.is_zero(), "`period` must be non-zero");
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero. Polling the interval panics outside an rt-sched runtime with
/// time enabled ("there is no timer running").
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "`period` must be non-zero");
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// A stream of ticks returned by [`interval`] and [`interval_at`].
///
/// Each tick yields the instant it was *scheduled* for (not the possibly later instant
/// at which it was observed). `Interval` is `Unpin`.
///
/// Once the runtime's timer has shut down, every tick completes at once (each still
/// spends cooperative budget, so a loop over `tick` keeps yielding to the scheduler).
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Completes at the next tick and returns the instant it was scheduled for.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future before it completes loses no tick.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; on `Ready`, the next one is scheduled.
    ///
    /// Only the waker of the latest call is woken. Consumes the cooperative budget.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.delay).poll(cx));
        let scheduled = self.delay.deadline();
        let now = self.delay.now();
        let next = if now.saturating_duration_since(scheduled) > TOLERANCE {
            self.missed_tick_behavior.next_deadline(scheduled, now, self.period)
        } else {
            scheduled.saturating_add(self.period)
        };
        self.delay.reset_at(next, now);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        let now = self.delay.now();
        self.delay.reset_at(now.saturating_add(self.period), now);
    }

    /// Restarts the schedule with a tick right away.
    pub fn reset_immediately(&mut self) {
        let now = self.delay.now();
        self.delay.reset_at(now, now);
    }

    /// Restarts the schedule: the next tick is `after` from now.
    pub fn reset_after(&mut self, after: Duration) {
        let now = self.delay.now();
        self.delay.reset_at(now.saturating_add(after), now);
    }

    /// Restarts the schedule: the next tick is at `deadline`.
    pub fn reset_at(&mut self, deadline: Instant) {
        let now = self.delay.now();
        self.delay.reset_at(deadline, now);
    }

    /// The period between ticks.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What the interval does after missing ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets what the interval does after missing ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}
