//! [`Buffer`]: the clonable handle.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll};

use rt_core::sync::mpsc::{self, PollSender};
use svc_trait::Service;

use crate::direct::{Attempt, Core, Direct};
use crate::future::ResponseFuture;
use crate::message::Message;
use crate::metrics::Metrics;
use crate::shared::{Failure, Shared};
use crate::worker::Worker;
use crate::BufferError;

/// A clonable handle that queues requests for a worker task driving the inner service.
///
/// `Req` is the request type and `F` the inner service's response future: the worker
/// calls the inner service and hands that future back, and the caller's
/// [`ResponseFuture`] polls it, so slow responses run on the callers' tasks and never
/// hold up the worker.
///
/// # The direct path
///
/// A `call` that finds nothing queued ahead of it (its own reservation is the only
/// slot in use) and the service free and ready calls the service itself, on the
/// caller's task, and gets the response future at once: no trip through the queue and
/// the worker, no reply channel. This is the common case of a buffer in front of a
/// service that is ready most of the time, such as a load balancer. Otherwise the
/// request is queued, and queued requests are served in order: a newcomer never
/// overtakes them. The service sits behind a lock that the worker holds for each of
/// its turns and that a caller only ever *tries* (a caller never waits for it). See
/// [`Metrics::served_directly`](crate::Metrics::served_directly).
///
/// # Readiness and reservations
///
/// [`poll_ready`](Service::poll_ready) reserves one slot of the bounded queue (waiting,
/// in FIFO order, while all `bound` slots are taken); [`call`](Service::call) puts the
/// request in it. A reservation never outlives its use:
///
/// * [`disarm`](Service::disarm) gives it back (the `svc-trait` rule for a caller that
///   saw `Ready(Ok(()))` and will not call);
/// * dropping the handle gives it back;
/// * a clone starts without one (readiness belongs to the handle that was polled);
/// * a caller that drops its [`ResponseFuture`] while its request is still queued gets
///   it skipped: the worker never sends it to the inner service. (A request that took
///   the direct path was handed to the service in `call`.)
///
/// # Failure
///
/// When the inner service fails its `poll_ready` (on the worker or on the direct path),
/// the error is recorded and the service dropped; the worker closes the queue on its
/// next turn and answers every queued request with the error
/// ([`BufferError::is_service_error`]); every `poll_ready` after the close returns it
/// too. When the worker disappears without such an error (its runtime shut down, the
/// worker future was dropped, the service panicked), callers get
/// [`BufferError::is_closed`]. A panic of the service on the direct path is caught and
/// ends the buffer the same way: it does not unwind into the caller's task, and the
/// service is not called again. Nobody waits forever. The inner error type must be
/// `Send + Sync + 'static`: one error value is shared by every caller.
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, ServiceExt};
///
/// let rt = rt_sched::Builder::new_current_thread().build().unwrap();
/// rt.block_on(async {
///     let double = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x * 2) });
///     let buffer = svc_buffer::Buffer::new(double, 16);
///     let (a, b) = (buffer.clone(), buffer);
///     assert_eq!(a.oneshot(1).await.unwrap(), 2);
///     assert_eq!(b.oneshot(2).await.unwrap(), 4);
/// });
/// ```
pub struct Buffer<Req, F> {
    tx: PollSender<Message<Req, F>>,
    /// Whether `poll_ready` returned `Ready(Ok(()))` since the last `call` or `disarm`.
    reserved: bool,
    core: Arc<dyn Direct<Req, F>>,
}

impl<Req, F> Buffer<Req, F> {
    /// Spawns a worker for `service` on the current `rt-sched` runtime, with a queue of
    /// `bound` requests, and returns a handle to it.
    ///
    /// `bound` counts queued requests and reserved slots together; pick it like a
    /// channel's capacity (for a proxy, a few times the expected concurrency).
    ///
    /// # Panics
    ///
    /// When `bound` is 0, or when called outside an `rt-sched` runtime (use
    /// [`pair`](Buffer::pair) to spawn the worker elsewhere).
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # rt_sched::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let svc = service_fn(|name: &'static str| async move { Ok::<_, std::io::Error>(name.len()) });
    /// let buffer = svc_buffer::Buffer::new(svc, 1024);
    /// assert_eq!(buffer.oneshot("hello").await.unwrap(), 5);
    /// # });
    /// ```
    #[track_caller]
    pub fn new<S>(service: S, bound: usize) -> Buffer<Req, F>
    where
        S: Service<Req, Future = F> + Send + 'static,
        S::Error: Send + Sync + 'static,
        Req: Send + 'static,
        F: Send + 'static,
    {
        let (buffer, worker) = Buffer::pair(service, bound);
        drop(rt_sched::spawn(worker));
        buffer
    }

