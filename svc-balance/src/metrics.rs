//! [`Metrics`] and [`EndpointMetrics`]: what a proxy exports about its balancer.

use rt_core::loom::sync::atomic::Ordering::Relaxed;
use rt_core::time::Instant;

use crate::endpoint::Endpoint;
use crate::load::Load;
use crate::shared::Shared;
use crate::state::{CLAIMED, EJECTED, PENDING, PROBING, READY};

/// A snapshot of a balancer's gauges and counters (relaxed reads: each value is exact,
/// the set is not a consistent cut).
///
/// # Examples
///
/// ```
/// use svc_balance::{Balance, ServiceList};
/// use svc_trait::service_fn;
///
/// # rt_sched::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x) });
/// let balance = Balance::new(ServiceList::new([("a", svc)]));
/// rt_sched::task::yield_now().await; // let the driver insert the endpoint
/// let metrics = balance.metrics();
/// assert_eq!((metrics.endpoints(), metrics.ready(), metrics.failing()), (1, 1, 0));
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    endpoints: usize,
    ready: usize,
    pending: usize,
    failing: usize,
    inserted: u64,
    removed: u64,
    ejections: u64,
    readiness_errors: u64,
    requests: u64,
    in_flight: u64,
}

impl Metrics {
    pub(crate) fn read<K, S, L: Load>(shared: &Shared<K, S, L>) -> Metrics {
        let counters = &shared.counters;
        let mut metrics = Metrics {
            inserted: counters.inserted.load(Relaxed),
            removed: counters.removed.load(Relaxed),
            ejections: counters.ejections.load(Relaxed),
            readiness_errors: counters.readiness_errors.load(Relaxed),
            ..Metrics::default()
        };
        for endpoint in shared.all().iter() {
            metrics.endpoints += 1;
            match endpoint.state() {
                READY | CLAIMED => metrics.ready += 1,
                PENDING => metrics.pending += 1,
                _ => metrics.failing += 1,
            }
            metrics.requests += endpoint.tracker.requests.load(Relaxed);
            metrics.in_flight += endpoint.tracker.in_flight();
        }
        metrics
    }

    /// Gauge: endpoints discovered and not removed (ejected ones included).
    pub fn endpoints(&self) -> usize {
        self.endpoints
    }

    /// Gauge: endpoints ready for a request.
    pub fn ready(&self) -> usize {
        self.ready
    }

    /// Gauge: endpoints in rotation but not ready (the driver is readying them).
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Gauge: endpoints out of rotation after failures, or on probation.
    pub fn failing(&self) -> usize {
        self.failing
    }

    /// Counter: endpoints inserted by discovery.
    pub fn inserted(&self) -> u64 {
        self.inserted
    }

    /// Counter: endpoints removed by discovery.
    pub fn removed(&self) -> u64 {
        self.removed
    }

    /// Counter: ejections (an endpoint taken out of rotation after failures).
    pub fn ejections(&self) -> u64 {
        self.ejections
    }

    /// Counter: endpoint `poll_ready` failures.
    pub fn readiness_errors(&self) -> u64 {
        self.readiness_errors
    }

    /// Counter: requests sent to the current endpoints.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Gauge: requests in flight to the current endpoints.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }
}

/// The state of one endpoint, as [`EndpointMetrics::state`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointState {
    /// In rotation and ready.
    Ready,
    /// In rotation, not ready yet.
    Pending,
    /// Out of rotation for a penalty.
    Ejected,
    /// Back from a penalty, its probation request in flight.
    Probing,
    /// Removed, waiting for its requests in flight.
    Removed,
}

/// One endpoint's gauges and counters.
///
/// # Examples
///
/// ```
/// use svc_balance::{Balance, EndpointState, ServiceList};
/// use svc_trait::service_fn;
///
/// # rt_sched::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x) });
/// let balance = Balance::new(ServiceList::new([("a", svc)]));
/// rt_sched::task::yield_now().await;
/// let endpoints = balance.endpoints();
/// assert_eq!(*endpoints[0].key(), "a");
/// assert_eq!(endpoints[0].state(), EndpointState::Ready);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct EndpointMetrics<K> {
    key: K,
    state: EndpointState,
    load: f64,
    in_flight: u64,
    requests: u64,
    failures: u64,
    consecutive_failures: u32,
}

impl<K: Clone> EndpointMetrics<K> {
    pub(crate) fn read<S, L: Load>(endpoint: &Endpoint<K, S, L>, now: Instant) -> Self {
        let tracker = &endpoint.tracker;
        let state = match endpoint.state() {
            READY | CLAIMED => EndpointState::Ready,
            PENDING => EndpointState::Pending,
            EJECTED => EndpointState::Ejected,
            PROBING => EndpointState::Probing,
            _ => EndpointState::Removed,
        };
        EndpointMetrics {
            key: endpoint.key.clone(),
            state,
            load: tracker.cost(now),
            in_flight: tracker.in_flight(),
            requests: tracker.requests.load(Relaxed),
            failures: tracker.failures.load(Relaxed),
            consecutive_failures: tracker.consecutive.load(Relaxed),
        }
    }
}

impl<K> EndpointMetrics<K> {
    /// The endpoint's key.
    pub fn key(&self) -> &K {
        &self.key
    }

    /// Where the endpoint is.
    pub fn state(&self) -> EndpointState {
        self.state
    }

    /// Its load metric's current cost (nanoseconds for [`PeakEwma`](crate::load::PeakEwma)).
    pub fn load(&self) -> f64 {
        self.load
    }

    /// Gauge: requests in flight.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// Counter: requests sent.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    /// Counter: failed answers (error responses and readiness failures).
    pub fn failures(&self) -> u64 {
        self.failures
    }

    /// Failures since the last success.
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }
}
