//! The time window of a budget: a ring of per-slot net amounts.
//!
//! The window (the budget's time-to-live) is cut into [`SLOTS`] slots; slot `e % SLOTS`
//! holds the net units (deposits minus withdrawals) attributed to epoch `e`, an epoch being
//! `ttl / SLOTS` of time since the budget was created. When time moves to a later epoch the
//! slots of epochs that left the window are cleared, and their net amount is handed back to
//! the caller, which takes it off the spendable balance (deposits expire, and so do
//! withdrawals: the reserve refills as old retries age out).
//!
//! A withdrawal made under the ring's lock is recorded at its own epoch ([`Ring::debit`]).
//! Other events are attributed lazily: deposits (always) and withdrawals made while another
//! thread held the lock are counted in monotonic atomics outside the ring, and the ring
//! takes the new ones at each sync. They happened somewhere between the previous sync's
//! epoch and now; they are spread evenly over those epochs, and the share of epochs
//! already out of the window is dropped at once (for a withdrawal, given back). The ring is plain data: the budget keeps it behind a mutex that only
//! the retry path takes.

/// Number of slots the time-to-live is cut into: deposits expire with a granularity of
/// `ttl / SLOTS`.
pub(crate) const SLOTS: u64 = 10;

/// What a sync changes in the spendable balance.
#[must_use]
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Adjust {
    /// Units to add to the balance (may be negative).
    pub(crate) delta: i64,
}

/// The window: the epoch of the latest sync, what was already attributed, and the slots.
#[derive(Debug)]
pub(crate) struct Ring {
    epoch: u64,
    deposits_seen: u64,
    withdrawals_seen: u64,
    slots: [i64; SLOTS as usize],
}

impl Ring {
    /// An empty window at epoch 0.
    pub(crate) fn new() -> Ring {
        Ring {
            epoch: 0,
            deposits_seen: 0,
            withdrawals_seen: 0,
            slots: [0; SLOTS as usize],
        }
    }

    /// Moves the window to `epoch` and attributes the events counted since the last sync.
    ///
    /// `deposits` / `withdrawals` are the monotonic totals of lazily attributed events;
    /// `deposit` / `withdrawal` the units of one event. Withdrawals were taken off the balance when they happened, so
    /// only their expiry changes it; deposits are credited here, for the share that falls
    /// inside the window. An `epoch` earlier than the ring's is treated as the ring's.
    pub(crate) fn sync(
        &mut self,
        epoch: u64,
        deposits: u64,
        withdrawals: u64,
        deposit: i64,
        withdrawal: i64,
    ) -> Adjust {
        let old = self.epoch;
        let epoch = epoch.max(old);
        let expired = self.expire(old, epoch);
        let new_d = deposits.wrapping_sub(self.deposits_seen);
        let new_w = withdrawals.wrapping_sub(self.withdrawals_seen);
        self.deposits_seen = deposits;
        self.withdrawals_seen = withdrawals;
        let credit = units(new_d, deposit);
        let debit = units(new_w, withdrawal);
        // Epochs `old ..= epoch` saw the new events; only the last `SLOTS` are in the window.
        let parts = epoch - old + 1;
        let first_live = parts.saturating_sub(SLOTS);
        let (mut live_credit, mut live_debit) = (0i64, 0i64);
        for j in first_live..parts {
            let (c, d) = (share(credit, j, parts), share(debit, j, parts));
            self.slots[((old + j) % SLOTS) as usize] += c - d;
            live_credit += c;
            live_debit += d;
        }
        // Withdrawals attributed to epochs already out of the window are given back at once.
        Adjust {
            delta: live_credit + (debit - live_debit) - expired,
        }
    }

    /// Records `units` withdrawn at the ring's current epoch (already taken off the
    /// balance; given back when the epoch leaves the window).
    pub(crate) fn debit(&mut self, units: i64) {
        self.slots[(self.epoch % SLOTS) as usize] -= units;
    }

    /// Clears the slots of the epochs that leave the window when it moves from `old` to
    /// `epoch`, and returns their net amount.
    fn expire(&mut self, old: u64, epoch: u64) -> i64 {
        let gap = (epoch - old).min(SLOTS);
        let expired = (1..=gap)
            .map(|k| std::mem::take(&mut self.slots[((old + k) % SLOTS) as usize]))
            .sum();
        self.epoch = epoch;
        expired
    }

    /// Net units currently attributed to the window (for tests and debugging).
    #[cfg(test)]
    pub(crate) fn net(&self) -> i64 {
        self.slots.iter().sum()
    }
}

/// `count × per`, saturating.
fn units(count: u64, per: i64) -> i64 {
    i64::try_from(u128::from(count) * per as u128).unwrap_or(i64::MAX)
}

/// The `j`-th of `parts` near-equal shares of `amount` (the shares sum to `amount`).
fn share(amount: i64, j: u64, parts: u64) -> i64 {
    let cut = |k: u64| (amount as i128 * k as i128 / parts as i128) as i64;
    cut(j + 1) - cut(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_epoch_credits_deposits_only() {
        let mut ring = Ring::new();
        assert_eq!(ring.sync(0, 3, 0, 10, 50).delta, 30);
        // One withdrawal: already debited by the caller, nothing to adjust.
        assert_eq!(ring.sync(0, 3, 1, 10, 50).delta, 0);
        assert_eq!(ring.net(), -20);
    }

    #[test]
    fn expiry_returns_the_net_of_old_slots() {
        let mut ring = Ring::new();
        assert_eq!(ring.sync(0, 5, 0, 10, 50).delta, 50);
        assert_eq!(ring.sync(3, 5, 2, 10, 50).delta, 0); // spread over epochs 0..=3, all live
                                                         // Everything leaves the window: the deposits (+50) and the withdrawals (-100) expire.
        assert_eq!(ring.sync(3 + SLOTS + 1, 5, 2, 10, 50).delta, 50);
        assert_eq!(ring.net(), 0);
    }

    #[test]
    fn long_gap_keeps_only_the_live_share() {
        let mut ring = Ring::new();
        let _ = ring.sync(0, 0, 0, 10, 50);
        // 100 deposits over 100 epochs of which 10 are in the window: a tenth is credited.
        assert_eq!(ring.sync(99, 100, 0, 10, 50).delta, 100);
        // 10 withdrawals in the same gap: 9/10 of them already expired and are given back.
        let mut ring = Ring::new();
        assert_eq!(ring.sync(99, 0, 10, 10, 50).delta, 450);
    }

    #[test]
    fn earlier_epoch_is_the_current_one() {
        let mut ring = Ring::new();
        let _ = ring.sync(5, 0, 0, 10, 50);
        assert_eq!(ring.sync(2, 1, 0, 10, 50).delta, 10);
        assert_eq!(ring.slots[5], 10);
    }

    #[test]
    fn shares_sum_to_the_amount() {
        for parts in 1..20 {
            assert_eq!((0..parts).map(|j| share(97, j, parts)).sum::<i64>(), 97);
        }
    }
}
