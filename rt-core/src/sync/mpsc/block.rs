//! One block of the message list: [`BLOCK_CAP`] slots, each with its ready flag, and
//! the link to the next block.
//!
//! Each slot keeps its ready flag next to its value, so a send touches one cache line
//! of the block and sets the flag with a plain `Release` store (no read-modify-write on
//! a word shared with the other senders).
//!
//! # Invariants
//!
//! 1. **Indices.** Every message has an index (63 bits, wrapping; see [`INDEX_MASK`]).
//!    A block holds the indices `start .. start + BLOCK_CAP`; the block after it (its
//!    `next`) starts at `start + BLOCK_CAP`. `start` is a plain field: it is written
//!    only while the block is owned by one thread (being created, or being recycled
//!    before it is linked again), and read by others only after an `Acquire` load of
//!    the pointer that published the block.
//! 2. **Slots.** A slot is written once, by the sender that claimed its index, and then
//!    its ready flag is set with a `Release` store: that is the sender's last access to
//!    the block. The receiver reads a slot only after seeing its flag with `Acquire`,
//!    and reads it once (moving the value out).
//! 3. **Release.** The `released` word is set once no sender that claims an index at or
//!    above the recorded one can reach the block any more (see `list.rs`).
//! 4. **Ownership of values.** A block never drops the values in its slots: the list
//!    moves every written value out (receiving or draining) before it frees a block.

use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};

use crate::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use crate::loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize};
use crate::loom::UnsafeCell;

/// Slots per block (a power of two). Two under loom, so that models cross block
/// boundaries (and recycle blocks) with few messages.
#[cfg(not(loom))]
pub(super) const BLOCK_CAP: usize = 32;
/// Slots per block (a power of two).
#[cfg(loom)]
pub(super) const BLOCK_CAP: usize = 2;

/// The offset of an index within its block.
const SLOT_MASK: usize = BLOCK_CAP - 1;

/// Set in the `released` word (above the 63-bit index recorded there) once the block
/// is released (invariant 3).
const RELEASED: usize = !INDEX_MASK;

/// Message indices are 63-bit counters (the tail word keeps a flag in its low bit), so
/// index arithmetic wraps at this mask.
pub(super) const INDEX_MASK: usize = usize::MAX >> 1;

/// The first index of the block holding `index`.
pub(super) fn block_start(index: usize) -> usize {
    index & !SLOT_MASK & INDEX_MASK
}

/// The slot of `index` within its block.
pub(super) fn offset(index: usize) -> usize {
    index & SLOT_MASK
}

/// `index + n`, wrapping at [`INDEX_MASK`].
pub(super) fn index_add(index: usize, n: usize) -> usize {
    index.wrapping_add(n) & INDEX_MASK
}

/// `later - earlier`, wrapping at [`INDEX_MASK`].
pub(super) fn index_distance(earlier: usize, later: usize) -> usize {
    later.wrapping_sub(earlier) & INDEX_MASK
}

/// Whether `index` is at or past `target` (indices less than 2^62 apart compare
/// correctly across the wrap).
pub(super) fn index_reached(index: usize, target: usize) -> bool {
    index_distance(target, index) <= INDEX_MASK >> 1
}

/// A block of the list; see the module docs for who touches what.
pub(super) struct Block<T> {
    /// The messages and their ready flags.
    slots: [Slot<T>; BLOCK_CAP],
    /// The index of the first slot (invariant 1).
    start: usize,
    /// The next block, null until a sender (or the receiver, recycling) links one.
    next: AtomicPtr<Block<T>>,
    /// `RELEASED | index` once released at tail index `index` (invariant 3), else 0.
    released: AtomicUsize,
}

/// One message slot: the value is initialised iff `ready` is set and the value was not
/// moved out yet.
struct Slot<T> {
    value: UnsafeCell<MaybeUninit<T>>,
    ready: AtomicBool,
}

