//! The hierarchical timer wheel: 1 ms ticks, six levels of 64 slots, plus one overflow
//! list.
//!
//! # Layout
//!
//! Time is counted in ticks (milliseconds since the time handle's origin). `elapsed` is
//! the tick up to which the wheel has been processed. A timer due at tick `when` waits
//! in the slot chosen by the highest base-64 digit in which `when` and `elapsed` differ:
//!
//! * level `L` (0..6) holds the timers whose `when` agrees with `elapsed` on every digit
//!   above `L` but not on digit `L`; its slot is `when`'s digit `L`. A slot of level `L`
//!   spans `64^L` ms, a level `64^(L+1)` ms, so the six levels cover `64^6` ms (about
//!   2.2 years);
//! * the overflow lists hold the timers that differ from `elapsed` above digit 5 (due
//!   after the end of the current `64^6` ms block). The list of the current block comes
//!   due at the start of the next block, when its timers are re-inserted, so a timer 30
//!   years away is looked at once every 2.2 years. There are two lists, used by
//!   alternate blocks: the timers re-inserted while one list is emptied (still far away)
//!   go to the other one.
//!
//! Because `when > elapsed` and the higher digits agree, `when`'s digit `L` is above
//! `elapsed`'s: a slot never lies "behind" the current position, the start of its span
//! is at most `when`, and every timer of level `L` is due before any slot of level
//! `L + 1` starts. The next expiration is therefore the first occupied slot (at or after
//! the current one) of the lowest non-empty level, found with one rotate and one
//! trailing-zeros count on that level's 64-bit occupancy bitmap.
//!
//! # Processing
//!
//! [`poll`](Wheel::poll) moves `elapsed` to the next expiration at or before `now` and
//! empties that slot one entry at a time: an entry due by then fires (its record is freed
//! and its waker handed to the caller), the others cascade into a lower level (their
//! digits now agree with `elapsed` one level further down). Each timer cascades at most
//! six times, so processing costs O(1) amortised per timer fired, plus O(levels) per
//! non-empty slot visited; empty slots are skipped by the bitmaps.
//!
//! A slot can be emptied across several `poll` calls (the caller unlocks in between to
//! call wakers): entries are unlinked one by one, so the slot is always a well-formed
//! list that a concurrent cancel can remove from.
//!
//! # Costs
//!
//! Insert, cancel and reschedule are O(1): a slab allocation or free plus a list link /
//! unlink and a bitmap update. Each pending timer costs one 40-byte record.

mod entries;
#[cfg(all(test, not(loom)))]
mod tests;

use std::task::Waker;

pub(crate) use self::entries::Key;
use self::entries::{Entries, NIL, VACANT};

/// Bits per level (a level has `1 << SLOT_BITS` slots).
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS as u64 - 1;
/// Levels of the wheel proper.
const LEVELS: usize = 6;
/// The two overflow lists are stored as slots 0 and 1 of one more level.
const OVERFLOW: usize = LEVELS;
/// Ticks covered by the six levels: `64^6`.
const WHEEL_SPAN_BITS: u32 = SLOT_BITS * LEVELS as u32;
const WHEEL_SPAN: u64 = 1 << WHEEL_SPAN_BITS;

/// The entry for a timer key that is no longer in the wheel: it fired (or was removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Gone;

/// The timer wheel. Not synchronised: the time handle keeps it behind a mutex.
#[derive(Debug)]
pub(crate) struct Wheel {
    /// Ticks processed: every timer due at or before `elapsed` has fired.
    elapsed: u64,
    /// Per level, bit `s` set iff slot `s` is non-empty.
    occupied: [u64; LEVELS + 1],
    /// Per level and slot, the first entry of the slot's list.
    heads: [[u32; SLOTS]; LEVELS + 1],
    /// The slot being emptied by `poll` (level, slot), if any.
    draining: Option<(usize, usize)>,
    entries: Entries,
}

/// Where a timer due at `when` waits when the wheel is at `elapsed` (`when > elapsed`).
fn location(elapsed: u64, when: u64) -> (usize, usize) {
    let differing = (elapsed ^ when) | SLOT_MASK;
    let level = ((u64::BITS - 1 - differing.leading_zeros()) / SLOT_BITS) as usize;
    if level >= LEVELS {
        (OVERFLOW, ((elapsed >> WHEEL_SPAN_BITS) & 1) as usize)
    } else {
        (level, ((when >> (level as u32 * SLOT_BITS)) & SLOT_MASK) as usize)
    }
}

