//! [`ExponentialBackoff`]: delays between attempts, with jitter, on `rt-core`'s timer.

use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::loom::sync::atomic::{AtomicU64, Ordering};
use rt_core::loom::sync::Arc;
use rt_core::time::{sleep, Sleep};

use crate::error::InvalidBackoff;

/// How a backoff spreads its delays, so that clients that failed together do not retry
/// together.
///
/// For retry `n` (0 for the first retry) let `base = min(max, min_delay × 2ⁿ)`:
///
/// | jitter | delay |
/// |---|---|
/// | `None` | exactly `base` |
/// | `Full` | uniform in `[0, base]` (AWS's "full jitter") |
/// | `Proportional(f)` | uniform in `[base × (1 − f), base]`, `f` in `0 ..= 1` |
///
/// No delay is ever above `max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Jitter {
    /// No jitter: the delay is the exponential base.
    None,
    /// A delay uniform between zero and the base.
    Full,
    /// A delay uniform between `base × (1 − f)` and the base; `Proportional(1.0)` is `Full`,
    /// `Proportional(0.0)` is `None`.
    Proportional(f64),
}

/// Exponential backoff with jitter: the delay before retry `n` doubles with `n`, from
/// `min` up to `max`, spread by a [`Jitter`].
///
/// Clones share one random stream (a SplitMix64 counter advanced with one atomic add per
/// delay), so every request draws a different delay. The stream is seeded from the
/// standard library's random hasher keys, or from [`with_seed`](Self::with_seed) for
/// reproducible tests. No `rand` dependency.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_retry::{ExponentialBackoff, Jitter};
///
/// let backoff = ExponentialBackoff::new(Duration::from_millis(10), Duration::from_secs(1), Jitter::Full)?;
/// for retry in 0..10 {
///     let (low, high) = backoff.bounds(retry);
///     let delay = backoff.delay(retry);
///     assert!(low <= delay && delay <= high);
/// }
/// assert_eq!(backoff.bounds(3), (Duration::ZERO, Duration::from_millis(80)));
/// assert_eq!(backoff.bounds(20).1, Duration::from_secs(1)); // capped at max
/// # Ok::<_, svc_retry::InvalidBackoff>(())
/// ```
#[derive(Clone)]
pub struct ExponentialBackoff {
    min: Duration,
    max: Duration,
    jitter: Jitter,
    rng: Arc<AtomicU64>,
}

/// SplitMix64's increment.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl ExponentialBackoff {
    /// Creates a backoff whose delays start at `min`, double per retry and stop growing at
    /// `max`.
    ///
    /// # Errors
    ///
    /// [`InvalidBackoff`] if `min > max`, or if a `Jitter::Proportional` factor is NaN,
    /// negative or above 1.
    pub fn new(min: Duration, max: Duration, jitter: Jitter) -> Result<ExponentialBackoff, InvalidBackoff> {
        if min > max {
            return Err(InvalidBackoff::range(min, max));
        }
        if let Jitter::Proportional(f) = jitter {
            if !(0.0..=1.0).contains(&f) {
                return Err(InvalidBackoff::jitter(f)); // NaN is in no range
            }
        }
        let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
        Ok(ExponentialBackoff {
            min,
            max,
            jitter,
            rng: Arc::new(AtomicU64::new(seed)),
        })
    }

    /// Replaces the random stream with one started from `seed`: the same seed gives the
    /// same sequence of delays (when drawn in the same order).
    pub fn with_seed(self, seed: u64) -> ExponentialBackoff {
        ExponentialBackoff {
            rng: Arc::new(AtomicU64::new(seed)),
            ..self
        }
    }

    /// The range `(low, high)` that [`delay`](Self::delay) draws from for retry `retry`
    /// (0 for the first retry).
    pub fn bounds(&self, retry: u32) -> (Duration, Duration) {
        let base = self.min.saturating_mul(2u32.saturating_pow(retry)).min(self.max);
        match self.jitter {
            Jitter::None => (base, base),
            Jitter::Full => (Duration::ZERO, base),
            Jitter::Proportional(f) => (base.mul_f64(1.0 - f), base),
        }
    }

    /// Draws the delay before retry `retry` (0 for the first retry), within
    /// [`bounds`](Self::bounds).
    pub fn delay(&self, retry: u32) -> Duration {
        let (low, high) = self.bounds(retry);
        if low == high {
            return high;
        }
        let spread = high - low;
        low + spread.mul_f64(self.next_unit()).min(spread)
    }

    /// A future that waits [`delay`](Self::delay)`(retry)` on `rt-core`'s timer.
    ///
    /// # Panics
    ///
    /// Polling the future panics outside an rt-sched runtime with time enabled, unless the
    /// delay is zero (a zero delay completes without touching the timer).
    pub fn sleep(&self, retry: u32) -> Delay {
        Delay::after(self.delay(retry))
    }

    /// A number uniform in `[0, 1)`: SplitMix64 over a shared counter.
    fn next_unit(&self) -> f64 {
        let mut z = self.rng.fetch_add(GAMMA, Ordering::Relaxed).wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl fmt::Debug for ExponentialBackoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExponentialBackoff")
            .field("min", &self.min)
            .field("max", &self.max)
            .field("jitter", &self.jitter)
            .finish()
    }
}

