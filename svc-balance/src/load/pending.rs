//! [`PendingRequests`]: the number of requests in flight.

use rt_core::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt_core::time::Instant;

use super::Load;

/// Load = requests in flight to the endpoint.
///
/// # Examples
///
/// ```
/// use rt_core::time::Instant;
/// use svc_balance::load::{Load, PendingRequests};
///
/// let load = PendingRequests::new();
/// let now = Instant::now();
/// load.start(now);
/// load.start(now);
/// assert_eq!(load.pending(), 2);
/// load.end(());
/// assert_eq!(load.cost(now), 1.0);
/// ```
#[derive(Debug, Default)]
pub struct PendingRequests {
    pending: AtomicU64,
}

impl PendingRequests {
    /// An idle metric.
    pub fn new() -> PendingRequests {
        PendingRequests::default()
    }

    /// Requests in flight.
    pub fn pending(&self) -> u64 {
        self.pending.load(Relaxed)
    }
}

impl Load for PendingRequests {
    type Token = ();

    fn fresh(&self) -> Self {
        PendingRequests::new()
    }

    fn cost(&self, _now: Instant) -> f64 {
        self.pending() as f64
    }

    fn start(&self, _now: Instant) {
        self.pending.fetch_add(1, Relaxed);
    }

    fn end(&self, _token: ()) {
        self.pending.fetch_sub(1, Relaxed);
    }
}
