//! A lock-free latency histogram for the live progress line (the final table uses the
//! exact samples).
//!
//! Latencies in microseconds fall into log-linear buckets: exact below 64 µs, then 32
//! buckets per power of two (about 3 % wide), up to 2^27 µs (about 2 minutes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Linear buckets below this many microseconds.
const LINEAR: u64 = 64;
/// Buckets per power of two above [`LINEAR`] (a power of two itself).
const PER_OCTAVE: u64 = 32;
/// Powers of two covered above [`LINEAR`]: 2^6 to 2^27 µs.
const OCTAVES: u64 = 21;
/// The number of buckets.
const BUCKETS: usize = (LINEAR + OCTAVES * PER_OCTAVE) as usize;

/// Counts of latencies, recorded from many tasks at once.
#[derive(Debug)]
pub(crate) struct Histogram {
    counts: Vec<AtomicU64>,
}

impl Histogram {
    /// An empty histogram.
    pub(crate) fn new() -> Histogram {
        Histogram {
            counts: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Records one latency.
    pub(crate) fn record(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.counts[index(micros)].fetch_add(1, Ordering::Relaxed);
    }

    /// The latency below which `quantile` (0 to 1) of the recorded ones fall, rounded up
    /// to its bucket's top; `None` while empty.
    pub(crate) fn quantile(&self, quantile: f64) -> Option<Duration> {
        let counts: Vec<u64> = self.counts.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        let total: u64 = counts.iter().sum();
        if total == 0 {
            return None;
        }
        let rank = ((quantile * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        let bucket = counts.iter().position(|&count| {
            seen += count;
            seen >= rank
        })?;
        Some(Duration::from_micros(top(bucket)))
    }
}

/// The bucket of a latency in microseconds.
fn index(micros: u64) -> usize {
    if micros < LINEAR {
        return micros as usize;
    }
    let octave = u64::from(63 - micros.leading_zeros()); // 6 and up
    if octave >= 6 + OCTAVES {
        return BUCKETS - 1;
    }
    let step = octave - PER_OCTAVE.trailing_zeros() as u64; // bits below the bucket's
    let offset = (micros >> step) - PER_OCTAVE; // 0..PER_OCTAVE
    (LINEAR + (octave - 6) * PER_OCTAVE + offset) as usize
}

/// The largest latency in microseconds that falls into `bucket`.
fn top(bucket: usize) -> u64 {
    let bucket = bucket as u64;
    if bucket < LINEAR {
        return bucket;
    }
    let octave = 6 + (bucket - LINEAR) / PER_OCTAVE;
    let offset = (bucket - LINEAR) % PER_OCTAVE;
    let step = octave - PER_OCTAVE.trailing_zeros() as u64;
    ((PER_OCTAVE + offset + 1) << step) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values() {
        for micros in [0, 1, 63, 64, 65, 100, 1_000, 4_321, 99_999, 1 << 26, (1 << 27) - 1] {
            let bucket = index(micros);
            assert!(top(bucket) >= micros, "{micros} in {bucket} tops at {}", top(bucket));
            assert!(
                bucket == 0 || top(bucket - 1) < micros,
                "{micros} belongs below {bucket}"
            );
            assert!(top(bucket) - micros <= micros / 16, "{micros}: bucket too wide");
        }
        assert_eq!(index(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn quantiles() {
        let histogram = Histogram::new();
        assert_eq!(histogram.quantile(0.99), None);
        for ms in 1..=100 {
            histogram.record(Duration::from_millis(ms));
        }
        let p50 = histogram.quantile(0.5).unwrap().as_micros() as f64;
        let p99 = histogram.quantile(0.99).unwrap().as_micros() as f64;
        assert!((50_000.0..=52_000.0).contains(&p50), "{p50}");
        assert!((99_000.0..=102_000.0).contains(&p99), "{p99}");
    }
}
