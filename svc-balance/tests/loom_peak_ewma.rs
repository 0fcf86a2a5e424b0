//! Loom models of the lock-free load metric: concurrent samples never lose a peak, and
//! concurrent completions keep the estimate a weighted mean of what was observed.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p
//! svc-balance --test loom_peak_ewma`.
#![cfg(loom)]

use std::time::Duration;

use loom::sync::Arc;
use loom::thread;
use rt_core::time::Instant;
use svc_balance::load::{Load, PeakEwma, PendingRequests};

#[test]
fn concurrent_samples_keep_the_peak() {
    loom::model(|| {
        let now = Instant::now();
        let load = Arc::new(PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10)));
        let slow = {
            let load = load.clone();
            thread::spawn(move || load.observe(Duration::from_millis(500), now))
        };
        // Same instant: no time passed, so whatever the order the slow sample stands.
        load.observe(Duration::from_millis(1), now);
        slow.join().unwrap();
        assert_eq!(load.rtt_estimate(now), Duration::from_millis(500));
    });
}

#[test]
fn a_later_fast_sample_decays_once() {
    loom::model(|| {
        let t0 = Instant::now();
        let t1 = t0 + Duration::from_secs(10);
        let load = Arc::new(PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10)));
        let early = {
            let load = load.clone();
            thread::spawn(move || load.observe(Duration::from_millis(100), t0))
        };
        load.observe(Duration::from_millis(10), t1);
        early.join().unwrap();
        let got = load.rtt_estimate(t1).as_secs_f64() * 1e3;
        // Either order: the slow sample first, then one time constant of decay toward
        // 10 ms (66.9 ms); or the fast sample first (decaying 30 ms) and then the slow
        // one, a peak, which stands (100 ms). Never below the decayed peak.
        let decayed = 100.0 * (-1f64).exp() + 10.0 * (1.0 - (-1f64).exp());
        assert!((got - decayed).abs() < 0.01 || (got - 100.0).abs() < 0.01, "{got}");
    });
}

#[test]
fn concurrent_completions_keep_the_estimate_a_mean_of_samples() {
    loom::model(|| {
        let now = Instant::now();
        let load = Arc::new(PeakEwma::default());
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let load = load.clone();
                thread::spawn(move || {
                    let token = load.start(now);
                    load.end(token);
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        // Samples are never above the 30 ms default here (the clock barely moved), so
        // the estimate stays a weighted mean: between the samples and the default.
        let estimate = load.rtt_estimate(now);
        assert!(estimate <= Duration::from_millis(30), "{estimate:?}");
        assert_eq!(PendingRequests::new().cost(2, now), 2.0);
    });
}

/// Two failures racing each other and a pick: the pick sees a cost between the plain one
/// and the doubled-twice one, and afterwards the penalty is one or two doublings (a lost
/// doubling is allowed: the penalty is a heuristic, kept in one word without a lock),
/// never a torn value.
#[test]
fn concurrent_failures_leave_a_whole_penalty() {
    loom::model(|| {
        let load = Arc::new(PeakEwma::new(Duration::from_millis(30), Duration::from_secs(10)));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let load = load.clone();
                thread::spawn(move || {
                    let token = load.start(Instant::now());
                    load.end_failed(token);
                })
            })
            .collect();
        let now = Instant::now();
        let plain = load.rtt_estimate(now).as_nanos() as f64;
        let seen = load.cost(0, now) / plain;
        assert!((0.99..=4.01).contains(&seen), "{seen}");
        for thread in threads {
            thread.join().unwrap();
        }
        let now = Instant::now();
        let factor = load.cost(0, now) / load.rtt_estimate(now).as_nanos() as f64;
        assert!((1.99..=4.01).contains(&factor), "{factor}");
    });
}
