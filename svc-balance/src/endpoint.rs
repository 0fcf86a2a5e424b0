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
    Ordering::{AcqRel, Relaxed, SeqCst},
};
use rt_core::loom::sync::{Arc, Mutex};

use crate::load::Load;
use crate::signal::{EndpointWake, Signal};
use crate::state::{CLAIMED, PENDING, READY};

pub(crate) struct Endpoint<K, S, L> {
    pub(crate) key: K,
    pub(crate) id: usize,
    pub(crate) state: AtomicU32,
    /// Set by the driver when it wants the endpoint out while a handle has it claimed.
    pub(crate) attention: AtomicBool,
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
            attention: AtomicBool::new(false),
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

    /// The claimer leaves `CLAIMED` for `next`, and tells the driver if it asked.
    pub(crate) fn release(&self, next: u32) {
        self.state.store(next, SeqCst);
        if self.attention.load(SeqCst) {
            self.tracker.signal.notify(self.id);
        }
    }

    /// The driver takes the endpoint (to state `to`) from wherever it is, unless a
    /// handle has it claimed: then it returns `false`, and the handle notifies the
    /// driver when it lets go (the `attention` handshake), so the driver tries again.
    pub(crate) fn seize(&self, to: u32) -> bool {
        self.attention.store(true, SeqCst);
        let mut current = self.state.load(SeqCst);
        loop {
            if current == CLAIMED {
                return false;
            }
            // From `READY` this races with claims; from the driver's own states it
            // cannot fail.
            match self.state.compare_exchange(current, to, SeqCst, SeqCst) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        self.attention.store(false, SeqCst);
        true
    }
}

/// The part of an endpoint its requests hold: load, counters and failure accrual.
pub(crate) struct Tracker<L> {
    pub(crate) id: usize,
    pub(crate) load: L,
    pub(crate) signal: Arc<Signal>,
    threshold: u32,
    pub(crate) in_flight: AtomicU64,
    pub(crate) requests: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) consecutive: AtomicU32,
    pub(crate) removed: AtomicBool,
    /// Back from a penalty: the next request is a probe.
    pub(crate) probation: AtomicBool,
    pub(crate) probe_in_flight: AtomicBool,
}

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
            removed: AtomicBool::new(false),
            probation: AtomicBool::new(false),
            probe_in_flight: AtomicBool::new(false),
        }
    }

    /// A request is sent.
    pub(crate) fn begin(&self) {
        self.in_flight.fetch_add(1, Relaxed);
        self.requests.fetch_add(1, Relaxed);
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
        let before = self.in_flight.fetch_sub(1, SeqCst);
        if probe {
            if resolved {
                self.probation.store(false, SeqCst);
            }
            self.probe_in_flight.store(false, SeqCst);
            self.signal.notify(self.id);
        } else if before == 1 && self.removed.load(SeqCst) {
            self.signal.notify(self.id);
        }
    }
}