fn slot_code(level: usize, slot: usize) -> u16 {
    (level * SLOTS + slot) as u16
}

fn slot_of_code(code: u16) -> (usize, usize) {
    (code as usize / SLOTS, code as usize % SLOTS)
}

impl Wheel {
    pub(crate) const fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            occupied: [0; LEVELS + 1],
            heads: [[NIL; SLOTS]; LEVELS + 1],
            draining: None,
            entries: Entries::new(),
        }
    }

    /// The tick up to which every timer has fired.
    pub(crate) fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Pending timers.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds a timer due at tick `when`, to wake `waker`. If `when` is already processed
    /// nothing is stored and the waker is handed back (for the caller to drop unlocked).
    pub(crate) fn insert(&mut self, when: u64, waker: Waker) -> Result<Key, Waker> {
        if when <= self.elapsed {
            return Err(waker);
        }
        let (index, key) = self.entries.alloc(when, waker);
        self.link(index);
        Ok(key)
    }

    /// Replaces the waker of a pending timer (unless it would wake the same task).
    /// Returns the old waker, to be dropped by the caller once it released its lock.
    pub(crate) fn set_waker(&mut self, key: Key, waker: &Waker) -> Result<Option<Waker>, Gone> {
        let index = self.entries.find(key).ok_or(Gone)?;
        let slot = &mut self.entries[index].waker;
        match slot {
            Some(old) if old.will_wake(waker) => Ok(None),
            _ => Ok(slot.replace(waker.clone())),
        }
    }

    /// Moves a pending timer to tick `when`. If `when` is already processed the timer is
    /// removed instead and its waker returned (to be woken by the caller).
    pub(crate) fn reschedule(&mut self, key: Key, when: u64) -> Result<Option<Waker>, Gone> {
        let index = self.entries.find(key).ok_or(Gone)?;
        self.unlink(index);
        if when <= self.elapsed {
            return Ok(self.entries.release(index));
        }
        self.entries[index].when = when;
        self.link(index);
        Ok(None)
    }

    /// Cancels a pending timer; returns its waker (to drop outside the caller's lock),
    /// or `None` if the key names no pending timer.
    pub(crate) fn remove(&mut self, key: Key) -> Option<Waker> {
        let index = self.entries.find(key)?;
        self.unlink(index);
        self.entries.release(index)
    }

    /// The tick at which the next slot comes due, if any timer is pending. Timers fire
    /// at that tick or, if they are only cascaded then, later.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(_, _, deadline)| deadline)
    }

    /// Fires the next timer due at or before tick `now` and returns its waker. Returns
    /// `None` when no timer is due any more, having moved `elapsed` up to `now`.
    pub(crate) fn poll(&mut self, now: u64) -> Option<Waker> {
        loop {
            // Phase 1: keep emptying the slot whose time has come.
            if let Some((level, slot)) = self.draining {
                let head = &mut self.heads[level][slot];
                if let Some(index) = self.entries.pop_front(head) {
                    if *head == NIL {
                        self.occupied[level] &= !(1 << slot);
                    }
                    if self.entries[index].when > self.elapsed {
                        self.link(index); // cascade to a lower level
                    } else if let Some(waker) = self.entries.release(index) {
                        return Some(waker);
                    }
                    continue;
                }
                self.draining = None;
            }
            // Phase 2: move to the next slot due by `now`, or stop there.
            match self.next_slot() {
                Some((level, slot, deadline)) if deadline <= now => {
                    self.elapsed = self.elapsed.max(deadline);
                    self.draining = Some((level, slot));
                }
                _ => {
                    self.elapsed = self.elapsed.max(now);
                    return None;
                }
            }
        }
    }

    /// Removes every pending timer (shutdown), handing each waker to `f`.
    pub(crate) fn drain(&mut self, mut f: impl FnMut(Waker)) {
        for level in 0..=LEVELS {
            while self.occupied[level] != 0 {
                let slot = self.occupied[level].trailing_zeros() as usize;
                let head = &mut self.heads[level][slot];
                while let Some(index) = self.entries.pop_front(head) {
                    if let Some(waker) = self.entries.release(index) {
                        f(waker);
                    }
                }
                self.occupied[level] &= !(1 << slot);
            }
        }
        self.draining = None;
        self.entries.shrink_if_empty();
    }

    /// Frees the slab's memory if it is large and no timer is pending.
    pub(crate) fn shrink_if_empty(&mut self) {
        self.entries.shrink_if_empty();
    }

    /// The first non-empty slot as (level, slot, tick at which it comes due).
    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for level in 0..LEVELS {
            let occupied = self.occupied[level];
            if occupied == 0 {
                continue;
            }
            let shift = level as u32 * SLOT_BITS;
            let current = ((self.elapsed >> shift) & SLOT_MASK) as u32;
            let slot = ((occupied.rotate_right(current).trailing_zeros() + current) as u64 & SLOT_MASK) as usize;
            debug_assert!(slot as u32 >= current, "slot behind the wheel's position");
            let level_span = (SLOTS as u64) << shift;
            let level_start = self.elapsed & !(level_span - 1);
            return Some((level, slot, level_start + ((slot as u64) << shift)));
        }
        // The current block's list is due at the next block; the other one (left over
        // from the previous block, being emptied) is due now.
        let current = ((self.elapsed >> WHEEL_SPAN_BITS) & 1) as usize;
        let previous = current ^ 1;
        if self.occupied[OVERFLOW] & (1 << previous) != 0 {
            return Some((OVERFLOW, previous, self.elapsed & !(WHEEL_SPAN - 1)));
        }
        (self.occupied[OVERFLOW] != 0).then(|| {
            let next_block = (self.elapsed | (WHEEL_SPAN - 1)).saturating_add(1);
            (OVERFLOW, current, next_block)
        })
    }

    /// Links an allocated, unlinked entry into the slot its `when` belongs to.
    fn link(&mut self, index: u32) {
        let (level, slot) = location(self.elapsed, self.entries[index].when);
        self.entries
            .push_front(&mut self.heads[level][slot], index, slot_code(level, slot));
        self.occupied[level] |= 1 << slot;
    }

    /// Unlinks a linked entry from its slot.
    fn unlink(&mut self, index: u32) {
        let (level, slot) = slot_of_code(self.entries[index].slot);
        let head = &mut self.heads[level][slot];
        self.entries.unlink(head, index);
        if *head == NIL {
            self.occupied[level] &= !(1 << slot);
        }
    }

    /// Checks the structure (lists, bitmaps, counts, placement); panics on the first
    /// violation. For tests and loom models.
    pub(crate) fn check_invariants(&self) {
        let mut linked = 0;
        for level in 0..=LEVELS {
            for slot in 0..SLOTS {
                let head = self.heads[level][slot];
                let bit = self.occupied[level] & (1 << slot) != 0;
                assert_eq!(bit, head != NIL, "occupancy bit of level {level} slot {slot}");
                let (mut prev, mut at) = (NIL, head);
                while at != NIL {
                    let entry = &self.entries[at];
                    assert_eq!(entry.slot, slot_code(level, slot), "entry {at} in the wrong list");
                    assert_eq!(entry.prev, prev, "broken back link at entry {at}");
                    assert!(entry.waker.is_some(), "pending entry {at} without a waker");
                    self.check_placement(at, level, slot);
                    linked += 1;
                    (prev, at) = (at, entry.next);
                }
            }
        }
        let live = self.entries.iter().filter(|(_, e)| e.slot != VACANT).count();
        assert_eq!(live, linked, "live entries not linked in any slot");
        assert_eq!(self.entries.len(), linked, "entry count");
    }

    fn check_placement(&self, index: u32, level: usize, slot: usize) {
        let when = self.entries[index].when;
        let draining = self.draining == Some((level, slot));
        if draining {
            return; // its entries are due or about to cascade
        }
        assert!(
            when > self.elapsed,
            "entry {index} due at {when} not fired at {}",
            self.elapsed
        );
        assert_eq!(location(self.elapsed, when), (level, slot), "entry {index} misplaced");
    }
}
