//! Load metrics: how busy an endpoint is, read lock-free by the balancer on every pick.
//!
//! A [`Load`] is one endpoint's metric. The balancer calls [`Load::start`] when it sends
//! a request to the endpoint and [`Load::end`] when the request completes (at the
//! response, or later if a [`TrackCompletion`] keeps the [`InFlight`] guard, for example
//! until the end of a response body), and compares [`Load::cost`] of two endpoints to
//! choose one. The balancer itself counts each endpoint's requests in flight (it needs
//! the count anyway, to drain removed endpoints) and passes the count to `cost`, so a
//! metric keeps no counter of its own. Two metrics come with the crate:
//!
//! * [`PeakEwma`]: round-trip-time estimate × (requests in flight + 1), where the
//!   estimate jumps to a slower sample at once and decays toward faster ones;
//! * [`PendingRequests`]: requests in flight.

mod completion;
mod decay;
mod peak_ewma;
mod pending;

pub use completion::{CompleteOnResponse, InFlight, TrackCompletion};
pub use peak_ewma::{PeakEwma, DEFAULT_DECAY, DEFAULT_RTT, FAILURE_MEMORY, MAX_FAILURE_PENALTY, RECENT_FAILURE};
pub use pending::PendingRequests;

use rt_core::time::Instant;

/// One endpoint's load metric.
///
/// Implementations are shared between the balancer handles and the response futures of
/// the endpoint (`Sync`), and read on every pick: `cost` must be cheap and must not
/// block or lock (atomics only).
///
/// # Examples
///
/// A metric that counts requests ever completed (a toy: it never forgets):
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use rt_core::time::Instant;
/// use svc_balance::load::Load;
///
/// #[derive(Debug, Default)]
/// struct Total(AtomicU64);
///
/// impl Load for Total {
///     type Token = ();
///     fn fresh(&self) -> Self { Total::default() }
///     fn cost(&self, pending: u64, _now: Instant) -> f64 {
///         (self.0.load(Ordering::Relaxed) + pending) as f64
///     }
///     fn start(&self, _now: Instant) {}
///     fn end(&self, _token: ()) { self.0.fetch_add(1, Ordering::Relaxed); }
/// }
///
/// let load = Total::default().fresh();
/// load.start(Instant::now());
/// load.end(());
/// assert_eq!(load.cost(0, Instant::now()), 1.0);
/// ```
pub trait Load: Send + Sync + 'static {
    /// What a request carries from `start` to `end` (a start time, or nothing).
    type Token: Send + 'static;

    /// A new, idle metric with this one's settings: the balancer keeps one metric as a
    /// template and calls this for each endpoint it inserts.
    fn fresh(&self) -> Self
    where
        Self: Sized;

    /// The cost of sending one more request to this endpoint (lower is better), with
    /// `pending` requests in flight to it, at `now` (the balancer's most recent clock
    /// reading: picking reads no clock).
    fn cost(&self, pending: u64, now: Instant) -> f64;

    /// A request is sent at `now`.
    fn start(&self, now: Instant) -> Self::Token;

    /// The request started with `token` completed.
    fn end(&self, token: Self::Token);

    /// The request started with `token` completed with a failure (the endpoint's
    /// service returned an error). By default the same as [`end`](Load::end); a load
    /// that should steer the next picks away from an endpoint that just failed
    /// ([`PeakEwma`] does) overrides it.
    fn end_failed(&self, token: Self::Token) {
        self.end(token);
    }

    /// Whether the endpoint failed so recently that a peer that did not should win the
    /// pick whatever the costs (the retry of a request that just failed then goes
    /// elsewhere). By default never; [`PeakEwma`] says so while its failure penalty is
    /// fresh.
    fn recently_failed(&self, now: Instant) -> bool {
        let _ = now;
        false
    }
}