impl<T> Block<T> {
    /// A fresh, unlinked block starting at `start`, on the heap.
    pub(super) fn alloc(start: usize) -> NonNull<Block<T>> {
        let mut boxed = Box::<Block<T>>::new_uninit();
        let block = boxed.as_mut_ptr();
        // SAFETY: `block` points to writable memory for a `Block<T>`; each field is
        // written in place exactly once (for each slot: its uninitialised value cell and
        // its flag), after which the whole block is initialised. Writing in place keeps
        // large messages' slot arrays off the stack.
        let boxed = unsafe {
            ptr::addr_of_mut!((*block).start).write(start);
            ptr::addr_of_mut!((*block).next).write(AtomicPtr::new(ptr::null_mut()));
            ptr::addr_of_mut!((*block).released).write(AtomicUsize::new(0));
            let slots = ptr::addr_of_mut!((*block).slots).cast::<Slot<T>>();
            for i in 0..BLOCK_CAP {
                let slot = slots.add(i);
                ptr::addr_of_mut!((*slot).value).write(UnsafeCell::new(MaybeUninit::uninit()));
                ptr::addr_of_mut!((*slot).ready).write(AtomicBool::new(false));
            }
            boxed.assume_init()
        };
        NonNull::from(Box::leak(boxed))
    }

    /// Frees a block made by [`alloc`](Block::alloc), without dropping any slot.
    ///
    /// # Safety
    ///
    /// `block` came from `alloc`, is reachable by no other thread, and is not used
    /// again; its written values were moved out (invariant 4).
    pub(super) unsafe fn free(block: NonNull<Block<T>>) {
        // SAFETY: allocated by `Box` in `alloc` and exclusively ours (caller).
        drop(unsafe { Box::from_raw(block.as_ptr()) });
    }

    /// The index of the first slot.
    pub(super) fn start(&self) -> usize {
        self.start
    }

    /// The next block, if linked.
    pub(super) fn load_next(&self) -> Option<NonNull<Block<T>>> {
        NonNull::new(self.next.load(Acquire))
    }

    /// Writes `value` into slot `offset` and sets its ready flag.
    ///
    /// Takes a pointer, not `&self`: the receiver may free the block as soon as the
    /// flag is set, while this call has not returned yet, and a `&Block` argument
    /// would claim the whole block stays valid until then.
    ///
    /// # Safety
    ///
    /// The caller claimed the index of this slot (nobody else writes it) and the block
    /// is valid until the flag is set (see `list.rs`). After this call the caller must
    /// not touch the block again: the receiver may recycle it.
    pub(super) unsafe fn write(block: NonNull<Block<T>>, offset: usize, value: T) {
        // SAFETY: the block is valid (caller) and the slot is ours; the receiver reads
        // it only after the flag below, which publishes the write.
        unsafe {
            let slot = ptr::addr_of!((*block.as_ptr()).slots[offset]);
            (*slot).value.with_mut(|value_ptr| (*value_ptr).write(value));
            // The last access: only this atomic is borrowed, for the call.
            (*slot).ready.store(true, Release);
        }
    }

    /// Whether slot `offset` is written (`Acquire`: it may be read after this).
    pub(super) fn is_ready(&self, offset: usize) -> bool {
        self.slots[offset].ready.load(Acquire)
    }

    /// Moves the value out of slot `offset`.
    ///
    /// # Safety
    ///
    /// The caller is the receiver, saw [`is_ready`](Block::is_ready) return true, and
    /// reads each slot at most once.
    pub(super) unsafe fn read(&self, offset: usize) -> T {
        // SAFETY: initialised and published (caller); no sender writes it again.
        self.slots[offset]
            .value
            .with(|value| unsafe { (*value).assume_init_read() })
    }

    /// Whether every slot was written: no sender will write to this block again.
    pub(super) fn is_final(&self) -> bool {
        self.slots.iter().all(|slot| slot.ready.load(Acquire))
    }

    /// Marks the block released at tail index `tail` (invariant 3).
    ///
    /// Takes a pointer for the same reason as [`write`](Block::write): the receiver may
    /// free the block as soon as it is marked.
    ///
    /// # Safety
    ///
    /// The block is valid, and the caller moved the list's tail pointer past it and is
    /// the only thread that did (so the only one to release it).
    pub(super) unsafe fn release(block: NonNull<Block<T>>, tail: usize) {
        debug_assert_eq!(tail & RELEASED, 0);
        // SAFETY: valid (caller); the last access.
        unsafe { (*block.as_ptr()).released.store(RELEASED | tail, Release) };
    }

