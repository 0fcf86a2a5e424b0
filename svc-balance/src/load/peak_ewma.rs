//! [`PeakEwma`]: a peak-sensitive moving average of round-trip times, times the
//! requests in flight.
//!
//! # Concurrency
//!
//! Two atomics, no lock: `estimate` (the estimate in nanoseconds, as `f64` bits,
//! updated by a compare-and-swap loop) and `stamp` (the time of the newest sample, moved
//! forward with `fetch_max`, so concurrent samples never move it back). The requests in
//! flight are counted by the balancer and passed to `cost`.
//! A sample decays the estimate by the time since the previous newest sample; two
//! samples of the same instant decay nothing, so a peak is never lost to a race.

use std::time::Duration;

use rt_core::loom::sync::atomic::{
    AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed},
};
use rt_core::time::Instant;

use super::Load;

/// The most a run of failures multiplies an endpoint's cost by: each failure doubles
/// it, up to this.
pub const MAX_FAILURE_PENALTY: f64 = 16.0;
/// How long a failure weighs on the cost: the penalty decays as `e^(-t / 1 s)`.
pub const FAILURE_MEMORY: Duration = Duration::from_secs(1);
/// How long after its latest failure an endpoint loses the pick to peers that did not
/// fail: long enough for the retries of the failed request (a few milliseconds of
/// backoff), short enough that later requests still reach it, so that failure accrual
/// sees its failures in a row and ejects a dead endpoint.
pub const RECENT_FAILURE: Duration = Duration::from_millis(100);
/// `log2(MAX_FAILURE_PENALTY)`.
const MAX_DOUBLINGS: u64 = 4;
/// The doublings of the penalty, in the top bits of `PeakEwma::failures`.
const DOUBLINGS_SHIFT: u32 = 56;

/// The round-trip time assumed before the first sample: 30 ms.
pub const DEFAULT_RTT: Duration = Duration::from_millis(30);
/// How long a sample weighs: 10 s.
pub const DEFAULT_DECAY: Duration = Duration::from_secs(10);

/// Load = round-trip-time estimate × (requests in flight + 1).
///
/// The estimate jumps to a sample slower than itself at once (a slow endpoint is
/// avoided from its first slow answer) and moves toward faster samples as an
/// exponentially weighted moving average with time constant `decay`; while no sample
/// arrives it decays toward zero, so an endpoint avoided for being slow is tried again.
/// Costs are in nanoseconds.
///
/// A failed request doubles the endpoint's cost for a moment: the penalty (2×, 4×, ...
/// up to [`MAX_FAILURE_PENALTY`] for failures in a row) decays with time constant
/// [`FAILURE_MEMORY`], and a success clears it. For [`RECENT_FAILURE`] (100 ms) after a
/// failure the endpoint is [`recently_failed`](Load::recently_failed): the balancer's
/// pick prefers a peer that is not, whatever the costs. An endpoint that fails
/// fast would otherwise look like the cheapest one and win the next pick, which is
/// typically the retry of the request it just failed (and against a much slower peer, a
/// penalty on its cost alone would not be enough). The penalty is kept apart from the
/// round-trip estimate (which decays over `decay`, seconds to minutes), so that an
/// endpoint that recovers is not avoided for longer than the moment. Failure accrual,
/// which ejects an endpoint after consecutive failures, is separate and unchanged.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use rt_core::time::Instant;
/// use svc_balance::load::{Load, PeakEwma};
///
/// let load = PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10));
/// let now = Instant::now();
/// load.observe(Duration::from_millis(500), now);
/// assert_eq!(load.rtt_estimate(now), Duration::from_millis(500)); // the peak at once
/// load.observe(Duration::from_millis(1), now);
/// assert_eq!(load.rtt_estimate(now), Duration::from_millis(500)); // no time passed
/// assert_eq!(load.cost(1, now), 2.0 * 500e6); // one request in flight
/// let token = load.start(now);
/// load.end(token); // a sample of about zero, microseconds later: the peak stands
/// assert!(load.rtt_estimate(now) > Duration::from_millis(499));
/// ```
#[derive(Debug)]
pub struct PeakEwma {
    /// Estimate in nanoseconds, `f64` bits.
    estimate: AtomicU64,
    /// Newest sample, nanoseconds since `epoch`.
    stamp: AtomicU64,
    /// The failure penalty: its doublings (top 8 bits; 0 = none) and the time of the
    /// latest failure (nanoseconds since `epoch`, the low 56 bits: 2.28 years).
    failures: AtomicU64,
    epoch: Instant,
    default_rtt: Duration,
    decay_ns: f64,
}

