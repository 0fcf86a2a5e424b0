//! [`Budget`]: a Finagle-style retry budget.
//!
//! # Protocol
//!
//! The spendable **balance** is one atomic word, in units (a deposit is [`DEPOSIT`] units,
//! a withdrawal `DEPOSIT / ratio`). It starts at the reserve (`min_retries_per_sec × ttl`
//! withdrawals). A withdrawal is a single `fetch_update` that subtracts only if the balance
//! covers it, so concurrent withdrawals can never take more than the balance holds (tower's
//! `TpsBudget` reads the balance and subtracts in two steps and can overdraw).
//!
//! A **deposit** is one relaxed `fetch_add` on a monotonic counter: no clock read, no
//! lock. Deposits reach the balance when a withdrawal attempt **syncs**: it reads the clock,
//! takes the window's mutex with `try_lock`, credits the deposits counted since the
//! previous sync, expires what left the window (see the `ring` module), withdraws, and
//! records its withdrawal in the current slot. If another attempt holds the mutex, this one
//! spends the balance as it stands (which can only under-count deposits) and counts its
//! withdrawal in an atomic for the next sync to attribute. So the hot path of a request
//! that is not retried costs one atomic add; the clock and the mutex are only touched on
//! the retry path, and the mutex is never waited for.
//!
//! Expiry can take the balance below zero (retries that were backed by deposits which have
//! now expired); withdrawals are refused until it recovers. That is Finagle's behaviour.

mod ring;

use std::fmt;
use std::time::Duration;

use rt_core::loom::sync::atomic::{AtomicU64, Ordering};
use rt_core::loom::sync::{Arc, Mutex};
use rt_core::loom::CachePadded;
use rt_core::time::Instant;

use crate::error::InvalidBudget;
use ring::{Ring, SLOTS};

/// Units of one deposit (fixed point: a withdrawal is `DEPOSIT / ratio` units).
const DEPOSIT: i64 = 1000;

/// Largest reserve accepted, in units, leaving the balance word plenty of headroom.
const MAX_RESERVE: f64 = (1u64 << 52) as f64;

/// A retry budget shared by the clones of a service: every original request deposits,
/// every retry withdraws, and deposits expire after a time-to-live.
///
/// A budget allows, at any time, the retries covered by the reserve (`min_retries_per_sec
/// × ttl`, so a service with little traffic can still retry) plus `retry_ratio` times the
/// requests deposited within the last `ttl`. The defaults are Finagle's: ttl 10 s, 10
/// retries per second, ratio 0.2 (a retry for every five requests). Retries also age out
/// after the ttl, which refills the reserve.
///
/// Clones share the balance (the budget is an `Arc` inside). Withdrawal is exact: under any
/// number of threads, the withdrawals granted never exceed what the balance holds.
///
/// Expiry has a granularity of `ttl / 10`. Deposits are counted without reading the clock
/// and attributed to the window at the next withdrawal attempt; deposits made over a long
/// period without any withdrawal are spread evenly over that period, so only the share that
/// falls within the last ttl counts.
///
/// Time is `rt-core`'s clock ([`Instant::now`]), so a test with a paused clock drives
/// expiry; [`try_withdraw_at`](Budget::try_withdraw_at) takes the time explicitly. A
/// withdrawal costs `round(1000 / ratio)` thousandths of a deposit, so a ratio is honoured
/// to that precision.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_retry::Budget;
///
/// // 1 retry per second of reserve, over a 1 s window, plus one retry per two requests.
/// let budget = Budget::new(Duration::from_secs(1), 1, 0.5)?;
/// assert!(budget.try_withdraw()); // the reserve
/// assert!(!budget.try_withdraw());
/// budget.deposit();
/// budget.deposit();
/// assert!(budget.try_withdraw()); // two requests paid for one retry
/// assert!(!budget.try_withdraw());
/// assert_eq!(budget.refused(), 2);
/// # Ok::<_, svc_retry::InvalidBudget>(())
/// ```
#[derive(Clone)]
pub struct Budget {
    shared: Arc<Shared>,
}

