//! The ready-made [`Standard`] policy and its parts: a [`Classify`] for results, a
//! [`Guard`] for requests ([`ReplayGuard`] over [`Replay`] requests with a body limit), a
//! maximum number of attempts, a [`Budget`] and an [`ExponentialBackoff`].
//!
//! With the `http` feature (on by default), `Standard::http` is the policy a proxy
//! wants: retry `502`/`503`/`504` and connection errors (`HttpClassifier`), only for
//! idempotent requests or requests marked `Retryable`, with bodies of at most 64 KiB.

mod classify;
#[cfg(feature = "http")]
mod http;
mod replay;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use classify::{is_connection_error, Classify};
#[cfg(feature = "http")]
pub use http::{HttpClassifier, Retryable};
pub use replay::{Guard, Replay, ReplayBody, ReplayGuard};

use crate::backoff::{Delay, ExponentialBackoff, Jitter};
use crate::budget::Budget;
use crate::policy::Policy;

/// A retry policy from parts: retry what the classifier `C` calls retryable, for requests
/// the guard `G` can copy, up to a maximum number of attempts, while the budget allows,
/// after a backoff.
///
/// Build one with [`Standard::builder`] (or `Standard::http`). Defaults: 3 attempts (2
/// retries), a fresh [`Budget::default`] (ttl 10 s, 10 retries/s, ratio 0.2) and an
/// exponential backoff from 25 ms to 1 s with full jitter. Clones share the configuration
/// and the budget (one `Arc`); each clone counts its own attempts, which is how the retry
/// future's clone tracks one request.
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "http")] {
/// use std::time::Duration;
/// use svc_retry::{standard::Standard, Budget, RetryLayer};
///
/// let budget = Budget::new(Duration::from_secs(10), 10, 0.2)?;
/// let policy = Standard::http().max_attempts(2).budget(budget.clone()).body_limit(16 * 1024).build();
/// let layer = RetryLayer::new(policy);
/// # let _ = layer;
/// # }
/// # Ok::<_, svc_retry::InvalidBudget>(())
/// ```
pub struct Standard<C, G> {
    config: Arc<Config<C, G>>,
    /// Retries granted to the request this clone follows.
    retries: u32,
}

struct Config<C, G> {
    classifier: C,
    guard: G,
    max_attempts: u32,
    budget: Option<Budget>,
    backoff: Option<ExponentialBackoff>,
}

impl Standard<(), ()> {
    /// A builder with the defaults and no classifier or guard yet: set both with
    /// [`classify`](StandardBuilder::classify) and [`guard`](StandardBuilder::guard).
    pub fn builder() -> StandardBuilder<(), ()> {
        StandardBuilder {
            classifier: (),
            guard: (),
            max_attempts: 3,
            budget: Some(Budget::default()),
            backoff: Some(default_backoff()),
        }
    }
}

#[cfg(feature = "http")]
impl Standard<HttpClassifier, ReplayGuard> {
    /// A builder for HTTP: `HttpClassifier`, [`ReplayGuard::default`] (idempotent or
    /// `Retryable` requests with bodies of at most 64 KiB), and the defaults.
    pub fn http() -> StandardBuilder<HttpClassifier, ReplayGuard> {
        Standard::builder()
            .classify(HttpClassifier)
            .guard(ReplayGuard::default())
    }
}

impl<C, G> Standard<C, G> {
    /// The maximum number of attempts (the first one included).
    pub fn max_attempts(&self) -> u32 {
        self.config.max_attempts
    }

    /// The budget, if any.
    pub fn get_budget(&self) -> Option<&Budget> {
        self.config.budget.as_ref()
    }

    /// The backoff, if any.
    pub fn backoff(&self) -> Option<&ExponentialBackoff> {
        self.config.backoff.as_ref()
    }
}

fn default_backoff() -> ExponentialBackoff {
    ExponentialBackoff::new(Duration::from_millis(25), Duration::from_secs(1), Jitter::Full)
        .expect("the default backoff is valid")
}

impl<Req, Res, E, C, G> Policy<Req, Res, E> for Standard<C, G>
where
    C: Classify<Res, E>,
    G: Guard<Req>,
{
    type Future = Delay;

    /// Retries if the result is retryable, attempts remain, and the budget grants a
    /// withdrawal (checked last, so only retries that would be sent draw on it).
    fn retry(&mut self, _req: &mut Req, result: &mut Result<Res, E>) -> Option<Delay> {
        let config = &*self.config;
        if !config.classifier.is_retryable(result) || self.retries.saturating_add(1) >= config.max_attempts {
            return None;
        }
        if let Some(budget) = &config.budget {
            if !budget.try_withdraw() {
                return None;
            }
        }
        let retry = self.retries;
        self.retries += 1;
        Some(config.backoff.as_ref().map_or_else(Delay::none, |b| b.sleep(retry)))
    }

    fn clone_request(&mut self, req: &Req) -> Option<Req> {
        self.config.guard.replay(req)
    }

    fn budget(&self) -> Option<&Budget> {
        self.config.budget.as_ref()
    }
}

impl<C, G> Clone for Standard<C, G> {
    fn clone(&self) -> Self {
        Standard {
            config: self.config.clone(),
            retries: self.retries,
        }
    }
}

impl<C, G> fmt::Debug for Standard<C, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Standard")
            .field("max_attempts", &self.config.max_attempts)
            .field("budget", &self.config.budget)
            .field("backoff", &self.config.backoff)
            .field("retries", &self.retries)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Standard`] policy; from [`Standard::builder`] or `Standard::http`.
pub struct StandardBuilder<C, G> {
    classifier: C,
    guard: G,
    max_attempts: u32,
    budget: Option<Budget>,
    backoff: Option<ExponentialBackoff>,
}

impl<C, G> StandardBuilder<C, G> {
    /// Sets the classifier of retryable results.
    pub fn classify<C2>(self, classifier: C2) -> StandardBuilder<C2, G> {
        StandardBuilder {
            classifier,
            guard: self.guard,
            max_attempts: self.max_attempts,
            budget: self.budget,
            backoff: self.backoff,
        }
    }

    /// Sets the guard that copies requests safe to repeat.
    pub fn guard<G2>(self, guard: G2) -> StandardBuilder<C, G2> {
        StandardBuilder {
            classifier: self.classifier,
            guard,
            max_attempts: self.max_attempts,
            budget: self.budget,
            backoff: self.backoff,
        }
    }

    /// Sets the maximum number of attempts, the first one included (1: never retry).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Withdraws retries from `budget` (share one budget among policies by cloning it).
    pub fn budget(mut self, budget: Budget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Retries without a budget: only the attempt limit bounds retries. Not for
    /// production traffic, where it lets a brownout multiply the load.
    pub fn no_budget(mut self) -> Self {
        self.budget = None;
        self
    }

    /// Waits before each retry as `backoff` says.
    pub fn backoff(mut self, backoff: ExponentialBackoff) -> Self {
        self.backoff = Some(backoff);
        self
    }

    /// Retries at once, without waiting.
    pub fn no_backoff(mut self) -> Self {
        self.backoff = None;
        self
    }

    /// Builds the policy.
    pub fn build(self) -> Standard<C, G> {
        let config = Config {
            classifier: self.classifier,
            guard: self.guard,
            max_attempts: self.max_attempts,
            budget: self.budget,
            backoff: self.backoff,
        };
        Standard {
            config: Arc::new(config),
            retries: 0,
        }
    }
}

impl<C> StandardBuilder<C, ReplayGuard> {
    /// Sets the largest body, in bytes, of a request that is retried.
    pub fn body_limit(mut self, bytes: u64) -> Self {
        self.guard = ReplayGuard::new(bytes);
        self
    }
}

impl<C, G> fmt::Debug for StandardBuilder<C, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StandardBuilder")
            .field("max_attempts", &self.max_attempts)
            .field("budget", &self.budget)
            .field("backoff", &self.backoff)
            .finish_non_exhaustive()
    }
}
