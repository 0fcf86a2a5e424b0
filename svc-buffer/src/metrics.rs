//! [`Metrics`]: a snapshot of a buffer's queue and counters.

/// A snapshot of a buffer's queue and counters, from
/// [`Buffer::metrics`](crate::Buffer::metrics), for a proxy to export.
///
/// Counters only grow. Each value is read on its own (relaxed loads), so a snapshot taken
/// while requests flow may mix slightly different moments.
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, Service};
///
/// let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x) });
/// let (mut buffer, _worker) = svc_buffer::Buffer::pair(svc, 8);
/// let waker = futures::task::noop_waker();
/// let _ = buffer.poll_ready(&mut std::task::Context::from_waker(&waker));
/// let metrics = buffer.metrics();
/// assert_eq!(metrics.queue_depth(), 1, "the reservation holds a slot");
/// assert_eq!(metrics.capacity(), 8);
/// assert_eq!(metrics.served(), 0);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    pub(crate) queue_depth: usize,
    pub(crate) capacity: usize,
    pub(crate) served: u64,
    pub(crate) direct: u64,
    pub(crate) skipped: u64,
    pub(crate) failed: u64,
    pub(crate) service_failed: bool,
}

impl Metrics {
    /// Slots in use: requests waiting in the queue plus slots reserved by handles whose
    /// `poll_ready` returned `Ready(Ok(()))` and that have not called yet. This is what
    /// backpressure sees: callers wait once it reaches [`capacity`](Metrics::capacity).
    pub fn queue_depth(&self) -> usize {
        self.queue_depth
    }

    /// The bound the buffer was created with.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Requests handed to the inner service, by the worker or on the direct path.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// Of [`served`](Metrics::served), the requests whose caller handed them to the
    /// inner service itself, on the direct path: nothing was queued and the service was
    /// ready (see [`Buffer`](crate::Buffer)).
    pub fn served_directly(&self) -> u64 {
        self.direct
    }

    /// Requests the worker took out of the queue and dropped because their caller had
    /// dropped its response future.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Requests answered with the inner service's readiness error (queued when it
    /// failed).
    pub fn failed(&self) -> u64 {
        self.failed
    }

    /// Whether the inner service failed its readiness, which stopped the buffer.
    pub fn is_service_failed(&self) -> bool {
        self.service_failed
    }
}
