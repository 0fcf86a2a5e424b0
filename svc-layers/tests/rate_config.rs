//! `Rate` validation: `try_new` reports an invalid rate, `new` panics on one.

use std::time::Duration;

use svc_layers::rate::{InvalidRate, Rate, RateLimitLayer, RateLimiter};

#[test]
fn zero_requests_is_an_error() {
    let err = Rate::try_new(0, Duration::from_secs(1)).unwrap_err();
    assert!(err.is_zero_num() && !err.is_zero_per() && !err.is_per_too_long());
    assert_eq!(err.to_string(), "invalid rate: zero requests per period");
}

#[test]
fn a_zero_period_is_an_error() {
    let err = Rate::try_new(5, Duration::ZERO).unwrap_err();
    assert!(err.is_zero_per() && !err.is_zero_num());
    assert_eq!(err.to_string(), "invalid rate: zero-length period");
}

#[test]
fn a_period_beyond_u64_nanoseconds_is_an_error() {
    let err = Rate::try_new(5, Duration::from_secs(u64::MAX)).unwrap_err();
    assert!(err.is_per_too_long());
    assert!(Rate::try_new(5, Duration::from_nanos(u64::MAX)).is_ok());
}

#[test]
fn invalid_rate_is_a_std_error() {
    fn assert_error<E: std::error::Error + Send + Sync + Copy + 'static>(_: E) {}
    let err: InvalidRate = Rate::try_new(0, Duration::ZERO).unwrap_err();
    assert_error(err);
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
#[should_panic(expected = "invalid rate: zero requests per period")]
fn new_panics_on_zero_requests() {
    let _ = Rate::new(0, Duration::from_secs(1));
}

#[test]
#[should_panic(expected = "invalid rate: zero-length period")]
fn the_layer_panics_on_a_zero_period() {
    let _ = RateLimitLayer::new(1, Duration::ZERO);
}

#[test]
fn a_valid_rate_keeps_its_parts() {
    let rate = Rate::new(7, Duration::from_millis(700));
    assert_eq!((rate.num(), rate.per()), (7, Duration::from_millis(700)));
    assert_eq!(Rate::try_new(7, Duration::from_millis(700)), Ok(rate));
}

#[test]
fn rates_faster_than_one_per_nanosecond_still_allow_the_burst() {
    // 10 per nanosecond: the interval is rounded up to 1 ns, the burst is still 10.
    let limiter = RateLimiter::new(Rate::new(10, Duration::from_nanos(1)));
    let taken = (0..10).filter(|_| limiter.try_acquire().is_ok()).count();
    assert_eq!(taken, 10);
}

#[test]
fn extreme_rates_do_not_overflow() {
    let limiter = RateLimiter::new(Rate::new(u64::MAX, Duration::from_nanos(u64::MAX)));
    assert!(limiter.try_acquire().is_ok());
    assert!(limiter.available() > 0);
    let slow = RateLimiter::new(Rate::new(1, Duration::from_nanos(u64::MAX)));
    assert!(slow.try_acquire().is_ok());
    assert!(slow.try_acquire().is_err());
    assert_eq!(slow.available(), 0);
}
