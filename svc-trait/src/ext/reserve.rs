//! [`Reserved`]: readiness held by a guard that disarms on drop.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Service;

/// Future returned by [`ServiceExt::reserve`](crate::ServiceExt::reserve): resolves to a
/// [`Reserved`] guard once the service is ready.
#[must_use = "futures do nothing unless polled"]
pub struct Reserve<'a, S: ?Sized, Req> {
    inner: Option<&'a mut S>,
    _req: PhantomData<fn(Req)>,
}

impl<'a, S: ?Sized, Req> Reserve<'a, S, Req> {
    pub(crate) fn new(service: &'a mut S) -> Self {
        Reserve {
            inner: Some(service),
            _req: PhantomData,
        }
    }
}

impl<'a, S, Req> Future for Reserve<'a, S, Req>
where
    S: Service<Req> + ?Sized,
{
    type Output = Result<Reserved<'a, S, Req>, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let svc = self.inner.as_mut().expect("`Reserve` polled after completion");
        match svc.poll_ready(cx) {
            Poll::Ready(Ok(())) => {
                let service = self.inner.take().expect("checked above");
                Poll::Ready(Ok(Reserved {
                    service,
                    armed: true,
                    _req: PhantomData,
                }))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: ?Sized, Req> fmt::Debug for Reserve<'_, S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserve").field("done", &self.inner.is_none()).finish()
    }
}

/// Readiness of a service, held by a guard.
///
/// [`call`](Reserved::call) consumes the guard and the readiness. Dropping the guard
/// without calling calls [`Service::disarm`], so a reservation taken by `poll_ready` is
/// always either used or released, even on an early return or a cancelled future.
///
/// # Examples
///
/// ```
/// use svc_trait::{service_fn, ServiceExt};
///
/// # futures::executor::block_on(async {
/// let mut svc = service_fn(|x: u32| async move { Ok::<_, ()>(x + 1) });
/// let reserved = svc.reserve().await.unwrap();
/// assert_eq!(reserved.call(1).await, Ok(2));
///
/// let reserved = svc.reserve().await.unwrap();
/// drop(reserved); // not used: `disarm` releases the readiness
/// # });
/// ```
#[must_use = "dropping a `Reserved` releases the readiness at once"]
pub struct Reserved<'a, S, Req>
where
    S: Service<Req> + ?Sized,
{
    service: &'a mut S,
    armed: bool,
    _req: PhantomData<fn(Req)>,
}

impl<S, Req> Reserved<'_, S, Req>
where
    S: Service<Req> + ?Sized,
{
    /// Calls the service with `req`, using the held readiness.
    pub fn call(mut self, req: Req) -> S::Future {
        self.armed = false;
        self.service.call(req)
    }

    /// Returns a shared reference to the reserved service.
    pub fn get_ref(&self) -> &S {
        self.service
    }
}

impl<S, Req> Drop for Reserved<'_, S, Req>
where
    S: Service<Req> + ?Sized,
{
    fn drop(&mut self) {
        if self.armed {
            self.service.disarm();
        }
    }
}

impl<S, Req> fmt::Debug for Reserved<'_, S, Req>
where
    S: Service<Req> + ?Sized,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reserved").field("armed", &self.armed).finish()
    }
}

#[cfg(test)]
mod tests {
    use std::future::{ready, Ready};
    use std::task::{Context, Poll};

    use crate::{Service, ServiceExt};

    /// A service with one slot: `poll_ready` takes it, `call` or `disarm` gives it back.
    #[derive(Default)]
    struct OneSlot {
        taken: bool,
        mine: bool,
    }

    impl Service<()> for OneSlot {
        type Response = ();
        type Error = ();
        type Future = Ready<Result<(), ()>>;

        fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
            if self.mine {
                return Poll::Ready(Ok(()));
            }
            if self.taken {
                return Poll::Pending;
            }
            self.taken = true;
            self.mine = true;
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: ()) -> Self::Future {
            self.mine = false;
            self.taken = false;
            ready(Ok(()))
        }

        fn disarm(&mut self) {
            if std::mem::take(&mut self.mine) {
                self.taken = false;
            }
        }
    }

    fn poll_reserve(svc: &mut OneSlot) -> bool {
        let waker = futures::task::noop_waker();
        let mut fut = svc.reserve();
        match std::pin::Pin::new(&mut fut).poll_ready_once(&waker) {
            Poll::Ready(Ok(reserved)) => {
                drop(reserved);
                true
            }
            _ => false,
        }
    }

    trait PollOnce: std::future::Future + Unpin {
        fn poll_ready_once(&mut self, waker: &std::task::Waker) -> Poll<Self::Output> {
            std::pin::Pin::new(self).poll(&mut Context::from_waker(waker))
        }
    }
    impl<F: std::future::Future + Unpin> PollOnce for F {}

    #[test]
    fn abandoned_reservations_never_starve() {
        let mut svc = OneSlot::default();
        for _ in 0..3 {
            assert!(poll_reserve(&mut svc), "the slot must be free again");
            assert!(!svc.taken, "a dropped `Reserved` must free the slot");
        }
    }
}
