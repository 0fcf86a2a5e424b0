//! The run's timeline: when the flaky backend fails, how, and when it recovers.
//!
//! Times are offsets from the start of the load. The failure window sits at 40–60 % of
//! the run: its first half answers `503 Service Unavailable`, its second half resets
//! connections (open ones are closed with a TCP RST, new ones are accepted and reset).
//!
//! Why the window is a fifth of the run: the proxy's balancer ejects a failing backend
//! for 1 s, then 2 s, 4 s, 8 s... (±25 %) while each probation request fails
//! (`svc-balance`'s defaults, which the proxy keeps). A window of up to 5 s ends before
//! the third probe (due 5.25–8.75 s after the first ejection), so that probe succeeds
//! and the backend is back in rotation at most about 4 s after it recovered; a window of
//! 6 s or more risks a fourth ejection of 6–10 s, which outlasts a short run.

use std::time::Duration;

/// One of the three parts of a run the final table compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Before the failure window.
    Before,
    /// Inside the failure window.
    During,
    /// After the flaky backend recovered.
    After,
}

impl Phase {
    /// All phases, in order.
    pub(crate) const ALL: [Phase; 3] = [Phase::Before, Phase::During, Phase::After];

    /// The phase's index in [`Phase::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// How the flaky backend behaves at some moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// It answers normally.
    None,
    /// It answers every request with `503 Service Unavailable`.
    Unavailable,
    /// It resets every connection.
    Reset,
}

/// When the failure window opens, switches from 503s to resets, and closes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schedule {
    /// How long the load runs.
    pub(crate) duration: Duration,
    /// The failure window opens (503s from here).
    pub(crate) fail_at: Duration,
    /// Connection resets from here.
    pub(crate) reset_at: Duration,
    /// The flaky backend recovers here.
    pub(crate) recover_at: Duration,
}

impl Schedule {
    /// The schedule of a run of `duration`: failing from 40 %, resets from 50 %,
    /// recovered from 60 %.
    pub(crate) fn new(duration: Duration) -> Schedule {
        Schedule {
            duration,
            fail_at: duration.mul_f64(0.40),
            reset_at: duration.mul_f64(0.50),
            recover_at: duration.mul_f64(0.60),
        }
    }

    /// The phase at `at` (an offset from the start).
    pub(crate) fn phase(&self, at: Duration) -> Phase {
        if at < self.fail_at {
            Phase::Before
        } else if at < self.recover_at {
            Phase::During
        } else {
            Phase::After
        }
    }

    /// How the flaky backend behaves at `at`.
    pub(crate) fn failure(&self, at: Duration) -> Failure {
        if at < self.fail_at || at >= self.recover_at {
            Failure::None
        } else if at < self.reset_at {
            Failure::Unavailable
        } else {
            Failure::Reset
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_of_a_20_s_run() {
        let s = Schedule::new(Duration::from_secs(20));
        assert_eq!(s.fail_at, Duration::from_secs(8));
        assert_eq!(s.reset_at, Duration::from_secs(10));
        assert_eq!(s.recover_at, Duration::from_secs(12));
        assert_eq!(s.phase(Duration::from_millis(7_999)), Phase::Before);
        assert_eq!(s.phase(Duration::from_secs(8)), Phase::During);
        assert_eq!(s.phase(Duration::from_secs(12)), Phase::After);
        assert_eq!(s.failure(Duration::from_secs(9)), Failure::Unavailable);
        assert_eq!(s.failure(Duration::from_secs(11)), Failure::Reset);
        assert_eq!(s.failure(Duration::from_secs(12)), Failure::None);
    }
}
