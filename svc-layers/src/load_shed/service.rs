//! [`LoadShed`]: the service.

use std::fmt;
use std::task::{Context, Poll};

use svc_trait::Service;

use super::{LoadShedError, ResponseFuture};

/// Sheds load: when the inner service is not ready, requests fail at once with an
/// [`Overloaded`](super::Overloaded) error instead of waiting.
///
/// `poll_ready` polls the inner service and always returns `Ready(Ok(()))` (unless the
/// inner service fails); it remembers whether the inner service was ready. The next
/// `call` either forwards (the inner service was ready) or returns a future that fails
/// with [`is_overloaded`](LoadShedError::is_overloaded) — the inner service is never
/// called without its readiness.
///
/// `disarm` forwards to the inner service only when it was ready (that is when it may
/// hold a reservation). A `LoadShed` that is cloned starts not ready, like its inner
/// clone.
///
/// # Errors
///
/// [`LoadShedError`]: [`is_overloaded`](LoadShedError::is_overloaded) from the response
/// future of a shed request; otherwise the inner service's error (from `poll_ready`,
/// which is then terminal as usual, or from the response).
///
/// # Examples
///
/// ```
/// use svc_layers::load_shed::LoadShed;
/// use svc_trait::{service_fn, ServiceExt};
///
/// # futures::executor::block_on(async {
/// let svc = LoadShed::new(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// assert_eq!(svc.oneshot(1).await.unwrap(), 1); // ready inner: passes through
/// # });
/// ```
pub struct LoadShed<S> {
    inner: S,
    /// The inner service returned `Ready(Ok(()))` to the last `poll_ready`, and has not
    /// been called or disarmed since.
    inner_ready: bool,
}

impl<S> LoadShed<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        LoadShed {
            inner,
            inner_ready: false,
        }
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req> Service<Req> for LoadShed<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Error = LoadShedError<S::Error>;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self.inner.poll_ready(cx) {
            Poll::Ready(Ok(())) => self.inner_ready = true,
            Poll::Ready(Err(e)) => {
                self.inner_ready = false;
                return Poll::Ready(Err(LoadShedError::inner_error(e)));
            }
            // Not ready: we are, and the next call is shed.
            Poll::Pending => self.inner_ready = false,
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> Self::Future {
        if std::mem::take(&mut self.inner_ready) {
            ResponseFuture::called(self.inner.call(req))
        } else {
            ResponseFuture::overloaded()
        }
    }

    fn disarm(&mut self) {
        if std::mem::take(&mut self.inner_ready) {
            self.inner.disarm();
        }
    }
}

impl<S: Clone> Clone for LoadShed<S> {
    /// Clones the inner service; the clone is not ready (readiness stays with `self`).
    fn clone(&self) -> Self {
        LoadShed::new(self.inner.clone())
    }
}

impl<S: fmt::Debug> fmt::Debug for LoadShed<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadShed")
            .field("inner", &self.inner)
            .field("inner_ready", &self.inner_ready)
            .finish()
    }
}
