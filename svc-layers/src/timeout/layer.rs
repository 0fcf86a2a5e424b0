//! [`TimeoutLayer`]: wraps services in [`Timeout`].

use std::time::Duration;

use svc_trait::Layer;

use super::{Override, Timeout};

/// Wraps services in a [`Timeout`] with the policy `P`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::timeout::TimeoutLayer;
/// use svc_trait::{service_fn, ServiceBuilder, ServiceExt};
///
/// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let svc = ServiceBuilder::new()
///     .layer(TimeoutLayer::new(Duration::from_millis(10)))
///     .service_fn(|()| async {
///         rt_core::time::sleep(Duration::from_secs(1)).await;
///         Ok::<_, ()>(())
///     });
/// assert!(svc.oneshot(()).await.unwrap_err().is_elapsed());
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct TimeoutLayer<P = Duration> {
    policy: P,
}

impl TimeoutLayer {
    /// The same `timeout` for every request.
    pub fn new(timeout: Duration) -> Self {
        TimeoutLayer { policy: timeout }
    }

    /// `f(&req)` overrides the timeout of a request; its `None` means `default`. See
    /// [`Timeout::with_override`].
    pub fn with_override<Req, F>(default: Duration, f: F) -> TimeoutLayer<Override<F>>
    where
        F: Fn(&Req) -> Option<Duration>,
    {
        TimeoutLayer::with_policy(Override::new(default, f))
    }

    /// The request's [`RequestTimeout`](super::RequestTimeout) extension, or `default`.
    /// See [`Timeout::with_extension`].
    #[cfg(feature = "http")]
    pub fn with_extension(default: Duration) -> TimeoutLayer<super::ExtensionOr<Duration>> {
        TimeoutLayer::with_policy(super::ExtensionOr::new(default))
    }
}

impl<P> TimeoutLayer<P> {
    /// Asks `policy` for the timeout of each request.
    pub fn with_policy(policy: P) -> Self {
        TimeoutLayer { policy }
    }
}

impl<S, P: Clone> Layer<S> for TimeoutLayer<P> {
    type Service = Timeout<S, P>;

    fn layer(&self, inner: S) -> Timeout<S, P> {
        Timeout::with_policy(inner, self.policy.clone())
    }
}