struct Shared {
    /// Deposits made (monotonic). The only word the pass-through path writes.
    deposits: CachePadded<AtomicU64>,
    /// Spendable units, an `i64` in two's complement.
    balance: AtomicU64,
    /// Withdrawals granted (monotonic, statistics only).
    withdrawals: AtomicU64,
    /// Withdrawals granted while another thread held the window (monotonic); the next
    /// sync attributes them.
    unattributed: AtomicU64,
    /// Withdrawals refused (monotonic, statistics only).
    refused: AtomicU64,
    ring: Mutex<Ring>,
    origin: Instant,
    slot: Duration,
    withdrawal: i64,
    deposit: i64,
    ttl: Duration,
    min_per_sec: u32,
    ratio: f64,
}

impl Budget {
    /// Creates a budget: deposits live for `ttl`, `min_retries_per_sec` retries per second
    /// are always allowed, and every request adds `retry_ratio` of a retry.
    ///
    /// A ratio of 0 allows only the reserve; a ratio of 1 a retry per request; the maximum,
    /// 1000, a thousand retries per request.
    ///
    /// # Errors
    ///
    /// [`InvalidBudget`] if `ttl` is not within 1 s ..= 60 s, if `retry_ratio` is NaN,
    /// negative or above 1000, or if the reserve is too large to account for.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use svc_retry::Budget;
    ///
    /// assert!(Budget::new(Duration::from_secs(10), 10, 0.2).is_ok());
    /// assert!(Budget::new(Duration::from_secs(10), 10, -0.1).unwrap_err().is_ratio());
    /// assert!(Budget::new(Duration::from_millis(10), 10, 0.2).unwrap_err().is_ttl());
    /// ```
    pub fn new(ttl: Duration, min_retries_per_sec: u32, retry_ratio: f64) -> Result<Budget, InvalidBudget> {
        if !(Duration::from_secs(1)..=Duration::from_secs(60)).contains(&ttl) {
            return Err(InvalidBudget::ttl(ttl));
        }
        if !(0.0..=1000.0).contains(&retry_ratio) {
            return Err(InvalidBudget::ratio(retry_ratio)); // NaN is in no range
        }
        let (deposit, withdrawal) = if retry_ratio == 0.0 {
            (0, DEPOSIT)
        } else {
            (DEPOSIT, ((DEPOSIT as f64 / retry_ratio).round() as i64).max(1))
        };
        let reserve = f64::from(min_retries_per_sec) * ttl.as_secs_f64() * withdrawal as f64;
        if reserve > MAX_RESERVE {
            return Err(InvalidBudget::reserve());
        }
        let shared = Shared {
            deposits: CachePadded(AtomicU64::new(0)),
            balance: AtomicU64::new(reserve as i64 as u64),
            withdrawals: AtomicU64::new(0),
            unattributed: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            ring: Mutex::new(Ring::new()),
            origin: Instant::now(),
            slot: ttl / SLOTS as u32,
            withdrawal,
            deposit,
            ttl,
            min_per_sec: min_retries_per_sec,
            ratio: retry_ratio,
        };
        Ok(Budget {
            shared: Arc::new(shared),
        })
    }

