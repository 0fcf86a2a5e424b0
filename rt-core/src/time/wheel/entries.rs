//! The timer entries: a slab of small fixed-size records, each linked into the doubly
//! linked list of the wheel slot it waits in.
//!
//! An entry is addressed by its index in the slab; a [`Key`] adds the generation the
//! entry was given when it was allocated. Generations come from one counter per slab (not
//! per record), so a key never matches a later entry in the same record, not even after
//! the slab was emptied and shrunk (until the 32-bit counter wraps, which would take
//! four billion insertions while one `Sleep` sits between two instructions; the callers
//! never present a stale key outside that window anyway, see `handle.rs`).
//!
//! Free records form a LIFO list through `next`, so a burst of insert + cancel reuses
//! the same few cache lines.

use std::ops::{Index, IndexMut};
use std::task::Waker;

/// "No entry": the end of a list, an empty slot, an empty free list.
pub(super) const NIL: u32 = u32::MAX;

/// The slot code of a free record.
pub(super) const VACANT: u16 = u16::MAX;

/// Names one pending timer in the wheel. Stale keys (of a timer that fired or was
/// removed) are harmless: every lookup checks the generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    index: u32,
    generation: u32,
}

/// One pending timer (40 bytes on 64-bit targets).
#[derive(Debug)]
pub(super) struct Entry {
    /// The waker to wake when the timer fires; `None` only in a free record.
    pub(super) waker: Option<Waker>,
    /// The tick (ms since the handle's origin) at which the timer is due.
    pub(super) when: u64,
    pub(super) prev: u32,
    /// The next entry of the slot list, or (free record) the next free record.
    pub(super) next: u32,
    pub(super) generation: u32,
    /// `level * 64 + slot` of the list holding the entry; [`VACANT`] when free.
    pub(super) slot: u16,
}

#[derive(Debug)]
pub(super) struct Entries {
    slab: Vec<Entry>,
    free: u32,
    len: usize,
    next_generation: u32,
}

/// Slabs that grew past this many records are freed when they become empty.
const KEEP_CAPACITY: usize = 4096;

impl Entries {
    pub(super) const fn new() -> Entries {
        Entries {
            slab: Vec::new(),
            free: NIL,
            len: 0,
            next_generation: 0,
        }
    }

    /// Live entries.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Allocates an entry (not linked anywhere yet, `slot` still [`VACANT`]).
    pub(super) fn alloc(&mut self, when: u64, waker: Waker) -> (u32, Key) {
        let generation = self.next_generation;
        self.next_generation = generation.wrapping_add(1);
        let entry = Entry {
            waker: Some(waker),
            when,
            prev: NIL,
            next: NIL,
            generation,
            slot: VACANT,
        };
        let index = if self.free != NIL {
            let index = self.free;
            self.free = self[index].next;
            self[index] = entry;
            index
        } else {
            let index = u32::try_from(self.slab.len()).ok().filter(|&i| i != NIL);
            let index = index.expect("more than 4 billion timers pending");
            self.slab.push(entry);
            index
        };
        self.len += 1;
        (index, Key { index, generation })
    }

    /// The index of the live entry `key` names, if it is still there.
    pub(super) fn find(&self, key: Key) -> Option<u32> {
        let entry = self.slab.get(key.index as usize)?;
        (entry.slot != VACANT && entry.generation == key.generation).then_some(key.index)
    }

    /// Frees an (unlinked) entry and returns its waker.
    pub(super) fn release(&mut self, index: u32) -> Option<Waker> {
        let free = self.free;
        let entry = &mut self[index];
        debug_assert_ne!(entry.slot, VACANT, "double free of timer entry {index}");
        entry.slot = VACANT;
        entry.next = free;
        let waker = entry.waker.take();
        self.free = index;
        self.len -= 1;
        waker
    }

    /// Gives the memory of a large, now empty slab back.
    pub(super) fn shrink_if_empty(&mut self) {
        if self.len == 0 && self.slab.capacity() > KEEP_CAPACITY {
            self.slab = Vec::new();
            self.free = NIL;
        }
    }

    /// Every record, with its index (for the invariant checks).
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, &Entry)> {
        (0..).zip(self.slab.iter())
    }

    /// Links `index` at the front of the list starting at `head`.
    pub(super) fn push_front(&mut self, head: &mut u32, index: u32, slot: u16) {
        let old = *head;
        {
            let entry = &mut self[index];
            entry.prev = NIL;
            entry.next = old;
            entry.slot = slot;
        }
        if old != NIL {
            self[old].prev = index;
        }
        *head = index;
    }

    /// Unlinks `index` from the list starting at `head` (which must hold it).
    pub(super) fn unlink(&mut self, head: &mut u32, index: u32) {
        let Entry { prev, next, .. } = self[index];
        if prev == NIL {
            debug_assert_eq!(*head, index);
            *head = next;
        } else {
            self[prev].next = next;
        }
        if next != NIL {
            self[next].prev = prev;
        }
    }

    /// Unlinks and returns the first entry of the list starting at `head`.
    pub(super) fn pop_front(&mut self, head: &mut u32) -> Option<u32> {
        let index = *head;
        if index == NIL {
            return None;
        }
        self.unlink(head, index);
        Some(index)
    }
}

impl Index<u32> for Entries {
    type Output = Entry;

    fn index(&self, index: u32) -> &Entry {
        &self.slab[index as usize]
    }
}

impl IndexMut<u32> for Entries {
    fn index_mut(&mut self, index: u32) -> &mut Entry {
        &mut self.slab[index as usize]
    }
}