impl PeakEwma {
    /// A metric starting at `default_rtt` whose samples weigh for about `decay`.
    ///
    /// # Panics
    ///
    /// Panics if `decay` is zero.
    pub fn new(default_rtt: Duration, decay: Duration) -> PeakEwma {
        assert!(!decay.is_zero(), "PeakEwma's decay must be positive");
        PeakEwma {
            estimate: AtomicU64::new((default_rtt.as_nanos() as f64).to_bits()),
            stamp: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            epoch: Instant::now(),
            default_rtt,
            decay_ns: decay.as_nanos() as f64,
        }
    }

    /// Records a round trip of `rtt` that ended at `now`.
    pub fn observe(&self, rtt: Duration, now: Instant) {
        let sample = rtt.as_nanos() as u64 as f64;
        let at = self.nanos(now);
        let last = self.stamp.fetch_max(at, AcqRel);
        let decay = self.weight(at.saturating_sub(last));
        let mut old = self.estimate.load(Acquire);
        loop {
            let estimate = f64::from_bits(old);
            let next = if sample > estimate {
                sample
            } else {
                estimate * decay + sample * (1.0 - decay)
            };
            match self
                .estimate
                .compare_exchange_weak(old, next.to_bits(), AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => old = actual,
            }
        }
    }

    /// The round-trip-time estimate at `now`, decayed for the time since the newest
    /// sample.
    pub fn rtt_estimate(&self, now: Instant) -> Duration {
        Duration::from_nanos(self.estimate_ns(now) as u64)
    }

    fn estimate_ns(&self, now: Instant) -> f64 {
        let estimate = f64::from_bits(self.estimate.load(Acquire));
        let since = self.nanos(now).saturating_sub(self.stamp.load(Relaxed));
        estimate * self.weight(since)
    }

    /// The weight of the old estimate after `elapsed_ns`: `e^(-elapsed / decay)`.
    fn weight(&self, elapsed_ns: u64) -> f64 {
        let x = elapsed_ns as f64 / self.decay_ns;
        if x < 1e-3 {
            // The common case (samples close together): a shorter Taylor polynomial,
            // exact to 2e-10.
            1.0 - x + x * x * 0.5
        } else {
            super::decay::exp_neg(x)
        }
    }

    /// The factor the failure penalty multiplies the cost by at `now` (1.0: none).
    fn penalty(&self, now: Instant) -> f64 {
        let failures = self.failures.load(Relaxed);
        let doublings = failures >> DOUBLINGS_SHIFT;
        if doublings == 0 {
            return 1.0;
        }
        let at = failures & ((1 << DOUBLINGS_SHIFT) - 1);
        let age = self.nanos(now).saturating_sub(at) as f64 / FAILURE_MEMORY.as_nanos() as f64;
        let full = (1u64 << doublings) as f64;
        1.0 + (full - 1.0) * super::decay::exp_neg(age)
    }

    /// Records a failure at `now`: the penalty doubles (from what is left of it), up to
    /// [`MAX_FAILURE_PENALTY`].
    fn fail(&self, now: Instant) {
        let at = self.nanos(now).min((1 << DOUBLINGS_SHIFT) - 1);
        let left = self.penalty(now);
        // The doublings closest to what is left (compared with 2^(d + 1/2), without `log2`:
        // no `libm` in the process), plus this one.
        let (mut kept, mut bound) = (0, std::f64::consts::SQRT_2);
        while kept < MAX_DOUBLINGS && left >= bound {
            kept += 1;
            bound *= 2.0;
        }
        let doublings = (kept + 1).min(MAX_DOUBLINGS);
        self.failures.store(doublings << DOUBLINGS_SHIFT | at, Relaxed);
    }

    fn nanos(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_nanos() as u64
    }
}

impl Default for PeakEwma {
    /// [`DEFAULT_RTT`] (30 ms) and [`DEFAULT_DECAY`] (10 s).
    fn default() -> Self {
        PeakEwma::new(DEFAULT_RTT, DEFAULT_DECAY)
    }
}

