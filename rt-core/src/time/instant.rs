//! `Instant`: a point in time on the runtime's clock.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use super::handle_lookup;

/// A measurement of a monotonically nondecreasing clock: the current runtime's clock.
///
/// It is [`std::time::Instant`] with one difference: [`Instant::now`] reads the clock
/// of the runtime the thread is in, so when a test pauses that clock
/// ([`pause`](super::pause)), `now()` stops moving and only moves when the test calls
/// [`advance`](super::advance). Outside a runtime, or with time disabled, it reads the
/// system's monotonic clock, exactly like `std::time::Instant::now()`.
///
/// Convert with [`from_std`](Instant::from_std) / [`into_std`](Instant::into_std) (or
/// `From`), for example to hand a deadline to code that expects std's type.
///
/// # Examples
///
/// ```
/// use rt_core::time::{Duration, Instant};
///
/// let start = Instant::now();
/// let later = start + Duration::from_millis(5);
/// assert_eq!(later.duration_since(start), Duration::from_millis(5));
/// assert_eq!(start.saturating_duration_since(later), Duration::ZERO);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

impl Instant {
    /// Returns the current instant of the runtime's clock (the system clock outside a
    /// runtime with time enabled).
    ///
    /// While the runtime's clock is paused this returns the paused time.
    pub fn now() -> Instant {
        handle_lookup::with_current(|handle| match handle {
            Some(handle) => handle.clock().now(),
            None => Instant::from_std(std::time::Instant::now()),
        })
    }

    /// Returns the runtime's clock as its driver read it at its last turn, without
    /// reading the clock again: a cheap, coarse `now()` for deadlines that need no
    /// precision (keep-alive and idle timeouts, a cached `Date` header). Reading the clock
    /// is a system call on some virtual machines and tens of nanoseconds at best; a
    /// server that reads it for every request pays that for every request.
    ///
    /// The value lags the clock by the time this thread (and the other workers) have
    /// run tasks since the last turn of the driver, which a busy worker turns every few
    /// dozen tasks. It is not monotonic with [`Instant::now`]: it may be earlier than a
    /// `now()` read before it.
    ///
    /// Falls back to [`Instant::now`] where no reading can be trusted: outside a runtime
    /// with time enabled, before the driver's first turn, while the driver is waiting
    /// (asleep, it keeps no time), and on a clock that was ever paused (tests advance it
    /// by hand, and expect to see exactly what they set).
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::time::Instant;
    ///
    /// // Never ahead of the clock.
    /// let recent = Instant::recent();
    /// assert!(recent <= Instant::now());
    /// ```
    pub fn recent() -> Instant {
        handle_lookup::with_current(|handle| match handle {
            Some(handle) => handle.recent(),
            None => Instant::from_std(std::time::Instant::now()),
        })
    }

    /// Wraps a [`std::time::Instant`].
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// Returns the wrapped [`std::time::Instant`].
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// (`std` used to panic in that case; like std today, this saturates.)
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time elapsed from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time elapsed since `self`, on the runtime's clock (`Instant::now() - self`,
    /// saturating at zero).
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` if that cannot be represented.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if that cannot be represented.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }

    /// `self + duration`, or an instant about 30 years after `self` when that
    /// overflows: the deadline of a sleep "forever".
    pub(crate) fn saturating_add(self, duration: Duration) -> Instant {
        const FAR: Duration = Duration::from_secs(86_400 * 365 * 30);
        self.checked_add(duration)
            .or_else(|| self.checked_add(FAR))
            .unwrap_or(self)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(instant: Instant) -> std::time::Instant {
        instant.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented (use [`Instant::checked_add`]).
    fn add(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    ///
    /// If the result cannot be represented (use [`Instant::checked_sub`]).
    fn sub(self, rhs: Duration) -> Instant {
        Instant::from_std(self.std - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Same as [`Instant::duration_since`] (saturates at zero).
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.std.fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_round_trips() {
        let a = Instant::from_std(std::time::Instant::now());
        let b = a + Duration::from_secs(3);
        assert_eq!(b - a, Duration::from_secs(3));
        assert_eq!(a - b, Duration::ZERO);
        assert_eq!(b - Duration::from_secs(3), a);
        assert_eq!(a.checked_duration_since(b), None);
        assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(3)));
        let mut c = a;
        c += Duration::from_millis(7);
        c -= Duration::from_millis(2);
        assert_eq!(c.duration_since(a), Duration::from_millis(5));
        assert_eq!(std::time::Instant::from(a), a.into_std());
        assert_eq!(Instant::from(a.into_std()), a);
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let a = Instant::now();
        assert!(a.checked_add(Duration::MAX).is_none());
        assert!(a.saturating_add(Duration::MAX) > a + Duration::from_secs(86_400 * 365));
    }

    #[test]
    fn now_outside_a_runtime_follows_the_system_clock() {
        let before = std::time::Instant::now();
        let now = Instant::now().into_std();
        assert!(now >= before);
        assert!(now - before < Duration::from_secs(5));
    }
}
