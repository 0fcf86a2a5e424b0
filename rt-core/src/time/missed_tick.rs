//! `MissedTickBehavior`: what an [`Interval`](super::Interval) does after falling behind.

use std::time::Duration;

use super::Instant;

/// What an [`Interval`](super::Interval) does when ticks were missed: the task did not
/// call [`tick`](super::Interval::tick) for longer than a period (it was busy, or the
/// runtime was), so one or more deadlines passed unobserved.
///
/// A tick counts as missed when it is observed more than 5 ms after its deadline; a
/// smaller delay is ordinary timer lateness and never changes the schedule.
///
/// Example: period 50 ms, ticks due at 0, 50, 100, 150 ms...; the tick due at 100 ms is
/// only observed at 230 ms.
///
/// | behavior | ticks after that (ms) |
/// | --- | --- |
/// | `Burst` | 150 and 200 at once (as soon as polled), then 250, 300, ... |
/// | `Delay` | 280, 330, 380, ... (one period after the late tick) |
/// | `Skip`  | 250, 300, 350, ... (the next multiple of the period on the original schedule) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Ticks as fast as it can until it has caught up with the original schedule (the
    /// default). Keeps the total number of ticks over time; bursts after a stall.
    #[default]
    Burst,
    /// Restarts the schedule from the late tick: the next tick is one period after the
    /// moment the late one was observed. Keeps ticks at least a period apart.
    Delay,
    /// Skips the missed ticks: the next tick is the next deadline of the original
    /// schedule that is still in the future. Keeps ticks aligned to the schedule.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline of the tick after one that was due at `missed` and observed at `now`
    /// (`now` is more than the tolerance after `missed`).
    pub(crate) fn next_deadline(self, missed: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => missed.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let behind = now.saturating_duration_since(missed).as_nanos() % period.as_nanos();
                // `behind < period`, which is a `Duration`: it fits in 64-bit nanoseconds
                // unless the period is over 584 years.
                let behind = Duration::from_nanos(u64::try_from(behind).unwrap_or(u64::MAX));
                now.saturating_add(period.saturating_sub(behind))
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn next_deadlines_match_the_table() {
        let t0 = Instant::from_std(std::time::Instant::now());
        let ms = Duration::from_millis;
        let (missed, now, period) = (t0 + ms(100), t0 + ms(230), ms(50));
        assert_eq!(
            MissedTickBehavior::Burst.next_deadline(missed, now, period),
            t0 + ms(150)
        );
        assert_eq!(
            MissedTickBehavior::Delay.next_deadline(missed, now, period),
            t0 + ms(280)
        );
        assert_eq!(
            MissedTickBehavior::Skip.next_deadline(missed, now, period),
            t0 + ms(250)
        );
        // Exactly on a later tick of the schedule: the one after it.
        let now = t0 + ms(200);
        assert_eq!(
            MissedTickBehavior::Skip.next_deadline(missed, now, period),
            t0 + ms(250)
        );
        assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
    }
}
