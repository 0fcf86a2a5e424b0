//! [`ConcurrencyLimit`]: the service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use rt_core::sync::semaphore::AcquireOwned;
use rt_core::sync::{OwnedSemaphorePermit, Semaphore};
use svc_trait::Service;

use super::future::ResponseFuture;

/// Limits the number of requests in flight through the inner service.
///
/// `poll_ready` takes one permit of the limit's semaphore and keeps it as the
/// reservation; `call` hands the permit to the [`ResponseFuture`], which releases it when
/// the response is ready or the future is dropped; [`disarm`](Service::disarm) releases a
/// held permit and gives up a pending acquisition. Waiters are served in FIFO order.
///
/// A clone shares the limit of the original (it is the same logical service) but not its
/// readiness: a fresh clone holds no permit. See the [module docs](super) for which
/// constructor shares what.
///
/// # Readiness
///
/// The permit is taken first, then the inner service is polled. While the inner service
/// is not ready the permit stays held (it is the caller's place in line); `disarm`
/// releases it. If the inner `poll_ready` fails, the permit is released before the
/// error is returned.
///
/// # Cost
///
/// With a permit free, `poll_ready` is one compare-and-swap and no allocation. Only when
/// it has to wait does it allocate the boxed acquisition future it keeps until a permit
/// arrives.
///
/// # Examples
///
/// ```
/// use svc_layers::limit::ConcurrencyLimit;
/// use svc_trait::{service_fn, ServiceExt};
///
/// # futures::executor::block_on(async {
/// let mut svc = ConcurrencyLimit::new(service_fn(|x: u32| async move { Ok::<_, ()>(x) }), 1);
/// let reserved = svc.reserve().await?;
/// assert_eq!(reserved.get_ref().available(), 0); // the reservation holds the permit
/// drop(reserved); // not used: the permit goes back
/// assert_eq!(svc.available(), 1);
/// # Ok::<_, ()>(()) }).unwrap();
/// ```
pub struct ConcurrencyLimit<S> {
    inner: S,
    semaphore: Arc<Semaphore>,
    /// The number of permits the limit was built with, when known.
    max: Option<usize>,
    /// The reservation: taken by `poll_ready`, moved out by `call`.
    permit: Option<OwnedSemaphorePermit>,
    /// The acquisition in progress, only while `poll_ready` has to wait.
    acquire: Option<Pin<Box<AcquireOwned>>>,
}

impl<S> ConcurrencyLimit<S> {
    /// Wraps `inner` with a limit of its own of `max` requests in flight.
    ///
    /// Clones of the returned service share this limit. A limit of zero admits nothing:
    /// `poll_ready` stays pending.
    ///
    /// # Panics
    ///
    /// When `max` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_layers::limit::ConcurrencyLimit;
    /// use svc_trait::service_fn;
    ///
    /// let svc = ConcurrencyLimit::new(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), 10);
    /// assert_eq!(svc.max(), Some(10));
    /// ```
    pub fn new(inner: S, max: usize) -> Self {
        Self::from_parts(inner, Arc::new(Semaphore::new(max)), Some(max))
    }

    /// Wraps `inner` with the limit given by `semaphore`: every service built on the same
    /// semaphore shares its permits.
    ///
    /// [`max`](ConcurrencyLimit::max) is `None` for such a service: the semaphore does not
    /// say how many permits it was built with.
    ///
    /// # Panics
    ///
    /// The limit has no error of its own, so a closed semaphore is a bug in the caller:
    /// `poll_ready` panics if it finds `semaphore` closed (see
    /// [`Semaphore::close`]). Permits may be added or forgotten freely.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use rt_core::sync::Semaphore;
    /// use svc_layers::limit::ConcurrencyLimit;
    /// use svc_trait::service_fn;
    ///
    /// let permits = Arc::new(Semaphore::new(4));
    /// let users = ConcurrencyLimit::with_semaphore(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), permits.clone());
    /// let orders = ConcurrencyLimit::with_semaphore(service_fn(|x: u8| async move { Ok::<_, ()>(x) }), permits);
    /// // `users` and `orders` together have at most 4 requests in flight.
    /// # drop((users, orders));
    /// ```
    pub fn with_semaphore(inner: S, semaphore: Arc<Semaphore>) -> Self {
        Self::from_parts(inner, semaphore, None)
    }

