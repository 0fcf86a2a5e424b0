//! [`RateLimitLayer`]: builds [`RateLimit`]s.

use std::fmt;
use std::time::Duration;

use svc_trait::Layer;

use super::limiter::RateLimiter;
use super::rate::Rate;
use super::service::RateLimit;

/// Wraps services in a [`RateLimit`], with a rate per service or one shared rate.
///
/// - [`new(num, per)`](RateLimitLayer::new) / [`from_rate`](RateLimitLayer::from_rate):
///   every service the layer builds gets a rate of its own (its clones share it), as with
///   tower's `RateLimitLayer`.
/// - [`shared(num, per)`](RateLimitLayer::shared) / [`with_limiter`](RateLimitLayer::with_limiter):
///   every service the layer (and its clones) builds shares one [`RateLimiter`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::rate::RateLimitLayer;
/// use svc_trait::{service_fn, Layer};
///
/// let layer = RateLimitLayer::shared(10, Duration::from_secs(1));
/// let a = layer.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// let b = layer.layer(service_fn(|x: u8| async move { Ok::<_, ()>(x) }));
/// assert!(a.limiter().ptr_eq(b.limiter())); // 10 per second for `a` and `b` together
/// ```
#[derive(Clone)]
pub struct RateLimitLayer {
    kind: Kind,
}

#[derive(Clone)]
enum Kind {
    PerService(Rate),
    Shared(RateLimiter),
}

impl RateLimitLayer {
    /// A layer giving each service it builds its own rate of `num` requests per `per`.
    ///
    /// # Panics
    ///
    /// As [`Rate::new`]: when `num` or `per` is zero, or `per` is too long. Use
    /// [`Rate::try_new`] and [`from_rate`](RateLimitLayer::from_rate) to get an error
    /// instead.
    #[track_caller]
    pub fn new(num: u64, per: Duration) -> Self {
        Self::from_rate(Rate::new(num, per))
    }

    /// A layer giving each service it builds its own `rate`.
    pub fn from_rate(rate: Rate) -> Self {
        RateLimitLayer {
            kind: Kind::PerService(rate),
        }
    }

    /// A layer whose services all share one rate of `num` requests per `per`.
    ///
    /// The limiter is created here, on the clock of the current runtime (see
    /// [`RateLimiter::new`]).
    ///
    /// # Panics
    ///
    /// As [`Rate::new`].
    #[track_caller]
    pub fn shared(num: u64, per: Duration) -> Self {
        Self::with_limiter(RateLimiter::new(Rate::new(num, per)))
    }

    /// A layer whose services all share `limiter`.
    pub fn with_limiter(limiter: RateLimiter) -> Self {
        RateLimitLayer {
            kind: Kind::Shared(limiter),
        }
    }

    /// The rate of the layer.
    pub fn rate(&self) -> Rate {
        match &self.kind {
            Kind::PerService(rate) => *rate,
            Kind::Shared(limiter) => limiter.rate(),
        }
    }

    /// Whether the services built share one rate.
    pub fn is_shared(&self) -> bool {
        matches!(self.kind, Kind::Shared(_))
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> RateLimit<S> {
        match &self.kind {
            Kind::PerService(rate) => RateLimit::new(inner, *rate),
            Kind::Shared(limiter) => RateLimit::with_limiter(inner, limiter.clone()),
        }
    }
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("rate", &self.rate())
            .field("shared", &self.is_shared())
            .finish()
    }
}
