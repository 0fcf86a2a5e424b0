//! [`Driver`]: the balancer's own task. It owns discovery, readies endpoints that are
//! not ready, runs failure accrual, and drops removed endpoints once drained.
//!
//! # Protocol
//!
//! Each poll, in phases:
//!
//! 1. register the task's waker with the [`Signal`](crate::signal::Signal) (before
//!    anything is drained, so no notification is lost);
//! 2. apply every discovery change available now (insert: create the endpoint and poll
//!    its readiness; remove: take it out of rotation and drop it once drained);
//! 3. examine each endpoint id notified since the last poll (its service woke it, it
//!    crossed the failure threshold, its probe answered, its last request on a removed
//!    endpoint completed, a handle released it while the driver wanted it);
//! 4. readmit endpoints whose penalty ended, and sleep until the next one ends;
//! 5. publish the new lists if membership changed.
//!
//! The driver never polls every endpoint: only those that were notified, so the work of
//! a turn is proportional to what changed.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::Hash;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use rt_core::loom::sync::atomic::Ordering::SeqCst;
use rt_core::loom::sync::Arc;
use rt_core::time::{Instant, Sleep};
use svc_trait::Service;

use crate::discover::{Change, Discover};
use crate::endpoint::Endpoint;
use crate::load::Load;
use crate::rng::Rng;
use crate::shared::{Counters, Shared};
use crate::state::{EJECTED, PENDING, PROBING, READY, REMOVED};

/// Notifications handled per poll before the driver yields to other tasks.
const BUDGET: usize = 256;

/// What the driver knows of one endpoint.
struct Entry<K, S, L> {
    endpoint: Arc<Endpoint<K, S, L>>,
    /// Ejections in a row (0 when healthy).
    level: u32,
    /// End of the current penalty.
    until: Option<Instant>,
}

/// The balancer's background task (see [`Builder::pair`](crate::Builder::pair)):
/// discovery, endpoint readiness, failure accrual and removal. [`Builder::build`](crate::Builder::build) and
/// [`Balance::new`](crate::Balance::new) spawn it.
///
/// It completes when every [`Balance`](crate::Balance) handle is gone.
///
/// # Cancel safety
///
/// Dropping it drops the discovery source and every endpoint's service; the handles then
/// fail with [`is_closed`](crate::BalanceError::is_closed). Requests already sent
/// complete: they do not need the driver.
#[must_use = "the balancer makes no progress unless its driver is spawned or polled"]
pub struct Driver<K, S, Req, D, L> {
    shared: Arc<Shared<K, S, L>>,
    discover: Option<D>,
    template: L,
    entries: slab::Slab<Entry<K, S, L>>,
    keys: HashMap<K, usize>,
    /// Ids of ejected endpoints.
    penalized: Vec<usize>,
    sleep: Option<Pin<Box<Sleep>>>,
    notified: Vec<usize>,
    rng: Rng,
    /// Membership changed since the last publication.
    dirty: bool,
    _req: PhantomData<fn(Req)>,
}

