//! The inner service, shared by the worker and the handles, and the *direct path*: a
//! call that skips the queue when nobody is waiting.
//!
//! # Protocol
//!
//! The service lives in a mutex, with the worker task's latest waker next to it.
//!
//! * **The worker** locks it for each of its turns (readiness, take a request, call),
//!   and stores its waker there while it holds the lock.
//! * **A handle's `call`** takes the direct path when (1) its own reservation is the
//!   only slot in use, so no request is queued ahead of it and no other caller is
//!   about to queue one, and (2) the lock is free (`try_lock`: a handle never waits for
//!   the worker). It polls the service's readiness and, when ready, calls the service
//!   on the spot and returns the response future straight to its caller: no reply
//!   channel, no trip through the queue, no wake-up of the worker and of the caller.
//!   Otherwise the request goes through the queue as before.
//!
//! Invariants that keep the two paths from stepping on each other:
//!
//! * **Nobody leaves readiness behind.** Whoever releases the lock leaves the service
//!   without an unused `Ready`: the worker disarms it before it waits for the queue;
//!   the direct path calls right after `Ready(Ok(()))`. So the other side never calls
//!   a service that is not ready.
//! * **The direct path polls with the worker's waker.** A service remembers the waker
//!   of its latest `poll_ready`. If a handle polled with any other waker and got
//!   `Pending`, a worker waiting for that readiness would never be woken (a lost
//!   wake-up). Polling with the worker's waker makes a direct-path poll exactly what
//!   the worker itself would have done. Before the worker's first turn no waker is
//!   stored and a no-op one is used: the worker polls readiness itself on that turn.
//! * **Queued requests go first.** The direct path is only taken with no other slot in
//!   use, so a request that waited in the queue for readiness is never overtaken by a
//!   newcomer that happened to find the service ready.
//! * **Failure.** A direct-path `poll_ready` that fails records the error in `Shared`
//!   (as the worker would), drops the service, wakes the worker and queues its request.
//!   The worker, on finding the service gone with a failure recorded, closes the queue
//!   and answers every queued request with the error. (The queued request alone would
//!   not do: it wakes a worker waiting for the queue, not one waiting for readiness.)
//! * **Panics.** A service that panics on the direct path is dropped and the worker
//!   woken: it finds the service gone without a failure, closes the queue and ends,
//!   and callers get `Closed`, as when the service panics on the worker. The panic
//!   does not unwind into the caller's task. A service that panicked on the worker
//!   stays in the slot until the worker is dropped, marked `poisoned` by the worker's
//!   unwinding guard: the direct path never calls it again.

use std::panic::{self, AssertUnwindSafe};
// `std`'s `Arc`, not the loom shim's, here and in `service.rs` / `worker.rs`: the handles
// hold the core as `Arc<dyn Direct>`, an unsized coercion loom's `Arc` does not offer.
// The count only keeps the core alive; everything the worker and the handles share
// inside it goes through the shim's `Mutex` and atomics, which the loom models check.
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use rt_core::loom::sync::{Mutex, MutexGuard};
use svc_trait::Service;

use crate::shared::Shared;

/// The service and the worker's waker, behind the lock.
pub(crate) struct Slot<S> {
    /// `None` once the service failed or the worker finished.
    pub(crate) service: Option<S>,
    /// The worker task's waker as of its latest turn.
    pub(crate) worker: Option<Waker>,
    /// Set when the worker unwound out of a turn (the service panicked on the worker):
    /// the service stays in place until the `Worker` is dropped, but nobody calls it.
    pub(crate) poisoned: bool,
}

/// What the worker and every handle share: the counters and the recorded failure, and
/// the service itself.
pub(crate) struct Core<S> {
    pub(crate) shared: Shared,
    pub(crate) slot: Mutex<Slot<S>>,
}

impl<S> Core<S> {
    pub(crate) fn new(service: S) -> Core<S> {
        Core {
            shared: Shared::default(),
            slot: Mutex::new(Slot {
                service: Some(service),
                worker: None,
                poisoned: false,
            }),
        }
    }
}

/// How a direct-path attempt went.
pub(crate) enum Attempt<F, Req> {
    /// The service was ready and took the request: its response future.
    Called(F),
    /// The lock was taken, the service gone or not ready (or it just failed its
    /// readiness): the request, for the queue.
    Queue(Req),
    /// The service panicked in `poll_ready` or `call`; it was dropped, as the worker
    /// would have been by the panic, and the buffer is closed.
    Panicked,
}

/// The handles' view of a [`Core`], with the service's type erased (a handle only knows
/// the request and the response future).
pub(crate) trait Direct<Req, F>: Send + Sync {
    /// The counters and the recorded failure.
    fn shared(&self) -> &Shared;

    /// Calls the service on the direct path if the lock is free, the service is there
    /// and it is ready.
    ///
    /// The caller checks that its reservation is the only slot in use first.
    fn try_call(&self, request: Req) -> Attempt<F, Req>;
}

impl<S, Req> Direct<Req, S::Future> for Core<S>
where
    S: Service<Req> + Send,
    S::Error: Send + Sync + 'static,
{
    fn shared(&self) -> &Shared {
        &self.shared
    }

    fn try_call(&self, request: Req) -> Attempt<S::Future, Req> {
        let Some(mut slot) = self.slot.try_lock() else {
            return Attempt::Queue(request);
        };
        let Slot {
            service,
            worker,
            poisoned,
        } = &mut *slot;
        if *poisoned {
            return Attempt::Panicked;
        }
        let Some(inner) = service.as_mut() else {
            return Attempt::Queue(request);
        };
        let waker = worker.as_ref().unwrap_or(Waker::noop());
        // A panic must not escape into the caller's task with the service half-way
        // through a call: on the worker, it would have ended the worker, and every
        // caller would have seen `Closed`. The same happens here.
        let attempt = panic::catch_unwind(AssertUnwindSafe(|| {
            match inner.poll_ready(&mut Context::from_waker(waker)) {
                Poll::Ready(Ok(())) => Ok(Ok(inner.call(request))),
                Poll::Ready(Err(error)) => Ok(Err((request, Some(error)))),
                Poll::Pending => Ok(Err((request, None))),
            }
        }))
        .unwrap_or(Err(()));
        match attempt {
            Ok(Ok(future)) => {
                // Only `direct`: `served` counts the worker's calls, and `Metrics::served`
                // adds the two, so no snapshot shows more direct calls than calls.
                Shared::bump(&self.shared.direct);
                Attempt::Called(future)
            }
            Ok(Err((request, None))) => Attempt::Queue(request),
            Ok(Err((request, Some(error)))) => {
                // Recorded before the service is gone: the worker that finds it gone
                // reads the failure. The queued request wakes the worker.
                self.shared.set_failure(Arc::new(error));
                // The queued request would wake a worker waiting for the queue, not one
                // waiting for the readiness that will now never come.
                retire(slot);
                Attempt::Queue(request)
            }
            Err(()) => {
                // Gone without a recorded failure: the worker closes the queue, and
                // everyone gets `Closed`. Nothing may be queued for it, so wake it.
                retire(slot);
                Attempt::Panicked
            }
        }
    }
}

/// Drops the service out of the locked `slot` (once the lock is released: its drop may
/// take time) and wakes the worker, which finds it gone and closes the queue.
fn retire<S>(mut slot: MutexGuard<'_, Slot<S>>) {
    let dead = slot.service.take();
    let worker = slot.worker.clone();
    drop(slot);
    drop(dead);
    if let Some(worker) = worker {
        worker.wake();
    }
}
