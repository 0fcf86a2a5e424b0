//! [`Rate`]: a number of requests per period.

use std::time::Duration;

use super::error::InvalidRate;

/// A rate: at most `num` requests per `per`, with bursts of up to `num`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::rate::Rate;
///
/// let rate = Rate::new(100, Duration::from_secs(1));
/// assert_eq!(rate.num(), 100);
/// assert_eq!(rate.per(), Duration::from_secs(1));
/// assert!(Rate::try_new(100, Duration::ZERO).unwrap_err().is_zero_per());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    num: u64,
    per: Duration,
}

impl Rate {
    /// `num` requests per `per`.
    ///
    /// # Panics
    ///
    /// When [`try_new`](Rate::try_new) fails: `num` is zero, `per` is zero, or `per` is
    /// longer than `u64::MAX` nanoseconds.
    #[track_caller]
    pub fn new(num: u64, per: Duration) -> Rate {
        match Rate::try_new(num, per) {
            Ok(rate) => rate,
            Err(e) => panic!("{e} (`Rate::new({num}, {per:?})`)"),
        }
    }

    /// `num` requests per `per`, checked.
    ///
    /// # Errors
    ///
    /// [`InvalidRate`] when `num` is zero, `per` is zero, or `per` is longer than
    /// `u64::MAX` nanoseconds (about 584 years); its predicates say which.
    pub fn try_new(num: u64, per: Duration) -> Result<Rate, InvalidRate> {
        if num == 0 {
            return Err(InvalidRate::zero_num());
        }
        if per.is_zero() {
            return Err(InvalidRate::zero_per());
        }
        if u64::try_from(per.as_nanos()).is_err() {
            return Err(InvalidRate::per_too_long());
        }
        Ok(Rate { num, per })
    }

    /// The number of requests per period.
    pub fn num(&self) -> u64 {
        self.num
    }

    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }

    /// The period in nanoseconds (fits by construction).
    pub(crate) fn per_nanos(&self) -> u64 {
        self.per.as_nanos() as u64
    }
}