impl<K, S, Req, D, L> Driver<K, S, Req, D, L>
where
    K: Hash + Eq + Clone,
    S: Service<Req>,
    S::Error: Send + Sync + 'static,
    D: Discover<K, S>,
    L: Load,
{
    pub(crate) fn new(shared: Arc<Shared<K, S, L>>, discover: D, template: L) -> Self {
        Driver {
            shared,
            discover: Some(discover),
            template,
            entries: slab::Slab::new(),
            keys: HashMap::new(),
            penalized: Vec::new(),
            sleep: None,
            notified: Vec::new(),
            rng: Rng::new(),
            dirty: false,
            _req: PhantomData,
        }
    }

    /// Phase 2: applies the available discovery changes.
    fn poll_discover(&mut self, cx: &mut Context<'_>) {
        while let Some(discover) = &mut self.discover {
            match discover.poll_change(cx) {
                Poll::Ready(Some(Change::Insert(key, service))) => self.insert(key, service),
                Poll::Ready(Some(Change::Remove(key))) => self.remove(&key),
                Poll::Ready(None) => {
                    self.discover = None;
                    self.shared.discovery_closed.store(true, SeqCst);
                    self.dirty = true;
                }
                Poll::Pending => return,
            }
        }
    }

    fn insert(&mut self, key: K, service: S) {
        self.remove(&key);
        let id = self.entries.vacant_key();
        let threshold = self.shared.config.failure_threshold;
        let signal = self.shared.signal.clone();
        let load = self.template.fresh();
        let endpoint = Arc::new(Endpoint::new(
            key.clone(),
            id,
            service,
            load,
            signal,
            threshold,
            disarm::<S, Req>,
        ));
        self.entries.insert(Entry {
            endpoint,
            level: 0,
            until: None,
        });
        self.keys.insert(key, id);
        self.shared.endpoints.fetch_add(1, SeqCst);
        Counters::bump(&self.shared.counters.inserted);
        self.dirty = true;
        self.poll_endpoint(id);
    }

    fn remove(&mut self, key: &K) {
        let Some(id) = self.keys.remove(key) else { return };
        self.entries[id].endpoint.tracker.mark_removed();
        self.shared.endpoints.fetch_sub(1, SeqCst);
        Counters::bump(&self.shared.counters.removed);
        self.dirty = true;
        self.retire(id);
    }

    /// Moves a removed endpoint to `REMOVED` and drops it once drained.
    fn retire(&mut self, id: usize) {
        let endpoint = self.entries[id].endpoint.clone();
        if !endpoint.seize(REMOVED) {
            return; // a handle holds it; it notifies us when it lets go
        }
        endpoint.disarm_service();
        if endpoint.tracker.in_flight() == 0 {
            drop(endpoint.take_service());
            self.penalized.retain(|&p| p != id);
            self.entries.remove(id);
        }
    }

    /// Phase 3: looks at a notified endpoint.
    fn examine(&mut self, id: usize) {
        let Some(entry) = self.entries.get(id) else { return };
        let endpoint = entry.endpoint.clone();
        let tracker = &endpoint.tracker;
        if tracker.is_removed() {
            return self.retire(id);
        }
        match endpoint.state() {
            EJECTED | REMOVED => {}
            PROBING if tracker.probe_in_flight.load(SeqCst) => {}
            PROBING => self.end_probation(id),
            // A handle holding it notifies us again when it lets go.
            _ if tracker.is_failing() && endpoint.seize(PENDING) => self.eject(id),
            _ if tracker.is_failing() => {}
            PENDING => self.poll_endpoint(id),
            _ => {}
        }
    }

    /// The probation request answered (or was dropped unanswered).
    fn end_probation(&mut self, id: usize) {
        let endpoint = self.entries[id].endpoint.clone();
        if endpoint.tracker.is_failing() {
            return self.eject(id);
        }
        if !endpoint.tracker.probation.load(SeqCst) {
            self.entries[id].level = 0; // the probe succeeded: back in full rotation
        }
        endpoint.state.store(PENDING, SeqCst);
        self.poll_endpoint(id);
    }

    /// Polls a `PENDING` endpoint's readiness with the endpoint's waker.
    fn poll_endpoint(&mut self, id: usize) {
        let endpoint = self.entries[id].endpoint.clone();
        let mut cx = Context::from_waker(&endpoint.waker);
        let poll = match endpoint.service.lock().as_mut() {
            Some(service) => service.poll_ready(&mut cx),
            None => return,
        };
        match poll {
            Poll::Ready(Ok(())) => {
                endpoint.state.store(READY, SeqCst);
                self.shared.wake_waiters();
            }
            Poll::Pending => {}
            Poll::Ready(Err(error)) => {
                self.shared.set_last_error(std::sync::Arc::new(error));
                endpoint.tracker.record_broken();
                self.eject(id);
            }
        }
    }

    /// Takes a driver-owned endpoint out of rotation for its next penalty.
    fn eject(&mut self, id: usize) {
        let jitter = self.shared.config.jitter * (2.0 * self.rng.unit() - 1.0);
        let entry = &mut self.entries[id];
        entry.level = entry.level.saturating_add(1);
        let penalty = self.shared.config.penalty(entry.level).mul_f64(1.0 + jitter);
        entry.until = Some(Instant::now() + penalty);
        entry.endpoint.state.store(EJECTED, SeqCst);
        entry.endpoint.disarm_service();
        self.penalized.push(id);
        Counters::bump(&self.shared.counters.ejections);
        self.dirty = true;
    }

    /// Phase 4: readmits endpoints whose penalty is over, on probation; `Pending` while
    /// one is still out (the sleep until the next end is registered).
    fn poll_penalties(&mut self, cx: &mut Context<'_>) {
        loop {
            let now = Instant::now();
            let mut next: Option<Instant> = None;
            let mut index = 0;
            while index < self.penalized.len() {
                let id = self.penalized[index];
                let until = self.entries.get(id).and_then(|entry| entry.until);
                match until {
                    Some(until) if until > now => {
                        next = Some(next.map_or(until, |next| next.min(until)));
                        index += 1;
                    }
                    _ => {
                        self.penalized.swap_remove(index);
                        self.readmit(id);
                    }
                }
            }
            let Some(deadline) = next else {
                self.sleep = None;
                return;
            };
            let sleep = self
                .sleep
                .get_or_insert_with(|| Box::pin(rt_core::time::sleep_until(deadline)));
            if sleep.deadline() != deadline {
                sleep.as_mut().reset(deadline);
            }
            if sleep.as_mut().poll(cx).is_pending() {
                return;
            }
        }
    }

    fn readmit(&mut self, id: usize) {
        let Some(entry) = self.entries.get_mut(id) else { return };
        entry.until = None;
        let endpoint = entry.endpoint.clone();
        if endpoint.state() != EJECTED {
            return;
        }
        let tracker = &endpoint.tracker;
        tracker.consecutive.store(tracker.threshold() - 1, SeqCst);
        tracker.probation.store(true, SeqCst);
        endpoint.state.store(PENDING, SeqCst);
        self.dirty = true;
        self.poll_endpoint(id);
    }

    /// Phase 5: publishes the rotation and the full list.
    fn publish(&mut self) {
        self.dirty = false;
        let mut rotation = Vec::with_capacity(self.entries.len());
        let mut all = Vec::with_capacity(self.entries.len());
        for (_, entry) in &self.entries {
            let endpoint = &entry.endpoint;
            if endpoint.tracker.is_removed() {
                continue;
            }
            all.push(endpoint.clone());
            if endpoint.state() != EJECTED {
                rotation.push(endpoint.clone());
            }
        }
        self.shared.publish(rotation.into(), all.into());
    }
}