/// The wait before a retry: a timer, or nothing.
///
/// Returned by [`ExponentialBackoff::sleep`] and used as the
/// [`Standard`](crate::standard::Standard) policy's retry future. It is `Unpin`.
///
/// # Panics
///
/// Polling a non-zero delay panics outside an rt-sched runtime with time enabled.
///
/// # Cancel safety
///
/// Dropping it cancels the timer.
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Delay {
    sleep: Option<Sleep>,
}

impl Delay {
    /// A delay of `duration`; a zero duration completes at its first poll without a timer.
    pub fn after(duration: Duration) -> Delay {
        Delay {
            sleep: (!duration.is_zero()).then(|| sleep(duration)),
        }
    }

    /// A delay that completes at its first poll.
    pub fn none() -> Delay {
        Delay { sleep: None }
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.sleep {
            None => Poll::Ready(()),
            Some(sleep) => Pin::new(sleep).poll(cx),
        }
    }
}

impl fmt::Debug for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delay")
            .field("deadline", &self.sleep.as_ref().map(Sleep::deadline))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backoff(jitter: Jitter) -> ExponentialBackoff {
        ExponentialBackoff::new(Duration::from_millis(10), Duration::from_millis(500), jitter).unwrap()
    }

    #[test]
    fn bases_double_up_to_max() {
        let b = backoff(Jitter::None);
        let bases: Vec<_> = (0..8).map(|n| b.delay(n).as_millis()).collect();
        assert_eq!(bases, [10, 20, 40, 80, 160, 320, 500, 500]);
        assert_eq!(b.delay(u32::MAX), Duration::from_millis(500));
    }

    #[test]
    fn proportional_stays_in_bounds_and_varies() {
        let b = backoff(Jitter::Proportional(0.5)).with_seed(7);
        assert_eq!(b.bounds(2), (Duration::from_millis(20), Duration::from_millis(40)));
        let delays: Vec<_> = (0..100).map(|_| b.delay(2)).collect();
        assert!(delays
            .iter()
            .all(|d| (Duration::from_millis(20)..=Duration::from_millis(40)).contains(d)));
        assert!(delays.iter().any(|d| *d != delays[0]));
    }

    #[test]
    fn same_seed_same_delays() {
        let a = backoff(Jitter::Full).with_seed(42);
        let b = backoff(Jitter::Full).with_seed(42);
        let (da, db): (Vec<_>, Vec<_>) = (0..5).map(|n| (a.delay(n), b.delay(n))).unzip();
        assert_eq!(da, db);
    }

    #[test]
    fn invalid_configurations_are_refused() {
        let (ms, s) = (Duration::from_millis(1), Duration::from_secs(1));
        assert!(ExponentialBackoff::new(s, ms, Jitter::None).unwrap_err().is_range());
        for f in [f64::NAN, -0.1, 1.5, f64::INFINITY] {
            assert!(ExponentialBackoff::new(ms, s, Jitter::Proportional(f))
                .unwrap_err()
                .is_jitter());
        }
    }
}
