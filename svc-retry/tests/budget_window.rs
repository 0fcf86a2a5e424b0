//! The budget's window: deposits count for a time-to-live, retries age out, and deposits
//! made long before a withdrawal count only for their share of the window.

use std::time::Duration;

use rt_core::time::Instant;
use svc_retry::Budget;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn defaults_are_finagles() {
    let budget = Budget::default();
    assert_eq!(budget.ttl(), Duration::from_secs(10));
    assert_eq!(budget.min_retries_per_sec(), 10);
    assert_eq!(budget.retry_ratio(), 0.2);
    assert_eq!(budget.available(), 100);
}

#[test]
fn invalid_configurations_are_refused_at_construction() {
    let ten = Duration::from_secs(10);
    for ratio in [f64::NAN, -0.01, 1000.5, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(Budget::new(ten, 10, ratio).unwrap_err().is_ratio(), "{ratio}");
    }
    for ttl in [Duration::ZERO, Duration::from_millis(999), Duration::from_secs(61)] {
        assert!(Budget::new(ttl, 10, 0.2).unwrap_err().is_ttl(), "{ttl:?}");
    }
    assert!(Budget::new(Duration::from_secs(60), u32::MAX, 0.0001)
        .unwrap_err()
        .is_reserve());
    assert!(Budget::new(ten, 10, 0.0).is_ok());
    assert!(Budget::new(ten, 10, 1000.0).is_ok());
}

#[test]
fn deposits_expire_after_the_ttl() {
    let t0 = Instant::now();
    let budget = Budget::new(Duration::from_secs(1), 0, 1.0).unwrap();
    for _ in 0..10 {
        budget.deposit();
    }
    assert_eq!(budget.available_at(t0), 10);
    assert_eq!(budget.available_at(t0 + secs(0.5)), 10);
    // Expiry has a granularity of ttl / 10: gone once the window moved a whole ttl.
    assert_eq!(budget.available_at(t0 + secs(1.15)), 0);
}

#[test]
fn withdrawals_age_out_and_refill_the_reserve() {
    let t0 = Instant::now();
    let budget = Budget::new(Duration::from_secs(2), 1, 0.0).unwrap();
    assert!(budget.try_withdraw_at(t0));
    assert!(budget.try_withdraw_at(t0));
    assert!(!budget.try_withdraw_at(t0 + secs(1.0)));
    assert!(budget.try_withdraw_at(t0 + secs(2.3)));
    assert_eq!(budget.available_at(t0 + secs(2.3)), 1);
}

#[test]
fn old_deposits_count_only_for_their_share_of_the_window() {
    let t0 = Instant::now();
    // ratio 1: a retry per deposit; no reserve.
    let budget = Budget::new(Duration::from_secs(1), 0, 1.0).unwrap();
    assert_eq!(budget.available_at(t0), 0); // first sync at t0
    for _ in 0..1_000 {
        budget.deposit();
    }
    // The 1,000 deposits happened somewhere in the 10 s since the last sync: spread
    // evenly, only the last second's (10 of 100 slots) still count.
    assert_eq!(budget.available_at(t0 + secs(9.95)), 100);
}

#[test]
fn a_ratio_of_zero_allows_only_the_reserve() {
    let t0 = Instant::now();
    let budget = Budget::new(Duration::from_secs(1), 3, 0.0).unwrap();
    for _ in 0..1_000 {
        budget.deposit();
    }
    assert_eq!(budget.available_at(t0), 3);
}

#[test]
fn clones_share_the_balance() {
    let t0 = Instant::now();
    let a = Budget::new(Duration::from_secs(1), 1, 0.5).unwrap();
    let b = a.clone();
    a.deposit();
    b.deposit();
    assert!(a.try_withdraw_at(t0));
    assert!(b.try_withdraw_at(t0));
    assert!(!a.try_withdraw_at(t0));
    assert_eq!((b.withdrawals(), b.refused(), b.deposits()), (2, 1, 2));
}
