//! Many threads withdrawing at once never take more than the budget holds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use rt_core::time::Instant;
use svc_retry::Budget;

const THREADS: usize = 8;

/// Runs `THREADS` threads that each try `attempts` withdrawals at the same instant, after
/// `deposit` runs on its own thread concurrently; returns the withdrawals granted.
fn hammer(budget: &Budget, attempts: usize, deposits: u64) -> u64 {
    let now = Instant::now();
    let granted = Arc::new(AtomicU64::new(0));
    let start = Arc::new(Barrier::new(THREADS + 1));
    let mut threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (budget, granted, start) = (budget.clone(), granted.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                for _ in 0..attempts {
                    if budget.try_withdraw_at(now) {
                        granted.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    let (depositor, start) = (budget.clone(), start.clone());
    threads.push(thread::spawn(move || {
        start.wait();
        for _ in 0..deposits {
            depositor.deposit();
        }
    }));
    threads.into_iter().for_each(|t| t.join().unwrap());
    granted.load(Ordering::Relaxed)
}

#[test]
fn concurrent_withdrawals_take_exactly_the_reserve() {
    for _ in 0..100 {
        // 10 retries/s over 10 s: a reserve of exactly 100 retries, no deposits.
        let budget = Budget::new(Duration::from_secs(10), 10, 0.2).unwrap();
        let granted = hammer(&budget, 1_000, 0);
        assert_eq!(granted, 100, "no overdraw, no lost withdrawal");
        assert_eq!(budget.withdrawals(), 100);
        assert_eq!(budget.refused(), (THREADS * 1_000) as u64 - 100);
        assert_eq!(budget.available(), 0);
    }
}

#[test]
fn concurrent_deposits_and_withdrawals_balance_exactly() {
    for _ in 0..100 {
        // Reserve 100, plus one retry per two deposits: at most 100 + 2,000 / 2.
        let budget = Budget::new(Duration::from_secs(10), 10, 0.5).unwrap();
        let granted = hammer(&budget, 500, 2_000);
        assert!(granted <= 1_100, "granted {granted} > 1,100");
        // Whatever was not withdrawn is still there: nothing created, nothing lost.
        let t = Instant::now();
        assert_eq!(granted + budget.available_at(t), 1_100);
    }
}