    /// Records an original request (not a retry): one relaxed atomic add.
    ///
    /// The deposit is credited to the balance at the next withdrawal attempt.
    pub fn deposit(&self) {
        self.shared.deposits.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes one retry from the budget if the balance covers it, at the runtime clock's
    /// current time ([`Instant::now`]).
    ///
    /// Returns `false`, and counts a refusal, if it does not.
    pub fn try_withdraw(&self) -> bool {
        self.try_withdraw_at(Instant::now())
    }

    /// Takes one retry from the budget if the balance covers it, at time `now`.
    ///
    /// For callers that already hold the time, and for tests that drive time by hand. A
    /// `now` earlier than a previous one is treated as the latest time seen.
    pub fn try_withdraw_at(&self, now: Instant) -> bool {
        let shared = &*self.shared;
        let taken = match shared.ring.try_lock() {
            Some(mut ring) => {
                shared.sync(&mut ring, now);
                let taken = shared.take();
                if taken {
                    ring.debit(shared.withdrawal); // attributed to `now`'s epoch
                }
                taken
            }
            None => {
                // Another attempt is syncing: spend the balance as it stands, and leave
                // the withdrawal for the next sync to attribute.
                let taken = shared.take();
                if taken {
                    shared.unattributed.fetch_add(1, Ordering::Release);
                }
                taken
            }
        };
        let counter = if taken { &shared.withdrawals } else { &shared.refused };
        counter.fetch_add(1, Ordering::Relaxed);
        taken
    }

    /// The number of retries the balance covers now.
    pub fn available(&self) -> u64 {
        self.available_at(Instant::now())
    }

    /// The number of retries the balance covers at time `now` (see
    /// [`try_withdraw_at`](Budget::try_withdraw_at)).
    pub fn available_at(&self, now: Instant) -> u64 {
        let shared = &*self.shared;
        if let Some(mut ring) = shared.ring.try_lock() {
            shared.sync(&mut ring, now);
        }
        let balance = shared.balance.load(Ordering::Acquire) as i64;
        (balance.max(0) / shared.withdrawal) as u64
    }

    /// Deposits made so far (original requests recorded).
    pub fn deposits(&self) -> u64 {
        self.shared.deposits.load(Ordering::Relaxed)
    }

    /// Withdrawals granted so far (retries allowed).
    pub fn withdrawals(&self) -> u64 {
        self.shared.withdrawals.load(Ordering::Relaxed)
    }

    /// Withdrawals refused so far (retries the budget stopped).
    pub fn refused(&self) -> u64 {
        self.shared.refused.load(Ordering::Relaxed)
    }

    /// The time-to-live of deposits.
    pub fn ttl(&self) -> Duration {
        self.shared.ttl
    }

    /// The minimum number of retries per second.
    pub fn min_retries_per_sec(&self) -> u32 {
        self.shared.min_per_sec
    }

    /// The retry ratio: retries allowed per request.
    pub fn retry_ratio(&self) -> f64 {
        self.shared.ratio
    }
}

impl Shared {
    /// Brings the window to `now`, credits the deposits made since the last sync and
    /// attributes the withdrawals made without the lock. Adjusts the balance under the
    /// lock, so syncs apply their adjustments in window order.
    fn sync(&self, ring: &mut Ring, now: Instant) {
        let epoch = self.epoch_of(now);
        let deposits = self.deposits.load(Ordering::Acquire);
        let unattributed = self.unattributed.load(Ordering::Acquire);
        let adjust = ring.sync(epoch, deposits, unattributed, self.deposit, self.withdrawal);
        if adjust.delta != 0 {
            self.balance.fetch_add(adjust.delta as u64, Ordering::AcqRel);
        }
    }

    /// The withdrawal itself: one check-and-subtract on the balance.
    fn take(&self) -> bool {
        let w = self.withdrawal;
        self.balance
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |b| {
                let b = b as i64;
                (b >= w).then(|| (b - w) as u64)
            })
            .is_ok()
    }

    fn epoch_of(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.origin).as_nanos();
        u64::try_from(since / self.slot.as_nanos()).unwrap_or(u64::MAX)
    }
}

impl Default for Budget {
    /// Finagle's defaults: ttl 10 s, 10 retries per second, ratio 0.2.
    fn default() -> Budget {
        Budget::new(Duration::from_secs(10), 10, 0.2).expect("the default budget is valid")
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("ttl", &self.shared.ttl)
            .field("min_retries_per_sec", &self.shared.min_per_sec)
            .field("retry_ratio", &self.shared.ratio)
            .field("balance", &(self.shared.balance.load(Ordering::Relaxed) as i64))
            .field("deposits", &self.deposits())
            .field("withdrawals", &self.withdrawals())
            .field("refused", &self.refused())
            .finish()
    }
}