    /// The tail index at release, once released.
    pub(super) fn released_at(&self) -> Option<usize> {
        let released = self.released.load(Acquire);
        (released & RELEASED != 0).then_some(released & INDEX_MASK)
    }

    /// Makes a drained block blank again, for recycling.
    ///
    /// # Safety
    ///
    /// No other thread can reach the block, and every written value was moved out.
    pub(super) unsafe fn reset(block: NonNull<Block<T>>) {
        // SAFETY: exclusive access (caller).
        let block = unsafe { &*block.as_ptr() };
        block.next.store(ptr::null_mut(), Relaxed);
        block.released.store(0, Relaxed);
        for slot in &block.slots {
            slot.ready.store(false, Relaxed);
        }
    }

    /// Links `new` after `self`, setting its start index, unless `self` already has a
    /// successor, which is returned instead.
    ///
    /// # Safety
    ///
    /// `new` is a blank, unlinked block that no other thread can reach.
    pub(super) unsafe fn try_link(&self, new: NonNull<Block<T>>) -> Result<(), NonNull<Block<T>>> {
        // SAFETY: `new` is exclusively ours until the compare-and-swap publishes it.
        unsafe { (*new.as_ptr()).start = index_add(self.start, BLOCK_CAP) };
        match self
            .next
            .compare_exchange(ptr::null_mut(), new.as_ptr(), AcqRel, Acquire)
        {
            Ok(_) => Ok(()),
            // SAFETY: `next` is only ever set to a valid block.
            Err(actual) => Err(unsafe { NonNull::new_unchecked(actual) }),
        }
    }

    /// The next block, allocating and linking one if there is none yet.
    pub(super) fn grow(&self) -> NonNull<Block<T>> {
        let new = Block::alloc(index_add(self.start, BLOCK_CAP));
        // SAFETY: `new` was just allocated: blank, unlinked, unshared.
        match unsafe { self.try_link(new) } {
            Ok(()) => new,
            Err(actual) => {
                // Another thread linked one first. Ours was never shared.
                // SAFETY: `new` is ours alone and holds no value.
                unsafe { Block::free(new) };
                actual
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn index_arithmetic_wraps_at_63_bits() {
        assert_eq!(index_add(INDEX_MASK, 1), 0);
        assert_eq!(index_distance(INDEX_MASK, 1), 2);
        assert!(index_reached(1, INDEX_MASK));
        assert!(!index_reached(INDEX_MASK, 1));
        assert!(index_reached(5, 5));
        assert_eq!(block_start(INDEX_MASK), INDEX_MASK & !SLOT_MASK);
        assert_eq!(offset(BLOCK_CAP + 3), 3);
    }

    #[test]
    fn write_read_release_reset() {
        let ptr = Block::<String>::alloc(0);
        // SAFETY: the block is ours alone for the whole test.
        unsafe {
            let block = ptr.as_ref();
            assert!(!block.is_ready(1));
            Block::write(ptr, 1, "one".to_string());
            assert!(block.is_ready(1));
            assert_eq!(block.read(1), "one");
            assert!(!block.is_final());
            for i in (0..BLOCK_CAP).filter(|i| *i != 1) {
                Block::write(ptr, i, i.to_string());
                drop(block.read(i));
            }
            assert!(block.is_final());
            assert_eq!(block.released_at(), None);
            Block::release(ptr, 7);
            assert_eq!(block.released_at(), Some(7));
            let next = block.grow();
            assert_eq!(next.as_ref().start(), BLOCK_CAP);
            assert_eq!(block.grow(), next, "grow returns the existing successor");
            Block::reset(ptr);
            assert!(!block.is_ready(1));
            assert_eq!(block.released_at(), None);
            assert!(block.load_next().is_none());
            Block::free(next);
            Block::free(ptr);
        }
    }
}
