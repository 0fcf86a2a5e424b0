//! [`ServiceBuilderExt`]: this crate's middleware as `ServiceBuilder` methods.

use std::time::Duration;

use svc_trait::{ServiceBuilder, Stack};

use crate::limit::ConcurrencyLimitLayer;
use crate::load_shed::LoadShedLayer;
use crate::rate::RateLimitLayer;
use crate::spawn_ready::SpawnReadyLayer;
use crate::timeout::TimeoutLayer;

mod sealed {
    pub trait Sealed {}
    impl<L> Sealed for svc_trait::ServiceBuilder<L> {}
}

/// Adds this crate's middleware to [`ServiceBuilder`]. As with every builder method,
/// the first layer added is the outermost.
///
/// The trait is sealed: it is implemented for `ServiceBuilder` only, so methods can be
/// added without breaking anyone.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::ServiceBuilderExt;
/// use svc_trait::{ServiceBuilder, ServiceExt};
///
/// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let svc = ServiceBuilder::new()
///     .load_shed()                     // outermost: fails fast when the rest is busy
///     .timeout(Duration::from_secs(1))
///     .spawn_ready()
///     .service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x * 2) });
/// assert_eq!(svc.oneshot(21).await.unwrap(), 42);
/// # });
/// ```
pub trait ServiceBuilderExt<L>: sealed::Sealed + Sized {
    /// Adds a [`TimeoutLayer`]: requests taking longer than `timeout` fail with an
    /// elapsed [`TimeoutError`](crate::timeout::TimeoutError).
    fn timeout(self, timeout: Duration) -> ServiceBuilder<Stack<TimeoutLayer, L>>;

    /// Adds a [`LoadShedLayer`]: requests arriving while the inner service is not ready
    /// fail at once with [`Overloaded`](crate::load_shed::Overloaded).
    fn load_shed(self) -> ServiceBuilder<Stack<LoadShedLayer, L>>;

    /// Adds a [`SpawnReadyLayer`]: the inner service's readiness is driven on a task of
    /// its own.
    fn spawn_ready(self) -> ServiceBuilder<Stack<SpawnReadyLayer, L>>;

    /// Adds a [`ConcurrencyLimitLayer`]: at most `max` requests in flight per service.
    ///
    /// # Panics
    ///
    /// As [`ConcurrencyLimitLayer::new`].
    fn concurrency_limit(self, max: usize) -> ServiceBuilder<Stack<ConcurrencyLimitLayer, L>>;

    /// Adds a [`RateLimitLayer`]: at most `num` requests per `per`.
    ///
    /// # Panics
    ///
    /// As [`RateLimitLayer::new`].
    fn rate_limit(self, num: u64, per: Duration) -> ServiceBuilder<Stack<RateLimitLayer, L>>;
}

impl<L> ServiceBuilderExt<L> for ServiceBuilder<L> {
    fn timeout(self, timeout: Duration) -> ServiceBuilder<Stack<TimeoutLayer, L>> {
        self.layer(TimeoutLayer::new(timeout))
    }

    fn load_shed(self) -> ServiceBuilder<Stack<LoadShedLayer, L>> {
        self.layer(LoadShedLayer::new())
    }

    fn spawn_ready(self) -> ServiceBuilder<Stack<SpawnReadyLayer, L>> {
        self.layer(SpawnReadyLayer::new())
    }

    #[track_caller]
    fn concurrency_limit(self, max: usize) -> ServiceBuilder<Stack<ConcurrencyLimitLayer, L>> {
        self.layer(ConcurrencyLimitLayer::new(max))
    }

    #[track_caller]
    fn rate_limit(self, num: u64, per: Duration) -> ServiceBuilder<Stack<RateLimitLayer, L>> {
        self.layer(RateLimitLayer::new(num, per))
    }
}
