//! [`Worker`]: the task that drives the inner service for queued requests.
//!
//! # Protocol
//!
//! The worker holds the service's lock (see [`direct`](crate::direct)) for the whole of
//! each poll, and stores its waker next to the service. Each turn of the loop, while
//! the service is healthy:
//!
//! 1. poll the inner service's readiness, *before* taking a request, so requests wait
//!    in the bounded queue (where they count against the bound) while the service is
//!    busy;
//! 2. take the next request; if the queue is empty, `disarm` the service (an idle
//!    worker holds no reservation of the inner service) and wait;
//! 3. skip the request if its caller dropped its response future (the reply channel
//!    is closed); the readiness is kept for the next one;
//! 4. call the service and send the response future back to the caller, who polls it.
//!
//! When the service fails its readiness, the worker records the error in `Shared`
//! (first; or finds it recorded by a handle's direct path), drops the service, closes
//! the queue (so new reservations fail and read the recorded error), and answers every
//! queued request with the error until the queue is drained, including requests sent
//! through reservations taken before the close. When the service panicked (on a
//! handle's direct path, or in an earlier turn of a worker that is polled again), the
//! worker closes the queue and ends without an error: callers get `Closed`.
//! Dropping a failed worker answers what is still queued the same way; dropping a
//! healthy one drops the queued requests, whose callers see `Closed`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use rt_core::sync::mpsc;
use svc_trait::Service;

use crate::direct::Core;
use crate::message::Message;
use crate::shared::{AnyError, Shared};

/// The future that drives a buffer's inner service and serves its queue; spawn it (or
/// poll it) for the [`Buffer`](crate::Buffer) handles of [`Buffer::pair`](crate::Buffer::pair)
/// to make progress. [`Buffer::new`](crate::Buffer::new) spawns it for you.
///
/// It completes when every handle is gone and the queue is drained, or, after the
/// inner service failed, once every queued request has been answered with the error,
/// or after the service panicked on a handle's direct path (queued callers get
/// [`Closed`](crate::error::Closed)).
///
/// # Cancel safety
///
/// Dropping it drops the inner service. Requests still queued are answered with the
/// service's error if it had failed, and otherwise dropped: their callers get
/// [`Closed`](crate::error::Closed).
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, ServiceExt};
///
/// let svc = service_fn(|x: u8| async move { Ok::<_, std::io::Error>(x) });
/// let (buffer, worker) = svc_buffer::Buffer::pair(svc, 4);
/// let thread = std::thread::spawn(move || futures::executor::block_on(worker));
/// let answer = futures::executor::block_on(buffer.oneshot(7)).unwrap();
/// assert_eq!(answer, 7);
/// thread.join().unwrap(); // the last handle is gone: the worker finished
/// ```
pub struct Worker<S, Req>
where
    S: Service<Req>,
{
    /// The service (behind the lock the direct path also takes) and the shared state.
    core: Arc<Core<S>>,
    rx: mpsc::Receiver<Message<Req, S::Future>>,
    /// The service's readiness error, once it failed.
    failure: Option<AnyError>,
}

