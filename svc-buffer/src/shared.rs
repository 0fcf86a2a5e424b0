//! State shared by a buffer's handles and its worker, and the type-erased failure they
//! pass around.
//!
//! # Protocol
//!
//! * The counters are each bumped by one side: `served`, `skipped` and `failed` by the
//!   worker, `direct` by handles on the direct path (see [`direct`](crate::direct)),
//!   under the service's lock. `Metrics::served` adds `served` and `direct`, so a
//!   snapshot never shows more direct calls than calls.
//! * Whoever holds the service's lock when its readiness fails (the worker, or a
//!   handle on the direct path) records the error in `failure`, once.
//! * The failure is recorded *before* the queue closes (the worker closes it, after it
//!   recorded the failure or found it recorded by a handle). A handle whose reservation
//!   or send fails (the queue is closed) reads `failure` afterwards, so it sees the
//!   error if there was one (the queue's close publishes the write; the mutex orders
//!   it), and reports [`Closed`](crate::error::Closed) otherwise: the worker was dropped
//!   without failing.
//! * Apart from the direct path's counters, handles touch `Shared` only on those error
//!   paths and in [`Buffer::metrics`](crate::Buffer::metrics).

use std::any::Any;

use rt_core::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt_core::loom::sync::Mutex;

use crate::error::{BufferError, Closed, ServiceError};

/// The inner service's readiness error with its type erased, so that types that only
/// know the response future (`Buffer<Req, F>`, `ResponseFuture<F>`) can carry it.
pub(crate) type AnyError = std::sync::Arc<dyn Any + Send + Sync>;

/// Why a request cannot be answered: the worker is gone, or the service failed.
#[derive(Clone)]
pub(crate) enum Failure {
    Closed,
    Service(AnyError),
}

impl Failure {
    /// The typed error. `E` is the inner service's error type, which the worker erased.
    pub(crate) fn into_error<E: Send + Sync + 'static>(self) -> BufferError<E> {
        match self {
            Failure::Closed => Closed::new().into(),
            Failure::Service(any) => ServiceError::from_any(any).into(),
        }
    }
}

/// Counters and the recorded failure, in the [`Core`](crate::direct::Core) held by every
/// handle and the worker.
#[derive(Default)]
pub(crate) struct Shared {
    failure: Mutex<Option<AnyError>>,
    /// Requests the worker handed to the inner service (the queue path).
    pub(crate) served: AtomicU64,
    /// Requests a handle handed over itself, on the direct path (`Metrics::served`
    /// adds the two).
    pub(crate) direct: AtomicU64,
    /// Requests taken out of the queue whose caller was gone.
    pub(crate) skipped: AtomicU64,
    /// Requests answered with the service's failure.
    pub(crate) failed: AtomicU64,
}

impl Shared {
    /// Records the service's failure (under the service's lock, before the queue
    /// closes).
    pub(crate) fn set_failure(&self, error: AnyError) {
        *self.failure.lock() = Some(error);
    }

    /// Why the queue is closed: the recorded failure, or `Closed`.
    pub(crate) fn failure(&self) -> Failure {
        match &*self.failure.lock() {
            Some(error) => Failure::Service(error.clone()),
            None => Failure::Closed,
        }
    }

    /// The recorded failure, if any.
    pub(crate) fn recorded(&self) -> Option<AnyError> {
        self.failure.lock().clone()
    }

    /// Whether a failure was recorded.
    pub(crate) fn has_failed(&self) -> bool {
        self.failure.lock().is_some()
    }

    /// Adds one to a counter.
    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Relaxed);
    }

    /// Reads a counter.
    pub(crate) fn read(counter: &AtomicU64) -> u64 {
        counter.load(Relaxed)
    }
}
