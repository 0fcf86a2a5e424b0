//! Loom models of the retry budget: concurrent deposits and withdrawals never take more
//! than the balance holds, and nothing is created or lost.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p svc-retry
//! --test loom_budget`.
#![cfg(loom)]

use std::time::Duration;

use loom::thread;
use rt_core::time::Instant;
use svc_retry::Budget;

/// A budget whose reserve is exactly `reserve` retries over a 1 s window, with `ratio`.
fn budget(reserve: u32, ratio: f64) -> Budget {
    Budget::new(Duration::from_secs(1), reserve, ratio).unwrap()
}

#[test]
fn concurrent_withdrawals_take_exactly_the_reserve() {
    loom::model(|| {
        let t0 = Instant::now();
        let budget = budget(1, 1.0);
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let budget = budget.clone();
                thread::spawn(move || budget.try_withdraw_at(t0))
            })
            .collect();
        let mine = budget.try_withdraw_at(t0);
        let granted = threads.into_iter().map(|t| t.join().unwrap()).filter(|&g| g).count() + mine as usize;
        assert_eq!(granted, 1, "one retry in the reserve, exactly one withdrawal");
        assert_eq!((budget.withdrawals(), budget.refused()), (1, 2));
        assert_eq!(budget.available_at(t0), 0);
    });
}

#[test]
fn concurrent_deposit_and_withdrawals_balance() {
    loom::model(|| {
        let t0 = Instant::now();
        // Reserve 1, and a retry per deposit.
        let budget = budget(1, 1.0);
        let depositor = {
            let budget = budget.clone();
            thread::spawn(move || budget.deposit())
        };
        let withdrawer = {
            let budget = budget.clone();
            thread::spawn(move || budget.try_withdraw_at(t0))
        };
        let mine = budget.try_withdraw_at(t0);
        depositor.join().unwrap();
        let granted = withdrawer.join().unwrap() as u64 + mine as u64;
        // The deposit may land before, between or after the withdrawals, but the total of
        // what was granted and what is left is always reserve + deposit.
        assert!((1..=2).contains(&granted));
        assert_eq!(granted + budget.available_at(t0), 2);
        assert_eq!(budget.withdrawals(), granted);
    });
}

#[test]
fn expiry_races_with_withdrawals() {
    loom::model(|| {
        let t0 = Instant::now();
        // Reserve 1, ratio 0: the reserve is spent at t0 and refills once it ages out.
        let budget = budget(1, 0.0);
        assert!(budget.try_withdraw_at(t0));
        let later = t0 + Duration::from_millis(1_500);
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let budget = budget.clone();
                thread::spawn(move || budget.try_withdraw_at(later))
            })
            .collect();
        let granted = threads.into_iter().map(|t| t.join().unwrap()).filter(|&g| g).count();
        // The refilled reserve is one retry, whichever thread moved the window.
        assert!(granted <= 1, "granted {granted} from a reserve of 1");
        assert_eq!(granted as u64 + budget.available_at(later), 1);
    });
}

#[test]
fn deposit_races_a_window_move() {
    loom::model(|| {
        let t0 = Instant::now();
        // No reserve; a retry per deposit. The window moves by 5 of its 10 slots.
        let budget = budget(0, 1.0);
        let later = t0 + Duration::from_millis(500);
        let depositor = {
            let budget = budget.clone();
            thread::spawn(move || budget.deposit())
        };
        let mover = {
            let budget = budget.clone();
            thread::spawn(move || budget.try_withdraw_at(later))
        };
        let mine = budget.try_withdraw_at(t0);
        depositor.join().unwrap();
        let granted = mover.join().unwrap() as u64 + mine as u64;
        // The deposit is credited in full (all of its possible epochs are in the window),
        // exactly once, whoever syncs first.
        assert!(granted <= 1);
        assert_eq!(granted + budget.available_at(later), 1);
    });
}
