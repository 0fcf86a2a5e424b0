//! One endpoint: its service, its state word and its [`Tracker`] (load, counters,
//! failure accrual), shared by the driver, the handles and the endpoint's requests.
//!
//! See [`state`](crate::state) for who moves the state word. The service sits behind a
//! mutex only because safe Rust needs one to share it; the state protocol gives it one
//! user at a time (the claimer in `CLAIMED`, the driver otherwise), so the lock is never
//! contended.

use std::sync::Arc as StdArc;
use std::task::Waker;

use rt_core::loom::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64,
    Ordering::{AcqRel, Acquire, Relaxed, SeqCst},
};
use rt_core::loom::sync::{Arc, Mutex};

use crate::load::Load;
use crate::signal::{EndpointWake, Signal};
use crate::state::{ATTENTION, CLAIMED, PENDING, READY};

pub(crate) struct Endpoint<K, S, L> {
    pub(crate) key: K,
    pub(crate) id: usize,
    /// One of the [`state`](crate::state) constants, maybe with `ATTENTION`.
    pub(crate) state: AtomicU32,
    /// `None` once dropped (removed and drained).
    pub(crate) service: Mutex<Option<S>>,
    pub(crate) tracker: Arc<Tracker<L>>,
    /// Wakes the driver to poll this endpoint's readiness.
    pub(crate) waker: Waker,
    /// `Service::disarm` of the service (the endpoint does not know the request type).
    disarm: fn(&mut S),
}

impl<K, S, L: Load> Endpoint<K, S, L> {
    pub(crate) fn new(
        key: K,
        id: usize,
        service: S,
        load: L,
        signal: Arc<Signal>,
        threshold: u32,
        disarm: fn(&mut S),
    ) -> Self {
        let waker = Waker::from(StdArc::new(EndpointWake {
            id,
            signal: signal.clone(),
        }));
        Endpoint {
            key,
            id,
            state: AtomicU32::new(PENDING),
            service: Mutex::new(Some(service)),
            tracker: Arc::new(Tracker::new(id, load, signal, threshold)),
            waker,
            disarm,
        }
    }
}

impl<K, S, L> Endpoint<K, S, L> {
    /// Releases whatever reservation the service holds.
    pub(crate) fn disarm_service(&self) {
        if let Some(service) = self.service.lock().as_mut() {
            (self.disarm)(service);
        }
    }

    /// Takes the service out, to drop it.
    pub(crate) fn take_service(&self) -> Option<S> {
        self.service.lock().take()
    }

    /// A handle's claim: `READY` to `CLAIMED`.
    pub(crate) fn try_claim(&self) -> bool {
        self.state.compare_exchange(READY, CLAIMED, AcqRel, Relaxed).is_ok()
    }

    /// Whether a handle could claim it now.
    pub(crate) fn is_ready(&self) -> bool {
        self.state.load(Relaxed) == READY
    }

    /// The state, without the `ATTENTION` flag.
    pub(crate) fn state(&self) -> u32 {
        self.state.load(Acquire) & !ATTENTION
    }

    /// The claimer leaves `CLAIMED` for `next`, and tells the driver if it asked.
    pub(crate) fn release(&self, next: u32) {
        // SeqCst: also the first half of the waiter handshake (see `Shared`).
        if self.state.swap(next, SeqCst) & ATTENTION != 0 {
            self.tracker.signal.notify(self.id);
        }
    }

    /// The driver takes the endpoint (to state `to`) from wherever it is, unless a
    /// handle has it claimed: then it flags it `ATTENTION` and returns `false`, and the
    /// handle notifies the driver when it lets go, so the driver tries again.
    pub(crate) fn seize(&self, to: u32) -> bool {
        let mut current = self.state.load(Acquire);
        loop {
            let claimed = current & !ATTENTION == CLAIMED;
            let next = if claimed { CLAIMED | ATTENTION } else { to };
            match self.state.compare_exchange(current, next, AcqRel, Acquire) {
                Ok(_) => return !claimed,
                Err(actual) => current = actual,
            }
        }
    }
}

