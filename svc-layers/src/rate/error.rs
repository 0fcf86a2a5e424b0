//! [`InvalidRate`]: why a [`Rate`](super::Rate) could not be built.

use std::fmt;

/// The error of [`Rate::try_new`](super::Rate::try_new): the number of requests or the
/// period was zero, or the period does not fit the limiter's clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::rate::Rate;
///
/// let err = Rate::try_new(0, Duration::from_secs(1)).unwrap_err();
/// assert!(err.is_zero_num());
/// assert_eq!(err.to_string(), "invalid rate: zero requests per period");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct InvalidRate {
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ZeroNum,
    ZeroPer,
    PerTooLong,
}

impl InvalidRate {
    pub(crate) fn zero_num() -> Self {
        InvalidRate { kind: Kind::ZeroNum }
    }

    pub(crate) fn zero_per() -> Self {
        InvalidRate { kind: Kind::ZeroPer }
    }

    pub(crate) fn per_too_long() -> Self {
        InvalidRate { kind: Kind::PerTooLong }
    }

    /// The number of requests per period was zero.
    pub fn is_zero_num(&self) -> bool {
        self.kind == Kind::ZeroNum
    }

    /// The period was zero.
    pub fn is_zero_per(&self) -> bool {
        self.kind == Kind::ZeroPer
    }

    /// The period was longer than `u64::MAX` nanoseconds (about 584 years).
    pub fn is_per_too_long(&self) -> bool {
        self.kind == Kind::PerTooLong
    }
}

impl fmt::Debug for InvalidRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("InvalidRate").field(&self.kind).finish()
    }
}

impl fmt::Display for InvalidRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            Kind::ZeroNum => "invalid rate: zero requests per period",
            Kind::ZeroPer => "invalid rate: zero-length period",
            Kind::PerTooLong => "invalid rate: period longer than u64::MAX nanoseconds",
        })
    }
}

impl std::error::Error for InvalidRate {}