    /// A handle and the worker future, for callers who spawn the worker themselves (on
    /// another runtime, a dedicated thread).
    ///
    /// The worker completes when every handle is dropped and the queue is empty, or
    /// once it has answered every queued request with the inner service's failure.
    /// Until it is polled, queued requests wait (a call that takes the direct path
    /// does not need it); if it is dropped, it drops the service, and callers get
    /// [`Closed`](crate::error::Closed) errors.
    ///
    /// The service must be `Send`: on the direct path, callers call it from their own
    /// tasks, whichever thread those run on.
    ///
    /// # Panics
    ///
    /// When `bound` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # futures::executor::block_on(async {
    /// let svc = service_fn(|x: u8| async move { Ok::<_, std::io::Error>(x + 1) });
    /// let (buffer, worker) = svc_buffer::Buffer::pair(svc, 4);
    /// let call = buffer.oneshot(1);
    /// let (answer, ()) = futures::join!(call, worker); // the worker ends with the last handle
    /// assert_eq!(answer.unwrap(), 2);
    /// # });
    /// ```
    #[track_caller]
    pub fn pair<S>(service: S, bound: usize) -> (Buffer<Req, F>, Worker<S, Req>)
    where
        S: Service<Req, Future = F> + Send + 'static,
        S::Error: Send + Sync + 'static,
    {
        assert!(bound > 0, "svc_buffer::Buffer requires a bound of at least 1");
        let (tx, rx) = mpsc::channel(bound);
        let core = Arc::new(Core::new(service));
        let worker = Worker::new(core.clone(), rx);
        let buffer = Buffer {
            tx: PollSender::new(tx),
            reserved: false,
            core,
        };
        (buffer, worker)
    }

    /// A snapshot of the queue and the buffer's counters.
    ///
    /// Cheap: a few relaxed atomic loads and an uncontended lock (the recorded failure's,
    /// which only failure paths ever take otherwise).
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # rt_sched::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let svc = service_fn(|x: u8| async move { Ok::<_, std::io::Error>(x) });
    /// let buffer = svc_buffer::Buffer::new(svc, 8);
    /// buffer.clone().oneshot(1).await.unwrap();
    /// let metrics = buffer.metrics();
    /// assert_eq!((metrics.served(), metrics.queue_depth(), metrics.capacity()), (1, 0, 8));
    /// # });
    /// ```
    pub fn metrics(&self) -> Metrics {
        let (queue_depth, capacity) = match self.tx.get_ref() {
            Some(tx) if !tx.is_closed() => (tx.max_capacity().saturating_sub(tx.capacity()), tx.max_capacity()),
            Some(tx) => (0, tx.max_capacity()),
            None => (0, 0),
        };
        let direct = Shared::read(&self.core.shared().direct);
        Metrics {
            queue_depth,
            capacity,
            // Two counters, each only growing, each read once: `served` (their sum) is
            // never below `direct`, and `served - direct` never goes backwards.
            served: Shared::read(&self.core.shared().served) + direct,
            direct,
            skipped: Shared::read(&self.core.shared().skipped),
            failed: Shared::read(&self.core.shared().failed),
            service_failed: self.core.shared().has_failed(),
        }
    }

    /// Whether the queue is closed: the worker failed or is gone. `poll_ready` on
    /// this handle will return the error (unless it already holds a reservation).
    /// After a readiness failure on the direct path, the queue closes on the worker's
    /// next turn; [`Metrics::is_service_failed`] tells at once.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_trait::service_fn;
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, std::io::Error>(x) });
    /// let (buffer, worker) = svc_buffer::Buffer::pair(svc, 1);
    /// assert!(!buffer.is_closed());
    /// drop(worker);
    /// assert!(buffer.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl<Req, F, T, E> Service<Req> for Buffer<Req, F>
where
    F: Future<Output = Result<T, E>>,
    E: Send + Sync + 'static,
{
    type Response = T;
    type Error = BufferError<E>;
    type Future = ResponseFuture<F>;

    /// Reserves a queue slot for the next `call`.
    ///
    /// # Errors
    ///
    /// The inner service's readiness error ([`BufferError::is_service_error`]) once it
    /// failed, or [`BufferError::is_closed`] once the worker is gone.
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self.tx.poll_reserve(cx) {
            Poll::Ready(Ok(())) => {
                self.reserved = true;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(_)) => Poll::Ready(Err(self.core.shared().failure().into_error())),
            Poll::Pending => Poll::Pending,
        }
    }

    /// Calls the inner service with `request` on the direct path, or queues it in the
    /// reserved slot.
    ///
    /// # Panics
    ///
    /// When `poll_ready` did not return `Ready(Ok(()))` since the last `call` or
    /// `disarm`.
    fn call(&mut self, request: Req) -> Self::Future {
        // The direct path: our reservation is the only slot in use, so nothing is
        // queued ahead of this request.
        let reserved = std::mem::replace(&mut self.reserved, false);
        let request = match self.tx.get_ref() {
            Some(tx) if reserved && tx.capacity() + 1 == tx.max_capacity() => match self.core.try_call(request) {
                Attempt::Called(future) => {
                    self.tx.abort_send();
                    return ResponseFuture::called(future);
                }
                Attempt::Queue(request) => request,
                Attempt::Panicked => {
                    self.tx.abort_send();
                    return ResponseFuture::failed(Failure::Closed);
                }
            },
            _ => request,
        };
        let (message, rx) = Message::new(request);
        match self.tx.send_item(message) {
            Ok(()) => ResponseFuture::new(rx),
            // The worker went away since the reservation.
            Err(_) => ResponseFuture::failed(self.core.shared().failure()),
        }
    }

    /// Gives back a reserved slot; a no-op without one.
    fn disarm(&mut self) {
        self.reserved = false;
        self.tx.abort_send();
    }
}

impl<Req, F> Clone for Buffer<Req, F> {
    /// A handle to the same worker, without a reservation.
    fn clone(&self) -> Buffer<Req, F> {
        Buffer {
            tx: self.tx.clone(),
            reserved: false,
            core: self.core.clone(),
        }
    }
}

impl<Req, F> fmt::Debug for Buffer<Req, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Buffer")
            .field("tx", &self.tx)
            .field("metrics", &self.metrics())
            .finish()
    }
}
