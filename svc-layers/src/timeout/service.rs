//! [`Timeout`]: the service.

use std::fmt;
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::time::sleep;
use svc_trait::Service;

use super::{Override, ResponseFuture, TimeoutError, TimeoutPolicy};

/// Fails requests that take longer than their timeout with an elapsed
/// [`TimeoutError`].
///
/// The timeout of each request comes from the policy `P` (see [`TimeoutPolicy`]): a
/// fixed [`Duration`] by default, or a per-request override. It is measured from `call`;
/// readiness is not timed (put a `Timeout` around the waiting, or use
/// [`LoadShed`](crate::load_shed::LoadShed), for that).
///
/// `poll_ready` and `disarm` forward to the inner service; a readiness error comes back
/// as a [`TimeoutError`] whose [`inner`](TimeoutError::inner) is the inner error.
///
/// # Errors
///
/// [`TimeoutError`]: [`is_elapsed`](TimeoutError::is_elapsed) from the response future
/// when the deadline passes first; otherwise the inner service's error (from
/// `poll_ready` or from the response), reachable with [`inner`](TimeoutError::inner).
///
/// # Panics
///
/// The response future panics if it has to wait for its deadline outside an rt-sched
/// runtime with time enabled. (A response that is ready at its first poll never looks at
/// the timer.)
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::timeout::Timeout;
/// use svc_trait::{service_fn, ServiceExt};
///
/// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let echo = service_fn(|x: u32| async move { Ok::<_, ()>(x) });
/// let svc = Timeout::new(echo, Duration::from_secs(1));
/// assert_eq!(svc.oneshot(7).await.unwrap(), 7);
/// # });
/// ```
#[derive(Clone)]
pub struct Timeout<S, P = Duration> {
    inner: S,
    policy: P,
}

impl<S> Timeout<S> {
    /// Wraps `inner`, with the same `timeout` for every request.
    pub fn new(inner: S, timeout: Duration) -> Self {
        Timeout { inner, policy: timeout }
    }

    /// Wraps `inner`; `f(&req)` overrides the timeout of a request, and its `None` means
    /// `default`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use svc_layers::timeout::Timeout;
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let slow = service_fn(|ms: u64| async move {
    ///     rt_core::time::sleep(Duration::from_millis(ms)).await;
    ///     Ok::<_, ()>(ms)
    /// });
    /// // Requests above 1000 ms of work get twice their size; the rest get 100 ms.
    /// let svc = Timeout::with_override(slow, Duration::from_millis(100), |ms: &u64| {
    ///     (*ms > 1000).then(|| Duration::from_millis(2 * ms))
    /// });
    /// assert_eq!(svc.clone().oneshot(2000).await.unwrap(), 2000);
    /// assert!(svc.clone().oneshot(500).await.unwrap_err().is_elapsed());
    /// # });
    /// ```
    pub fn with_override<Req, F>(inner: S, default: Duration, f: F) -> Timeout<S, Override<F>>
    where
        F: Fn(&Req) -> Option<Duration>,
    {
        Timeout::with_policy(inner, Override::new(default, f))
    }

    /// Wraps `inner`; a [`RequestTimeout`](super::RequestTimeout) extension on a request
    /// sets its timeout, and requests without one get `default`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use svc_layers::timeout::{RequestTimeout, Timeout};
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let slow = service_fn(|_req: http::Request<()>| async {
    ///     rt_core::time::sleep(Duration::from_secs(5)).await;
    ///     Ok::<_, ()>("done")
    /// });
    /// let svc = Timeout::with_extension(slow, Duration::from_secs(1));
    /// let mut patient = http::Request::new(());
    /// patient.extensions_mut().insert(RequestTimeout(Duration::from_secs(10)));
    /// assert_eq!(svc.clone().oneshot(patient).await.unwrap(), "done");
    /// assert!(svc.oneshot(http::Request::new(())).await.unwrap_err().is_elapsed());
    /// # });
    /// ```
    #[cfg(feature = "http")]
    pub fn with_extension(inner: S, default: Duration) -> Timeout<S, super::ExtensionOr<Duration>> {
        Timeout::with_policy(inner, super::ExtensionOr::new(default))
    }
}

impl<S, P> Timeout<S, P> {
    /// Wraps `inner`, asking `policy` for the timeout of each request.
    pub fn with_policy(inner: S, policy: P) -> Self {
        Timeout { inner, policy }
    }

    /// The policy.
    pub fn policy(&self) -> &P {
        &self.policy
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

impl<S, P, Req> Service<Req> for Timeout<S, P>
where
    S: Service<Req>,
    P: TimeoutPolicy<Req>,
{
    type Response = S::Response;
    type Error = TimeoutError<S::Error>;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(TimeoutError::inner_error)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        // The deadline is fixed now; the timer is registered only if the response has to
        // be waited for.
        let deadline = self.policy.timeout(&req).map(sleep);
        ResponseFuture::new(self.inner.call(req), deadline)
    }

    fn disarm(&mut self) {
        self.inner.disarm();
    }
}

impl<S: fmt::Debug, P: fmt::Debug> fmt::Debug for Timeout<S, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("inner", &self.inner)
            .field("policy", &self.policy)
            .finish()
    }
}