/// The part of an endpoint its requests hold: load, counters and failure accrual.
pub(crate) struct Tracker<L> {
    pub(crate) id: usize,
    pub(crate) load: L,
    pub(crate) signal: Arc<Signal>,
    threshold: u32,
    /// Requests in flight, and `REMOVED_BIT` once discovery removed the endpoint: one
    /// word, so the last request and the removal cannot miss each other.
    in_flight: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) consecutive: AtomicU32,
    /// Back from a penalty: the next request is a probe.
    pub(crate) probation: AtomicBool,
    pub(crate) probe_in_flight: AtomicBool,
}

/// The removal flag in `Tracker::in_flight`.
const REMOVED_BIT: u64 = 1 << 63;

impl<L> Tracker<L> {
    fn new(id: usize, load: L, signal: Arc<Signal>, threshold: u32) -> Self {
        Tracker {
            id,
            load,
            signal,
            threshold,
            in_flight: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            consecutive: AtomicU32::new(0),
            probation: AtomicBool::new(false),
            probe_in_flight: AtomicBool::new(false),
        }
    }

    /// Marks the endpoint removed; returns the requests in flight at that moment.
    pub(crate) fn mark_removed(&self) -> u64 {
        self.in_flight.fetch_or(REMOVED_BIT, AcqRel) & !REMOVED_BIT
    }

    pub(crate) fn is_removed(&self) -> bool {
        self.in_flight.load(Acquire) & REMOVED_BIT != 0
    }

    /// Requests in flight.
    pub(crate) fn in_flight(&self) -> u64 {
        self.in_flight.load(Acquire) & !REMOVED_BIT
    }

    /// A request is sent (by the handle that has the endpoint claimed: `requests` has
    /// one writer at a time, so it needs no read-modify-write).
    pub(crate) fn begin(&self) {
        self.in_flight.fetch_add(1, Relaxed);
        self.requests.store(self.requests.load(Relaxed) + 1, Relaxed);
    }

    /// The load metric's cost now.
    pub(crate) fn cost(&self, now: rt_core::time::Instant) -> f64
    where
        L: Load,
    {
        self.load.cost(self.in_flight(), now)
    }

    /// Whether the endpoint failed so recently that a peer should win the pick.
    pub(crate) fn recently_failed(&self, now: rt_core::time::Instant) -> bool
    where
        L: Load,
    {
        self.load.recently_failed(now)
    }

    /// The endpoint answered; failure accrual counts consecutive failures and calls the
    /// driver at the threshold.
    pub(crate) fn record(&self, success: bool) {
        if success {
            if self.consecutive.load(Relaxed) != 0 {
                self.consecutive.store(0, Relaxed);
            }
            return;
        }
        self.failures.fetch_add(1, Relaxed);
        if self.consecutive.fetch_add(1, AcqRel) + 1 == self.threshold {
            self.signal.notify(self.id);
        }
    }

    /// The endpoint failed its readiness: it is out at once.
    pub(crate) fn record_broken(&self) {
        self.failures.fetch_add(1, Relaxed);
        self.consecutive.store(self.threshold, SeqCst);
    }

    pub(crate) fn is_failing(&self) -> bool {
        self.consecutive.load(SeqCst) >= self.threshold
    }

    pub(crate) fn threshold(&self) -> u32 {
        self.threshold
    }

    /// A request completed (its `InFlight` guard dropped).
    pub(crate) fn finish(&self, probe: bool, resolved: bool) {
        if probe {
            if resolved {
                self.probation.store(false, SeqCst);
            }
            self.probe_in_flight.store(false, SeqCst);
        }
        let before = self.in_flight.fetch_sub(1, AcqRel);
        if probe || before == REMOVED_BIT | 1 {
            self.signal.notify(self.id);
        }
    }
}
