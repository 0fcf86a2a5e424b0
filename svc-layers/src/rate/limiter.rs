//! [`RateLimiter`]: the shared, lock-free state of a rate (GCRA).
//!
//! # Protocol
//!
//! The generic cell rate algorithm keeps one number, the *theoretical arrival time*
//! (TAT): the time at which the bucket would be full again if nobody took a token. With
//! the emission interval `T = per / num` (rounded **up** to a whole nanosecond, so the
//! rate is never exceeded) and the burst tolerance `tau = (num - 1) * T`:
//!
//! - a token may be taken at `now` iff `TAT - tau <= now`; taking it sets
//!   `TAT = max(TAT, now) + T`;
//! - a refund sets `TAT = TAT - T` (a TAT at or before `now` already means "full", so a
//!   refund can never raise the bucket above `num` tokens);
//! - the next token is due at `TAT - tau`.
//!
//! `now` is read after the TAT it is compared with (and again after a failed CAS): a
//! TAT written by another taker at its own `now` must not be judged by an older reading,
//! which would report a missing token although the bucket had one.
//!
//! TAT lives in one `AtomicU64` of nanoseconds since `base`, an [`Instant`] taken from
//! the runtime's clock when the limiter is built, so a paused clock drives it. Every
//! update is a compare-and-swap loop on that one word: two takers can never both
//! succeed from the same TAT, so the limiter never overdraws under any interleaving.
//! The word guards nothing else, so `Relaxed` ordering suffices (a CAS on one location
//! is totally ordered whatever the ordering). It goes through `rt_core::loom` so the
//! loom model in `tests/loom_rate.rs` checks it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rt_core::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};
use rt_core::time::Instant;

use super::rate::Rate;

/// One rate shared by every clone: the token bucket behind [`RateLimit`](super::RateLimit).
///
/// It admits bursts of up to `num` requests and refills continuously at `num` per `per`
/// (one token every `per / num`, rounded up to a whole nanosecond). So over any span of
/// time `d`, at most `num + d * num / per` tokens are taken, and a steady caller gets
/// `num` per `per` in the long run. Tower's `RateLimit` instead refills all `num` at the
/// end of each fixed window, which can let `2 * num` through around a window boundary.
///
/// Cloning a `RateLimiter` shares it. It is lock-free (one atomic word, see the
/// `limiter` module source) and follows the clock of the runtime it was created in
/// (`rt_core::time::Instant`), so tests with a paused clock see exact timing.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::rate::{Rate, RateLimiter};
///
/// let limiter = RateLimiter::new(Rate::new(2, Duration::from_secs(60)));
/// assert!(limiter.try_acquire().is_ok());
/// assert!(limiter.clone().try_acquire().is_ok()); // clones share the tokens
/// let next = limiter.try_acquire().unwrap_err(); // when the next token is due
/// assert_eq!(limiter.available(), 0);
/// # let _ = next;
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    shared: Arc<Shared>,
}

struct Shared {
    rate: Rate,
    /// Emission interval `T` in nanoseconds (at least 1).
    interval: u64,
    /// Burst tolerance `tau = (num - 1) * T` in nanoseconds.
    tolerance: u64,
    /// Time zero of `tat`.
    base: Instant,
    /// The theoretical arrival time, in nanoseconds since `base`.
    tat: AtomicU64,
}

impl RateLimiter {
    /// A limiter with a full bucket of `rate.num()` tokens, on the clock of the current
    /// runtime (the system clock outside one).
    pub fn new(rate: Rate) -> RateLimiter {
        let interval = rate.per_nanos().div_ceil(rate.num()).max(1);
        RateLimiter {
            shared: Arc::new(Shared {
                rate,
                interval,
                tolerance: interval.saturating_mul(rate.num() - 1),
                base: Instant::now(),
                tat: AtomicU64::new(0),
            }),
        }
    }

    /// The rate this limiter enforces.
    pub fn rate(&self) -> Rate {
        self.shared.rate
    }

    /// Takes one token if one is available now.
    ///
    /// # Errors
    ///
    /// When no token is available, the instant at which the next one is due (another
    /// caller may take it first).
    pub fn try_acquire(&self) -> Result<(), Instant> {
        let shared = &*self.shared;
        let mut tat = shared.tat.load(Relaxed);
        loop {
            // The clock is read after the TAT it is compared with: a TAT written by a
            // taker at its `now` must not be judged by an earlier `now` of ours (that
            // would report a token as missing; loom found it).
            let now = shared.nanos_since_base(Instant::now());
            let due = tat.saturating_sub(shared.tolerance);
            if due > now {
                return Err(shared.base + Duration::from_nanos(due));
            }
            let next = tat.max(now).saturating_add(shared.interval);
            match shared.tat.compare_exchange_weak(tat, next, Relaxed, Relaxed) {
                Ok(_) => return Ok(()),
                Err(current) => tat = current,
            }
        }
    }

    /// Gives back a token taken by [`try_acquire`](RateLimiter::try_acquire) and not used.
    pub(crate) fn refund(&self) {
        let shared = &*self.shared;
        let mut tat = shared.tat.load(Relaxed);
        loop {
            let prev = tat.saturating_sub(shared.interval);
            match shared.tat.compare_exchange_weak(tat, prev, Relaxed, Relaxed) {
                Ok(_) => return,
                Err(current) => tat = current,
            }
        }
    }

    /// The number of tokens available right now (a snapshot), for metrics.
    pub fn available(&self) -> u64 {
        let shared = &*self.shared;
        let tat = shared.tat.load(Relaxed);
        let now = shared.nanos_since_base(Instant::now());
        let tat = tat.max(now);
        // Full bucket: `tat == now`, `num * T` ahead of the point where nothing is left.
        let headroom = now
            .saturating_add(shared.tolerance.saturating_add(shared.interval))
            .saturating_sub(tat);
        (headroom / shared.interval).min(shared.rate.num())
    }

    /// Whether `self` and `other` share one rate.
    pub fn ptr_eq(&self, other: &RateLimiter) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Shared {
    fn nanos_since_base(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX)
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("rate", &self.shared.rate)
            .field("available", &self.available())
            .finish()
    }
}
