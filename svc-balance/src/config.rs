//! [`Builder`]: a balancer's settings.

use std::fmt;
use std::hash::Hash;
use std::time::Duration;

use svc_trait::Service;

use crate::discover::Discover;
use crate::driver::Driver;
use crate::load::{CompleteOnResponse, Load, PeakEwma};
use crate::service::Balance;

/// The numbers of failure accrual and fail-fast waiting.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) failure_threshold: u32,
    pub(crate) min_penalty: Duration,
    pub(crate) max_penalty: Duration,
    pub(crate) jitter: f64,
    pub(crate) fail_fast: Duration,
}

impl Config {
    /// The penalty of the `level`-th ejection in a row (1-based), before jitter.
    pub(crate) fn penalty(&self, level: u32) -> Duration {
        let factor = 1u32 << level.saturating_sub(1).min(20);
        self.min_penalty.saturating_mul(factor).min(self.max_penalty)
    }
}

/// Builds a [`Balance`]: the load metric, how completion is tracked, failure accrual and
/// the fail-fast timeout.
///
/// Defaults: [`PeakEwma`] (30 ms, 10 s), [`CompleteOnResponse`], ejection after 7
/// consecutive failures, penalties from 1 s doubling to 60 s with ±25 % jitter, and a
/// fail-fast timeout of 1 s.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_balance::{load::PendingRequests, Builder, ServiceList};
/// use svc_trait::{service_fn, ServiceExt};
///
/// # rt_sched::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let echo = |n: u32| service_fn(move |x: u32| async move { Ok::<_, std::io::Error>(x + n) });
/// let balance = Builder::new()
///     .load(PendingRequests::new())
///     .failure_threshold(3)
///     .penalty(Duration::from_millis(500), Duration::from_secs(30))
///     .fail_fast(Duration::from_millis(200))
///     .build(ServiceList::new([("a", echo(0)), ("b", echo(0))]));
/// assert_eq!(balance.oneshot(7).await.unwrap(), 7);
/// # });
/// ```
#[derive(Clone)]
pub struct Builder<L = PeakEwma, C = CompleteOnResponse> {
    load: L,
    completion: C,
    config: Config,
}

impl Builder {
    /// The defaults.
    pub fn new() -> Builder {
        Builder {
            load: PeakEwma::default(),
            completion: CompleteOnResponse,
            config: Config {
                failure_threshold: 7,
                min_penalty: Duration::from_secs(1),
                max_penalty: Duration::from_secs(60),
                jitter: 0.25,
                fail_fast: Duration::from_secs(1),
            },
        }
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder::new()
    }
}

impl<L, C> Builder<L, C> {
    /// The load metric: `load` is a template, each endpoint gets [`Load::fresh`] of it.
    pub fn load<L2: Load>(self, load: L2) -> Builder<L2, C> {
        Builder {
            load,
            completion: self.completion,
            config: self.config,
        }
    }

    /// When a request stops counting as in flight (see
    /// [`TrackCompletion`](crate::load::TrackCompletion)).
    pub fn completion<C2>(self, completion: C2) -> Builder<L, C2> {
        Builder {
            load: self.load,
            completion,
            config: self.config,
        }
    }

    /// Consecutive failures (error responses) that take an endpoint out of rotation.
    /// A failed `poll_ready` takes it out at once.
    ///
    /// # Panics
    ///
    /// Panics if `n` is zero.
    pub fn failure_threshold(mut self, n: u32) -> Self {
        assert!(n > 0, "failure threshold must be at least 1");
        self.config.failure_threshold = n;
        self
    }

    /// The first penalty and the largest: each ejection in a row doubles it.
    ///
    /// # Panics
    ///
    /// Panics if `min` is zero or `max < min`.
    pub fn penalty(mut self, min: Duration, max: Duration) -> Self {
        assert!(!min.is_zero() && max >= min, "penalties need 0 < min <= max");
        self.config.min_penalty = min;
        self.config.max_penalty = max;
        self
    }

    /// Jitter of penalties, as a fraction: a penalty `p` lasts a uniform time in
    /// `p × [1 - jitter, 1 + jitter]`.
    ///
    /// # Panics
    ///
    /// Panics unless `0 <= jitter < 1`.
    pub fn jitter(mut self, jitter: f64) -> Self {
        assert!((0.0..1.0).contains(&jitter), "jitter must be in [0, 1)");
        self.config.jitter = jitter;
        self
    }

    /// How long `poll_ready` waits when no endpoint is in rotation (none discovered, or
    /// all out after failures) before it fails. Zero fails at once (and needs no timer,
    /// so the balancer then also works outside a runtime with time enabled), including
    /// a request made before the driver inserted the first endpoints.
    pub fn fail_fast(mut self, timeout: Duration) -> Self {
        self.config.fail_fast = timeout;
        self
    }

    /// A balancer over `discover`'s endpoints, with its driver spawned on the current
    /// `rt-sched` runtime.
    ///
    /// # Panics
    ///
    /// Panics outside an `rt-sched` runtime (as `rt_sched::spawn` does).
    pub fn build<K, S, Req, D>(self, discover: D) -> Balance<K, S, Req, L, C>
    where
        K: Hash + Eq + Clone + Send + Sync + 'static,
        S: Service<Req> + Send + 'static,
        S::Error: Send + Sync + 'static,
        Req: 'static,
        D: Discover<K, S> + Send + 'static,
        L: Load,
    {
        let (balance, driver) = self.pair(discover);
        drop(rt_sched::spawn(driver));
        balance
    }

    /// A balancer and its driver, which the caller must spawn (or poll) for the
    /// balancer to make progress.
    ///
    /// # Examples
    ///
    /// ```
    /// use svc_balance::{Builder, ServiceList};
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u8| async move { Ok::<_, std::io::Error>(x) });
    /// let (balance, driver) = Builder::new().pair(ServiceList::new([("a", svc)]));
    /// let rt = rt_sched::Builder::new_current_thread().enable_all().build().unwrap();
    /// rt.block_on(async move {
    ///     rt_sched::spawn(driver);
    ///     assert_eq!(balance.oneshot(7).await.unwrap(), 7);
    /// });
    /// ```
    #[allow(clippy::type_complexity)] // the pair is the API; an alias would only hide it
    pub fn pair<K, S, Req, D>(self, discover: D) -> (Balance<K, S, Req, L, C>, Driver<K, S, Req, D, L>)
    where
        K: Hash + Eq + Clone,
        S: Service<Req>,
        S::Error: Send + Sync + 'static,
        D: Discover<K, S>,
        L: Load,
    {
        let shared = rt_core::loom::sync::Arc::new(crate::shared::Shared::new(self.config));
        let driver = Driver::new(shared.clone(), discover, self.load);
        (Balance::from_shared(shared, self.completion), driver)
    }
}

impl<L, C> fmt::Debug for Builder<L, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
