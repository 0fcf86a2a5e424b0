//! [`Shared`]: what the handles and the driver share, behind an `Arc`.
//!
//! # Protocol
//!
//! * The driver alone writes the endpoint lists: it replaces the published lists under
//!   the `published` mutex, then bumps `generation`. A handle compares
//!   `generation` with its own copy on each `poll_ready` (one load) and takes
//!   the mutex only when it moved, so the per-request path takes no lock.
//!   Both are sequentially consistent: they take part in the waiter handshake below
//!   (a publication is a change waiters must not miss).
//! * A handle that finds no ready endpoint registers its waker in `waiters`, sets
//!   `has_waiters`, and looks again. Whoever makes an endpoint ready (or changes the
//!   lists) stores the state first and then swaps `has_waiters`; with both sides
//!   sequentially consistent, either the waker is seen or the second look sees the
//!   ready endpoint. (A `SeqCst` fence on each side makes this hold in the memory
//!   model loom checks, not only on hardware.)

use std::any::Any;
use std::task::Waker;

use rt_core::loom::sync::atomic::{
    fence, AtomicBool, AtomicU64, AtomicUsize,
    Ordering::{Relaxed, SeqCst},
};
use rt_core::loom::sync::{Arc, Mutex};

use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::signal::Signal;

/// A published list of endpoints. (std's `Arc`: loom's cannot hold a slice; the list
/// itself is immutable once published, and the mutex orders its hand-over.)
pub(crate) type List<K, S, L> = std::sync::Arc<[Arc<Endpoint<K, S, L>>]>;

pub(crate) struct Published<K, S, L> {
    /// Endpoints in rotation (neither ejected nor removed): what handles pick from.
    pub(crate) rotation: List<K, S, L>,
    /// Every endpoint not removed, ejected ones included (for metrics).
    pub(crate) all: List<K, S, L>,
}

pub(crate) struct Shared<K, S, L> {
    pub(crate) generation: AtomicU64,
    published: Mutex<Published<K, S, L>>,
    waiters: Mutex<Vec<Waker>>,
    has_waiters: AtomicBool,
    pub(crate) signal: Arc<Signal>,
    /// Live `Balance` handles; the driver ends at zero.
    pub(crate) handles: AtomicUsize,
    /// Endpoints inserted and not removed (ejected ones included).
    pub(crate) endpoints: AtomicUsize,
    pub(crate) discovery_closed: AtomicBool,
    /// The driver is gone.
    pub(crate) closed: AtomicBool,
    pub(crate) counters: Counters,
    pub(crate) config: Config,
    /// The latest readiness error of an endpoint, its type erased (`S::Error`).
    last_error: Mutex<Option<AnyError>>,
}

/// An endpoint's readiness error with its type erased.
pub(crate) type AnyError = std::sync::Arc<dyn Any + Send + Sync>;

/// Counters only the driver writes.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) inserted: AtomicU64,
    pub(crate) removed: AtomicU64,
    pub(crate) ejections: AtomicU64,
    pub(crate) readiness_errors: AtomicU64,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }
}

impl<K, S, L> Shared<K, S, L> {
    pub(crate) fn new(config: Config) -> Shared<K, S, L> {
        Shared {
            generation: AtomicU64::new(0),
            published: Mutex::new(Published {
                rotation: std::sync::Arc::from(Vec::new()),
                all: std::sync::Arc::from(Vec::new()),
            }),
            waiters: Mutex::new(Vec::new()),
            has_waiters: AtomicBool::new(false),
            signal: Arc::new(Signal::default()),
            handles: AtomicUsize::new(1),
            endpoints: AtomicUsize::new(0),
            discovery_closed: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            counters: Counters::default(),
            config,
            last_error: Mutex::new(None),
        }
    }

    /// Records an endpoint's readiness error (slow path: the endpoint is then ejected).
    pub(crate) fn set_last_error(&self, error: AnyError) {
        Counters::bump(&self.counters.readiness_errors);
        *self.last_error.lock() = Some(error);
    }

    /// The latest readiness error, typed again.
    pub(crate) fn last_error<E: Send + Sync + 'static>(&self) -> Option<std::sync::Arc<E>> {
        let error = self.last_error.lock().clone()?;
        error.downcast::<E>().ok()
    }

    /// The rotation and its generation, if the generation is not `seen`.
    pub(crate) fn rotation_since(&self, seen: u64) -> Option<(u64, List<K, S, L>)> {
        // SeqCst (a plain load on x86 and arm64): a waiter's second look must see a
        // generation published before the driver found no waiter (see the protocol).
        if self.generation.load(SeqCst) == seen {
            return None;
        }
        let published = self.published.lock();
        Some((self.generation.load(SeqCst), published.rotation.clone()))
    }

    /// Every endpoint not removed.
    pub(crate) fn all(&self) -> List<K, S, L> {
        self.published.lock().all.clone()
    }

    /// Publishes new lists (driver only).
    pub(crate) fn publish(&self, rotation: List<K, S, L>, all: List<K, S, L>) {
        let mut published = self.published.lock();
        *published = Published { rotation, all };
        self.generation.fetch_add(1, SeqCst);
        drop(published);
        self.wake_waiters();
    }

    /// Registers a handle waiting for a ready endpoint.
    pub(crate) fn register_waiter(&self, waker: &Waker) {
        let mut waiters = self.waiters.lock();
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
        self.has_waiters.store(true, SeqCst);
        // Pairs with the fence in `wake_waiters` (store-load on two locations).
        fence(SeqCst);
    }

    /// `wake_waiters` on the per-request path, after `Endpoint::release`'s `SeqCst`
    /// swap made the endpoint ready: that swap and this `SeqCst` load against the
    /// waiter's `SeqCst` store and loads are a store-load handshake the C++ memory
    /// model guarantees without a fence (and x86 / arm64 give for free). Loom does not
    /// model `SeqCst` across locations, so under loom the fence stands in.
    pub(crate) fn wake_waiters_after_release(&self) {
        #[cfg(loom)]
        fence(SeqCst);
        if self.has_waiters.load(SeqCst) {
            self.wake_waiters();
        }
    }

    /// Wakes the waiting handles (after an endpoint became ready or the lists changed).
    pub(crate) fn wake_waiters(&self) {
        // The caller just made an endpoint ready (or published): that write, then this
        // fence, then the flag; a waiter writes the flag, fences, then looks at the
        // endpoints. One of the two sees the other's write.
        fence(SeqCst);
        if self.has_waiters.load(Relaxed) && self.has_waiters.swap(false, SeqCst) {
            let waiters = std::mem::take(&mut *self.waiters.lock());
            for waker in waiters {
                waker.wake();
            }
        }
    }
}
