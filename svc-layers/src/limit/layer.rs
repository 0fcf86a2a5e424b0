//! [`ConcurrencyLimitLayer`]: builds [`ConcurrencyLimit`]s.

use std::fmt;
use std::sync::Arc;

use rt_core::sync::Semaphore;
use svc_trait::Layer;

use super::service::ConcurrencyLimit;

/// Wraps services in a [`ConcurrencyLimit`], with a limit per service or one shared limit.
///
/// - [`new(n)`](ConcurrencyLimitLayer::new): every service the layer builds gets a limit
///   of its own of `n` (and that service's clones share it). This is tower's
///   `ConcurrencyLimitLayer`.
/// - [`shared(n)`](ConcurrencyLimitLayer::shared): one limit of `n` for every service the
///   layer builds, across the layer's clones too. This is tower's
///   `GlobalConcurrencyLimitLayer`.
/// - [`with_semaphore(s)`](ConcurrencyLimitLayer::with_semaphore): one limit given by a
///   semaphore the caller keeps (to share it with other layers or services).
///
/// # Examples
///
/// ```
/// use svc_layers::limit::ConcurrencyLimitLayer;
/// use svc_trait::{service_fn, Layer};
///
/// let per_service = ConcurrencyLimitLayer::new(2);
/// let a = per_service.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// let b = per_service.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// assert!(!std::sync::Arc::ptr_eq(a.semaphore(), b.semaphore()));
///
/// let shared = ConcurrencyLimitLayer::shared(2);
/// let c = shared.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// let d = shared.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// assert!(std::sync::Arc::ptr_eq(c.semaphore(), d.semaphore()));
/// ```
#[derive(Clone)]
pub struct ConcurrencyLimitLayer {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    PerService(usize),
    Shared {
        semaphore: Arc<Semaphore>,
        max: Option<usize>,
    },
}

impl ConcurrencyLimitLayer {
    /// A layer giving each service it builds its own limit of `max` requests in flight.
    ///
    /// # Panics
    ///
    /// When `max` exceeds [`Semaphore::MAX_PERMITS`] (at construction, not later in
    /// `layer`).
    pub fn new(max: usize) -> Self {
        assert!(
            max <= Semaphore::MAX_PERMITS,
            "a concurrency limit of {max} exceeds `Semaphore::MAX_PERMITS`"
        );
        ConcurrencyLimitLayer {
            kind: Kind::PerService(max),
        }
    }

    /// A layer whose services all share one limit of `max` requests in flight (clones of
    /// the layer share it too).
    ///
    /// # Panics
    ///
    /// When `max` exceeds [`Semaphore::MAX_PERMITS`].
    pub fn shared(max: usize) -> Self {
        ConcurrencyLimitLayer {
            kind: Kind::Shared {
                semaphore: Arc::new(Semaphore::new(max)),
                max: Some(max),
            },
        }
    }

    /// A layer whose services all take their permits from `semaphore`.
    ///
    /// # Panics
    ///
    /// The services built panic in `poll_ready` if `semaphore` is closed; see
    /// [`ConcurrencyLimit::with_semaphore`].
    pub fn with_semaphore(semaphore: Arc<Semaphore>) -> Self {
        ConcurrencyLimitLayer {
            kind: Kind::Shared { semaphore, max: None },
        }
    }

    /// The limit of the layer, or `None` when built from a semaphore.
    pub fn max(&self) -> Option<usize> {
        match &self.kind {
            Kind::PerService(max) => Some(*max),
            Kind::Shared { max, .. } => *max,
        }
    }

    /// Whether the services built share one limit.
    pub fn is_shared(&self) -> bool {
        matches!(self.kind, Kind::Shared { .. })
    }
}

impl<S> Layer<S> for ConcurrencyLimitLayer {
    type Service = ConcurrencyLimit<S>;

    fn layer(&self, inner: S) -> ConcurrencyLimit<S> {
        match &self.kind {
            Kind::PerService(max) => ConcurrencyLimit::new(inner, *max),
            Kind::Shared { semaphore, max } => ConcurrencyLimit::from_parts(inner, semaphore.clone(), *max),
        }
    }
}

impl fmt::Debug for ConcurrencyLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ConcurrencyLimitLayer");
        match &self.kind {
            Kind::PerService(max) => d.field("max", max).field("shared", &false),
            Kind::Shared { semaphore, max } => d
                .field("max", max)
                .field("shared", &true)
                .field("available", &semaphore.available_permits()),
        };
        d.finish()
    }
}