    pub(crate) fn from_parts(inner: S, semaphore: Arc<Semaphore>, max: Option<usize>) -> Self {
        ConcurrencyLimit {
            inner,
            semaphore,
            max,
            permit: None,
            acquire: None,
        }
    }

    /// The number of permits free right now (a snapshot), for metrics.
    ///
    /// A permit held by a ready service that has not called yet is not free.
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }

    /// The limit this service was built with, or `None` when it was built from a
    /// semaphore ([`with_semaphore`](ConcurrencyLimit::with_semaphore)).
    pub fn max(&self) -> Option<usize> {
        self.max
    }

    /// The semaphore holding the limit's permits (shared with every service on the same
    /// limit).
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }

    /// Whether this service holds a permit (it is reserved and has not called yet).
    pub fn holds_permit(&self) -> bool {
        self.permit.is_some()
    }

    /// Returns a shared reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Returns a mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Returns the inner service; a held permit is released.
    pub fn into_inner(self) -> S {
        self.inner
    }

    /// Ensures `self.permit` holds a permit, waiting in FIFO order if none is free.
    fn poll_permit(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.permit.is_some() {
            return Poll::Ready(());
        }
        let acquire = match &mut self.acquire {
            Some(acquire) => acquire,
            None => {
                // Fast path: a free permit, one CAS, no allocation.
                match self.semaphore.clone().try_acquire_owned() {
                    Ok(permit) => {
                        self.permit = Some(permit);
                        return Poll::Ready(());
                    }
                    Err(e) if e.is_closed() => closed(),
                    // Slow path: queue up; the future is kept until it completes.
                    Err(_) => self.acquire.insert(Box::pin(self.semaphore.clone().acquire_owned())),
                }
            }
        };
        let permit = ready!(acquire.as_mut().poll(cx)).unwrap_or_else(|_| closed());
        self.acquire = None;
        self.permit = Some(permit);
        Poll::Ready(())
    }
}

#[cold]
#[track_caller]
fn closed() -> ! {
    panic!("the semaphore of a `ConcurrencyLimit` was closed; the limit has no error to report that")
}

impl<S, Req> Service<Req> for ConcurrencyLimit<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        ready!(self.poll_permit(cx));
        match self.inner.poll_ready(cx) {
            Poll::Ready(Err(e)) => {
                // Terminal: a failed service must not keep a place.
                self.permit = None;
                Poll::Ready(Err(e))
            }
            poll => poll,
        }
    }

    /// # Panics
    ///
    /// When called without readiness (no permit held).
    fn call(&mut self, req: Req) -> Self::Future {
        let permit = self
            .permit
            .take()
            .expect("`ConcurrencyLimit::call` before `poll_ready` returned `Ready(Ok(()))`");
        ResponseFuture::new(self.inner.call(req), permit)
    }

    fn disarm(&mut self) {
        self.permit = None;
        self.acquire = None;
        self.inner.disarm();
    }
}

impl<S: Clone> Clone for ConcurrencyLimit<S> {
    /// The clone shares the limit and holds no permit.
    fn clone(&self) -> Self {
        Self::from_parts(self.inner.clone(), self.semaphore.clone(), self.max)
    }
}

impl<S: fmt::Debug> fmt::Debug for ConcurrencyLimit<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConcurrencyLimit")
            .field("inner", &self.inner)
            .field("max", &self.max)
            .field("available", &self.available())
            .field("holds_permit", &self.permit.is_some())
            .field("waiting", &self.acquire.is_some())
            .finish()
    }
}
