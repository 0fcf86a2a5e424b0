//! [`PendingRequests`]: the number of requests in flight.

use rt_core::time::Instant;

use super::Load;

/// Load = requests in flight to the endpoint (which the balancer counts and passes in).
///
/// # Examples
///
/// ```
/// use rt_core::time::Instant;
/// use svc_balance::load::{Load, PendingRequests};
///
/// let load = PendingRequests::new();
/// assert_eq!(load.cost(3, Instant::now()), 3.0);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct PendingRequests(());

impl PendingRequests {
    /// The metric.
    pub fn new() -> PendingRequests {
        PendingRequests(())
    }
}

impl Load for PendingRequests {
    type Token = ();

    fn fresh(&self) -> Self {
        PendingRequests::new()
    }

    fn cost(&self, pending: u64, _now: Instant) -> f64 {
        pending as f64
    }

    fn start(&self, _now: Instant) {}

    fn end(&self, _token: ()) {}
}
