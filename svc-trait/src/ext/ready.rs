//! Futures that wait for a service to be ready.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Service;

/// Future returned by [`ServiceExt::ready`](crate::ServiceExt::ready): resolves to
/// `&mut S` once `S` is ready.
///
/// The caller then holds readiness; if it does not `call`, it must
/// [`disarm`](Service::disarm). Prefer [`reserve`](crate::ServiceExt::reserve), which
/// disarms on drop.
#[must_use = "futures do nothing unless polled"]
pub struct Ready<'a, S: ?Sized, Req> {
    inner: Option<&'a mut S>,
    _req: PhantomData<fn(Req)>,
}

impl<'a, S: ?Sized, Req> Ready<'a, S, Req> {
    pub(crate) fn new(service: &'a mut S) -> Self {
        Ready {
            inner: Some(service),
            _req: PhantomData,
        }
    }
}

impl<'a, S, Req> Future for Ready<'a, S, Req>
where
    S: Service<Req> + ?Sized,
{
    type Output = Result<&'a mut S, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let svc = self.inner.as_mut().expect("`Ready` polled after completion");
        match svc.poll_ready(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(self.inner.take().expect("checked above"))),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: ?Sized, Req> fmt::Debug for Ready<'_, S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready").field("done", &self.inner.is_none()).finish()
    }
}

/// Future returned by [`ServiceExt::ready_oneshot`](crate::ServiceExt::ready_oneshot):
/// resolves to the service itself once it is ready.
#[must_use = "futures do nothing unless polled"]
pub struct ReadyOneshot<S, Req> {
    inner: Option<S>,
    _req: PhantomData<fn(Req)>,
}

impl<S, Req> ReadyOneshot<S, Req> {
    pub(crate) fn new(service: S) -> Self {
        ReadyOneshot {
            inner: Some(service),
            _req: PhantomData,
        }
    }
}

// The service is never pinned: it is moved out on completion.
impl<S, Req> Unpin for ReadyOneshot<S, Req> {}

impl<S, Req> Future for ReadyOneshot<S, Req>
where
    S: Service<Req>,
{
    type Output = Result<S, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let svc = self.inner.as_mut().expect("`ReadyOneshot` polled after completion");
        match svc.poll_ready(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(self.inner.take().expect("checked above"))),
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S, Req> fmt::Debug for ReadyOneshot<S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyOneshot")
            .field("done", &self.inner.is_none())
            .finish()
    }
}