/// Forwards `disarm` to an endpoint's service (stored as a plain function pointer so
/// the endpoint needs no request type).
fn disarm<S: Service<Req>, Req>(service: &mut S) {
    service.disarm();
}

impl<K, S, Req, D, L> Future for Driver<K, S, Req, D, L>
where
    K: Hash + Eq + Clone,
    S: Service<Req>,
    S::Error: Send + Sync + 'static,
    D: Discover<K, S>,
    L: Load,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Phase 1: the waker first.
        this.shared.signal.register(cx.waker());
        if this.shared.handles.load(SeqCst) == 0 {
            return Poll::Ready(());
        }
        this.poll_discover(cx);
        // Phase 3: notified endpoints, within a budget.
        let mut handled = 0;
        loop {
            this.shared.signal.drain(&mut this.notified);
            if this.notified.is_empty() {
                break;
            }
            let mut ids = std::mem::take(&mut this.notified);
            handled += ids.len();
            for id in ids.drain(..) {
                this.examine(id);
            }
            this.notified = ids;
            if handled >= BUDGET {
                cx.waker().wake_by_ref();
                break;
            }
        }
        this.poll_penalties(cx);
        if this.dirty {
            this.publish();
        }
        Poll::Pending
    }
}

impl<K, S, Req, D, L> Unpin for Driver<K, S, Req, D, L> {}

impl<K, S, Req, D, L> Drop for Driver<K, S, Req, D, L> {
    fn drop(&mut self) {
        self.shared.closed.store(true, SeqCst);
        for (_, entry) in &self.entries {
            entry.endpoint.state.store(REMOVED, SeqCst);
            drop(entry.endpoint.take_service());
        }
        self.shared.wake_waiters();
    }
}

impl<K, S, Req, D, L> fmt::Debug for Driver<K, S, Req, D, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field("endpoints", &self.entries.len())
            .field("ejected", &self.penalized.len())
            .field("discovering", &self.discover.is_some())
            .finish_non_exhaustive()
    }
}