impl Load for PeakEwma {
    type Token = Instant;

    fn fresh(&self) -> Self {
        PeakEwma::new(self.default_rtt, Duration::from_nanos(self.decay_ns as u64))
    }

    fn cost(&self, pending: u64, now: Instant) -> f64 {
        self.estimate_ns(now) * (pending + 1) as f64 * self.penalty(now)
    }

    fn start(&self, now: Instant) -> Instant {
        now
    }

    /// Reads the clock once. A success clears the failure penalty: the endpoint works.
    fn end(&self, start: Instant) {
        let now = Instant::now();
        self.observe(now.saturating_duration_since(start), now);
        if self.failures.load(Relaxed) != 0 {
            self.failures.store(0, Relaxed);
        }
    }

    /// For [`RECENT_FAILURE`] after the latest failure (a success ends it at once).
    fn recently_failed(&self, now: Instant) -> bool {
        let failures = self.failures.load(Relaxed);
        let at = failures & ((1 << DOUBLINGS_SHIFT) - 1);
        failures >> DOUBLINGS_SHIFT != 0 && self.nanos(now).saturating_sub(at) < RECENT_FAILURE.as_nanos() as u64
    }

    /// Reads the clock once; records the round trip and a failure (see the type's docs).
    fn end_failed(&self, start: Instant) {
        let now = Instant::now();
        self.observe(now.saturating_duration_since(start), now);
        self.fail(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_double_the_cost_for_a_moment() {
        let load = PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10));
        let t0 = load.epoch;
        load.observe(Duration::from_millis(30), t0);
        let ratio = |now| load.cost(0, now) / load.estimate_ns(now);
        load.fail(t0);
        assert!((ratio(t0) - 2.0).abs() < 1e-9);
        load.fail(t0);
        assert!((ratio(t0) - 4.0).abs() < 1e-9);
        for _ in 0..5 {
            load.fail(t0);
        }
        assert!((ratio(t0) - MAX_FAILURE_PENALTY).abs() < 1e-9, "capped");
        assert!(load.recently_failed(t0));
        // Recent for 100 ms; the cost penalty decays: after 1 s, 1 + 15/e; after 10 s,
        // nothing to speak of.
        assert!(load.recently_failed(t0 + Duration::from_millis(99)));
        assert!(!load.recently_failed(t0 + Duration::from_millis(101)));
        let later = t0 + Duration::from_secs(1);
        assert!((ratio(later) - (1.0 + 15.0 / std::f64::consts::E)).abs() < 1e-6);
        assert!(ratio(t0 + Duration::from_secs(10)) < 1.001);
        // A failure after the penalty has faded starts over at 2x; a success clears it.
        let much_later = t0 + Duration::from_secs(30);
        load.fail(much_later);
        assert!((ratio(much_later) - 2.0).abs() < 1e-3);
        load.end(Instant::now());
        assert!(!load.recently_failed(much_later));
    }

    #[test]
    fn faster_samples_decay_the_estimate() {
        let load = PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10));
        let t0 = Instant::now();
        load.observe(Duration::from_millis(100), t0);
        load.observe(Duration::from_millis(10), t0 + Duration::from_secs(10));
        // One time constant: weight e^-1 on the old estimate.
        let expected = 100.0 * (-1f64).exp() + 10.0 * (1.0 - (-1f64).exp());
        let got = load.rtt_estimate(t0 + Duration::from_secs(10)).as_secs_f64() * 1e3;
        assert!((got - expected).abs() < 0.01, "{got} vs {expected}");
    }

    #[test]
    fn idle_estimate_decays_toward_zero() {
        let load = PeakEwma::default();
        let t0 = Instant::now();
        load.observe(Duration::from_millis(100), t0);
        let later = load.rtt_estimate(t0 + Duration::from_secs(20));
        assert!(
            later < Duration::from_millis(14) && later > Duration::from_millis(13),
            "{later:?}"
        );
    }

    #[test]
    fn fresh_keeps_settings_not_samples() {
        let load = PeakEwma::new(Duration::from_millis(5), Duration::from_secs(1));
        let now = Instant::now();
        load.observe(Duration::from_secs(1), now);
        let fresh = load.fresh();
        assert!(fresh.rtt_estimate(Instant::now()) <= Duration::from_millis(5));
    }
}