impl<S, Req> Worker<S, Req>
where
    S: Service<Req>,
    S::Error: Send + Sync + 'static,
{
    pub(crate) fn new(core: Arc<Core<S>>, rx: mpsc::Receiver<Message<Req, S::Future>>) -> Self {
        Worker {
            core,
            rx,
            failure: None,
        }
    }

    /// Serves requests while the service is healthy; `Ready` when it finished (every
    /// handle gone) or failed.
    fn poll_serve(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let core = &*self.core;
        let mut slot = PoisonOnUnwind(core.slot.lock());
        // The direct path polls readiness with this waker (see `direct`).
        match &slot.0.worker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => slot.0.worker = Some(cx.waker().clone()),
        }
        // The loop ends with the service's readiness error, or with `None` when the
        // service is gone (failed on a handle's direct path) or poisoned (an earlier
        // turn unwound out of it: it is not called again, and callers get `Closed`).
        let error = loop {
            if slot.0.poisoned {
                break None;
            }
            let Some(service) = slot.0.service.as_mut() else {
                break None;
            };
            // Phase 1: readiness before a request leaves the queue.
            match service.poll_ready(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(error)) => break Some(error),
                Poll::Pending => return Poll::Pending,
            }
            // Phase 2: the next request.
            let message = match self.rx.poll_recv(cx) {
                Poll::Ready(Some(message)) => message,
                Poll::Ready(None) => {
                    let done = slot.0.service.take();
                    slot.0.worker = None;
                    drop(slot);
                    drop(done);
                    return Poll::Ready(());
                }
                Poll::Pending => {
                    // Nobody holds the lock with the service ready but unused.
                    service.disarm();
                    return Poll::Pending;
                }
            };
            // Phase 3: a caller that is gone is skipped; the readiness stays.
            if message.reply.is_closed() {
                Shared::bump(&core.shared.skipped);
                continue;
            }
            // Phase 4: call, and hand the response future to the caller.
            let future = service.call(message.request);
            Shared::bump(&core.shared.served);
            let _ = message.reply.send(Ok(future));
        };
        if let Some(error) = error {
            // Before the queue closes: a handle that finds it closed reads it.
            core.shared.set_failure(std::sync::Arc::new(error));
        }
        // Dropped once the lock is released: a service's drop may take time.
        let dead = slot.0.service.take();
        drop(slot);
        drop(dead);
        self.fail_recorded();
        Poll::Ready(())
    }

    /// Takes up the recorded failure (the service is already gone) and closes the
    /// queue, so that new reservations fail and read it.
    fn fail_recorded(&mut self) {
        self.failure = self.core.shared.recorded();
        self.rx.close();
    }
}

/// The worker's hold on the slot; if a turn unwinds (the service panicked), marks the
/// service as unusable for the direct path until the `Worker` is dropped.
struct PoisonOnUnwind<'a, S>(rt_core::loom::sync::MutexGuard<'a, crate::direct::Slot<S>>);

impl<S> Drop for PoisonOnUnwind<'_, S> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poisoned = true;
        }
    }
}

impl<S, Req> Worker<S, Req>
where
    S: Service<Req>,
{
    /// Answers queued requests with the failure until the queue is drained.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        while let Some(message) = ready!(self.rx.poll_recv(cx)) {
            self.answer_failed(message);
        }
        Poll::Ready(())
    }

    fn answer_failed(&self, message: Message<Req, S::Future>) {
        let error = self
            .failure
            .clone()
            .expect("only a failed worker answers with its failure");
        if message.reply.send(Err(error)).is_ok() {
            Shared::bump(&self.core.shared.failed);
        }
    }
}

impl<S, Req> Future for Worker<S, Req>
where
    S: Service<Req>,
    S::Error: Send + Sync + 'static,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.failure.is_none() {
            ready!(this.poll_serve(cx));
        }
        if this.failure.is_some() {
            return this.poll_drain(cx);
        }
        Poll::Ready(())
    }
}

// The worker never pins the service, its futures or the requests: it only holds them.
impl<S: Service<Req>, Req> Unpin for Worker<S, Req> {}

impl<S, Req> Drop for Worker<S, Req>
where
    S: Service<Req>,
{
    fn drop(&mut self) {
        // The service goes with the worker (handles hold the core, not the service).
        let (service, waker) = {
            let mut slot = self.core.slot.lock();
            (slot.service.take(), slot.worker.take())
        };
        drop((service, waker));
        // A failure a handle recorded since the worker's last turn counts too.
        if self.failure.is_none() {
            self.failure = self.core.shared.recorded();
        }
        if self.failure.is_some() {
            self.rx.close();
            while let Ok(message) = self.rx.try_recv() {
                self.answer_failed(message);
            }
        }
    }
}

impl<S, Req> fmt::Debug for Worker<S, Req>
where
    S: Service<Req>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("queued", &self.rx.len())
            .field("failed", &self.failure.is_some())
            .finish_non_exhaustive()
    }
}
