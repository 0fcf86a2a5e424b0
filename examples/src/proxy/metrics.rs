//! The proxy's own counters ([`Stats`]) and the [`Snapshot`] callers read.
//!
//! Everything is a relaxed atomic written on the request path: one increment for the
//! request, one for its status, two for the latency histogram. No lock, no allocation.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in microseconds (`+Inf` is implied).
pub(crate) const LATENCY_BOUNDS_US: [u64; 16] = [
    250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
    10_000_000, 30_000_000,
];

/// Counters shared by every connection of one proxy.
#[derive(Debug)]
pub(crate) struct Stats {
    /// Requests (HTTP) or connections (TCP) received.
    pub(crate) requests: AtomicU64,
    /// Responses sent, indexed by status code (`0..600`).
    statuses: Box<[AtomicU64]>,
    /// Latency histogram: one counter per bound, then `+Inf`.
    buckets: [AtomicU64; LATENCY_BOUNDS_US.len() + 1],
    latency_sum_us: AtomicU64,
    /// Client connections open now.
    pub(crate) connections: AtomicU64,
    /// Client connections accepted.
    pub(crate) connections_total: AtomicU64,
}

impl Default for Stats {
    fn default() -> Stats {
        Stats {
            requests: AtomicU64::new(0),
            statuses: (0..600).map(|_| AtomicU64::new(0)).collect(),
            buckets: Default::default(),
            latency_sum_us: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            connections_total: AtomicU64::new(0),
        }
    }
}

impl Stats {
    /// A response with `status` was sent `latency` after its request arrived.
    pub(crate) fn record(&self, status: u16, latency: Duration) {
        if let Some(counter) = self.statuses.get(usize::from(status)) {
            counter.fetch_add(1, Relaxed);
        }
        self.observe(latency);
    }

    /// Adds a latency sample (TCP connections: their connect time).
    pub(crate) fn observe(&self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let bucket = LATENCY_BOUNDS_US.partition_point(|&bound| bound < us);
        self.buckets[bucket].fetch_add(1, Relaxed);
        self.latency_sum_us.fetch_add(us, Relaxed);
    }

    /// Responses by status code, the codes seen only.
    pub(crate) fn by_status(&self) -> Vec<(u16, u64)> {
        (0u16..)
            .zip(self.statuses.iter())
            .map(|(code, n)| (code, n.load(Relaxed)))
            .filter(|&(_, n)| n > 0)
            .collect()
    }

    /// The histogram's per-bucket counts (not cumulative; the last is `+Inf`), and the sum
    /// of the samples in microseconds.
    pub(crate) fn latency(&self) -> (Vec<u64>, u64) {
        let counts = self.buckets.iter().map(|b| b.load(Relaxed)).collect();
        (counts, self.latency_sum_us.load(Relaxed))
    }
}

/// Where one backend stands, as [`BackendSnapshot::state`] reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendState {
    /// In rotation and ready for requests.
    Ready,
    /// In rotation, not ready yet (connecting, or busy).
    Pending,
    /// Out of rotation after failures, or back on probation.
    Failing,
    /// Removed by discovery (its requests in flight may still finish).
    Removed,
}

impl BackendState {
    /// The state's name in lower case (`ready`, `pending`, `failing`, `removed`).
    pub fn as_str(&self) -> &'static str {
        match self {
            BackendState::Ready => "ready",
            BackendState::Pending => "pending",
            BackendState::Failing => "failing",
            BackendState::Removed => "removed",
        }
    }
}

/// One backend in a [`Snapshot`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendSnapshot {
    /// The backend's address.
    pub addr: SocketAddr,
    /// Where it stands.
    pub state: BackendState,
    /// Requests (HTTP) or connections (TCP) sent to it, retries included.
    pub requests: u64,
    /// Requests in flight to it now.
    pub in_flight: u64,
}

/// What a proxy has done so far, from [`Proxy::snapshot`](super::Proxy::snapshot).
///
/// Counters are read one by one with relaxed loads: each is exact, the set is not a
/// consistent cut.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Requests received (TCP mode: connections accepted).
    pub requests: u64,
    /// Responses sent, by status code, in increasing order of code (HTTP mode only).
    pub responses_by_status: Vec<(u16, u64)>,
    /// Retries sent to the backends.
    pub retries: u64,
    /// Retries the retry budget refused.
    pub budget_refusals: u64,
    /// Requests waiting in the buffer in front of the balancer (or holding a slot of it).
    pub buffer_depth: u64,
    /// Requests the buffer handed to the balancer: on the direct path, and through its
    /// worker.
    pub buffer_served: (u64, u64),
    /// Client connections open now.
    pub connections: u64,
    /// The backends, in the order they were first discovered; removed ones last seen.
    pub backends: Vec<BackendSnapshot>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_and_statuses() {
        let stats = Stats::default();
        stats.record(200, Duration::from_micros(100));
        stats.record(200, Duration::from_micros(250));
        stats.record(502, Duration::from_millis(3));
        stats.record(999, Duration::from_secs(100));
        let (counts, sum) = stats.latency();
        assert_eq!(counts[0], 2); // <= 250 us
        assert_eq!(counts[4], 1); // <= 5 ms
        assert_eq!(counts[LATENCY_BOUNDS_US.len()], 1); // +Inf
        assert_eq!(sum, 100 + 250 + 3_000 + 100_000_000);
        assert_eq!(stats.by_status(), vec![(200, 2), (502, 1)]);
    }
}
