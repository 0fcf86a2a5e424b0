//! Configuration errors: [`InvalidBudget`] and [`InvalidBackoff`].
//!
//! Both are returned at construction, so a bad configuration is refused where it is
//! written instead of panicking (or silently misbehaving) on the first retry.

use std::error::Error;
use std::fmt;

/// A [`Budget`](crate::Budget) configuration was refused.
///
/// Returned by [`Budget::new`](crate::Budget::new) when the time-to-live is outside
/// 1 s ..= 60 s, when the retry ratio is not a number in `0.0 ..= 1000.0`, or when the
/// reserve (`min_retries_per_sec × ttl`) is too large to account for.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_retry::Budget;
///
/// let err = Budget::new(Duration::from_secs(10), 10, f64::NAN).unwrap_err();
/// assert!(err.is_ratio());
/// assert_eq!(err.to_string(), "invalid retry budget: the retry ratio must be a number in 0 ..= 1000, got NaN");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InvalidBudget {
    kind: BudgetKind,
}

#[derive(Clone, Debug, PartialEq)]
enum BudgetKind {
    Ttl(std::time::Duration),
    Ratio(f64),
    Reserve,
}

impl InvalidBudget {
    pub(crate) fn ttl(ttl: std::time::Duration) -> Self {
        InvalidBudget {
            kind: BudgetKind::Ttl(ttl),
        }
    }

    pub(crate) fn ratio(ratio: f64) -> Self {
        InvalidBudget {
            kind: BudgetKind::Ratio(ratio),
        }
    }

    pub(crate) fn reserve() -> Self {
        InvalidBudget {
            kind: BudgetKind::Reserve,
        }
    }

    /// Returns true if the time-to-live was refused.
    pub fn is_ttl(&self) -> bool {
        matches!(self.kind, BudgetKind::Ttl(_))
    }

    /// Returns true if the retry ratio was refused.
    pub fn is_ratio(&self) -> bool {
        matches!(self.kind, BudgetKind::Ratio(_))
    }

    /// Returns true if the reserve (`min_retries_per_sec × ttl`) was too large.
    pub fn is_reserve(&self) -> bool {
        matches!(self.kind, BudgetKind::Reserve)
    }
}

impl fmt::Display for InvalidBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid retry budget: ")?;
        match &self.kind {
            BudgetKind::Ttl(ttl) => write!(f, "the time-to-live must be between 1 s and 60 s, got {ttl:?}"),
            BudgetKind::Ratio(r) => write!(f, "the retry ratio must be a number in 0 ..= 1000, got {r}"),
            BudgetKind::Reserve => f.write_str("the reserve (minimum retries per second times ttl) is too large"),
        }
    }
}

impl Error for InvalidBudget {}

/// An [`ExponentialBackoff`](crate::ExponentialBackoff) configuration was refused.
///
/// Returned by [`ExponentialBackoff::new`](crate::ExponentialBackoff::new) when the
/// minimum delay is larger than the maximum, or when a proportional jitter factor is NaN,
/// negative or above 1.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_retry::{ExponentialBackoff, Jitter};
///
/// let err = ExponentialBackoff::new(Duration::from_millis(10), Duration::from_secs(1), Jitter::Proportional(-0.5))
///     .unwrap_err();
/// assert!(err.is_jitter());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct InvalidBackoff {
    kind: BackoffKind,
}

#[derive(Clone, Debug, PartialEq)]
enum BackoffKind {
    Range(std::time::Duration, std::time::Duration),
    Jitter(f64),
}

impl InvalidBackoff {
    pub(crate) fn range(min: std::time::Duration, max: std::time::Duration) -> Self {
        InvalidBackoff {
            kind: BackoffKind::Range(min, max),
        }
    }

    pub(crate) fn jitter(factor: f64) -> Self {
        InvalidBackoff {
            kind: BackoffKind::Jitter(factor),
        }
    }

    /// Returns true if the minimum delay was larger than the maximum.
    pub fn is_range(&self) -> bool {
        matches!(self.kind, BackoffKind::Range(..))
    }

    /// Returns true if the jitter factor was refused.
    pub fn is_jitter(&self) -> bool {
        matches!(self.kind, BackoffKind::Jitter(_))
    }
}

impl fmt::Display for InvalidBackoff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid backoff: ")?;
        match &self.kind {
            BackoffKind::Range(min, max) => write!(f, "the minimum delay {min:?} is larger than the maximum {max:?}"),
            BackoffKind::Jitter(j) => write!(f, "the jitter factor must be a number in 0 ..= 1, got {j}"),
        }
    }
}

impl Error for InvalidBackoff {}
