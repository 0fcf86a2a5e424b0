//! [`RetryLayer`]: wraps services in [`Retry`].

use std::sync::Arc;

use svc_trait::Layer;

use crate::counters::Counters;
use crate::service::Retry;

/// Wraps services in [`Retry`] with a clone of a policy.
///
/// Every service the layer builds records into the layer's [`Counters`], so a proxy that
/// layers many endpoints exports one set.
///
/// # Examples
///
/// ```
/// use svc_retry::{standard::Standard, RetryLayer};
/// use svc_trait::{service_fn, ServiceBuilder};
///
/// let layer = RetryLayer::new(
///     Standard::builder()
///         .classify(|r: &Result<u8, ()>| r.is_err())
///         .guard(|req: &u8| Some(*req))
///         .build(),
/// );
/// let counters = layer.counters().clone();
/// let svc = ServiceBuilder::new()
///     .layer(layer)
///     .service(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// # let _ = (svc, counters);
/// ```
#[derive(Clone, Debug)]
pub struct RetryLayer<P> {
    policy: P,
    counters: Arc<Counters>,
}

impl<P> RetryLayer<P> {
    /// A layer retrying with clones of `policy`.
    pub fn new(policy: P) -> Self {
        RetryLayer {
            policy,
            counters: Arc::default(),
        }
    }

    /// The counters shared by every service this layer builds.
    pub fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }
}

impl<P: Clone, S> Layer<S> for RetryLayer<P> {
    type Service = Retry<P, S>;

    fn layer(&self, service: S) -> Retry<P, S> {
        Retry::with_counters(self.policy.clone(), service, self.counters.clone())
    }
}
