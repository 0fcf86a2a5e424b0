//! The message queue: a lock-free, unbounded, singly linked list of [`Block`]s.
//!
//! Senders share the [`Tail`]; the one receiver owns the [`Head`]. The bounded channel
//! limits how many messages are in the list with its semaphore; the list itself never
//! refuses a message for lack of room.
//!
//! # Protocol
//!
//! * **Claiming.** A sender claims the next index with one `fetch_add` on the tail
//!   word (`index << 1 | CLOSED`). A claim that finds `CLOSED` is void: that sender
//!   hands its value back and never touches a block. Claims made before `CLOSED` was
//!   set are always completed, so the written indices form a prefix of the claimed
//!   ones.
//! * **Finding the block.** The sender then walks from `block_tail` (a hint: some
//!   block at or before the one it needs) along the `next` links, allocating a block
//!   when a link is missing, and writes its slot.
//! * **Moving `block_tail` and releasing blocks.** A walking sender that passes a
//!   *final* block (every slot written) may move `block_tail` past it with a
//!   compare-and-swap; the thread that succeeds then reads the tail word
//!   (`fetch_add(0)`, `Release`) and records that index in the block as
//!   `released_at` (its release mark). Any sender that loaded the old
//!   `block_tail` (and so may still walk through the block) claimed its index before
//!   that read: a sender claiming later synchronises with it (its claim is an
//!   `Acquire` read-modify-write of the same word) and so loads the new `block_tail`.
//!   Such a sender is done with the block once its own slot is written.
//! * **Receiving and recycling.** The receiver reads slots in index order, each after
//!   seeing its ready flag. Blocks it has moved past wait on a free list (from
//!   `free_head` up to `head`) until they are released and the receiver has read
//!   every index below `released_at`, i.e. every sender that could still reach them
//!   has finished. Blocks are recycled in list order, so each also waits for the
//!   release conditions of the blocks before it. A recycled block is reset and linked
//!   again after the last block, found by walking a few links from the block the
//!   receiver linked last (or from `block_tail`); if that fails, or if enough spare
//!   blocks are linked ahead of the senders already, it is freed. A channel in a
//!   steady state allocates nothing.
//!
//! Only the receiver frees or recycles blocks that were ever linked, and only blocks
//! behind `block_tail` (a sender that loses the race to link a new block frees it,
//! unseen by anyone).

use std::fmt;
use std::ptr::NonNull;

use super::block::{self, Block, BLOCK_CAP};
use crate::loom::sync::atomic::AtomicPtr;
use crate::loom::sync::atomic::AtomicUsize;
use crate::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

/// The tail word's flag: set once by [`Tail::close`]; claims that see it are void.
const CLOSED: usize = 1;

/// What one claim adds to the tail word (the index is shifted past `CLOSED`).
const CLAIM: usize = 2;

/// How many links a recycled block may walk to find the end of the list.
const RECYCLE_TRIES: usize = 3;

/// The senders' half: the claim counter and the block hint.
pub(super) struct Tail<T> {
    /// `index << 1 | CLOSED`: the next index to claim.
    tail: AtomicUsize,
    /// Some block at or before the block of every index not claimed yet.
    block_tail: AtomicPtr<Block<T>>,
}

/// The receiver's half: where the next message is, and the blocks to recycle.
pub(super) struct Head<T> {
    /// The block holding `index`.
    head: NonNull<Block<T>>,
    /// The next index to read.
    index: usize,
    /// The oldest block not recycled yet (`free_head == head` when none waits).
    free_head: NonNull<Block<T>>,
    /// The block the receiver recycled last: at or near the end of the list, where
    /// the next recycled block goes. Always a valid block of the list: only the
    /// receiver frees linked blocks, and when it frees this one it moves the hint to
    /// `head` first (`free_all` aside, on the way out).
    last_recycled: NonNull<Block<T>>,
    /// How many spare blocks (linked ahead of the senders) recycling may keep.
    max_spare: usize,
}

/// A new, empty list: one block, shared by both halves. Recycling keeps up to
/// `max_spare` drained blocks linked ahead of the senders.
pub(super) fn list<T>(max_spare: usize) -> (Tail<T>, Head<T>) {
    let first = Block::alloc(0);
    let tail = Tail {
        tail: AtomicUsize::new(0),
        block_tail: AtomicPtr::new(first.as_ptr()),
    };
    let head = Head {
        head: first,
        index: 0,
        free_head: first,
        last_recycled: first,
        max_spare,
    };
    (tail, head)
}

impl<T> Tail<T> {
    /// Appends `value`; gives it back when the list is closed.
    pub(super) fn push(&self, value: T) -> Result<(), T> {
        let claim = self.tail.fetch_add(CLAIM, Acquire);
        if claim & CLOSED != 0 {
            return Err(value);
        }
        let index = claim >> 1;
        let block = self.find_block(index);
        // SAFETY: the index is ours, and its block stays valid until we set its ready
        // flag (module docs: it is only recycled after the receiver read this slot).
        unsafe { Block::write(block, block::offset(index), value) };
        Ok(())
    }

    /// Closes the list: every later claim is void. Returns the number of indices
    /// claimed before, or `None` if it was closed already.
    pub(super) fn close(&self) -> Option<usize> {
        let prev = self.tail.fetch_or(CLOSED, AcqRel);
        (prev & CLOSED == 0).then_some(prev >> 1)
    }

    /// The next index to claim (a snapshot; void claims after close included).
    pub(super) fn index(&self) -> usize {
        self.tail.load(Acquire) >> 1
    }

    /// The block of `index`, walking (and growing) the list from `block_tail`, and
    /// moving `block_tail` past final blocks on the way.
    fn find_block(&self, index: usize) -> NonNull<Block<T>> {
        let start = block::block_start(index);
        let mut ptr = self.block_tail.load(Acquire);
        // SAFETY: `block_tail` and the blocks after it are not recycled before our
        // slot is read (module docs), and our slot is unwritten.
        let mut block = unsafe { &*ptr };
        // Only a sender far enough ahead tries to move the hint, so that the senders
        // of the current block do not all fight over it.
        let distance = block::index_distance(block.start(), start) / BLOCK_CAP;
        let mut advance = distance > block::offset(index);
        loop {
            if block.start() == start {
                // SAFETY: `ptr` is a valid block (above).
                return unsafe { NonNull::new_unchecked(ptr) };
            }
            let next = block.load_next().unwrap_or_else(|| block.grow());
            advance &= block.is_final();
            if advance {
                match self.block_tail.compare_exchange(ptr, next.as_ptr(), Release, Relaxed) {
                    Ok(_) => {
                        // Every sender that may still walk through `block` claimed an
                        // index below this one (module docs).
                        let observed = self.tail.fetch_add(0, Release) >> 1;
                        // SAFETY: valid (above); we moved `block_tail` past it.
                        unsafe { Block::release(NonNull::new_unchecked(ptr), observed) };
                    }
                    // Another sender moves it; leave that to them.
                    Err(_) => advance = false,
                }
            }
            ptr = next.as_ptr();
            // SAFETY: as above.
            block = unsafe { next.as_ref() };
        }
    }

    /// Links `block` after the last block, walking at most [`RECYCLE_TRIES`] links
    /// from `from`; gives it back if the end was not reached.
    ///
    /// # Safety
    ///
    /// `block` is blank, unlinked and reachable by no other thread; `from` is a valid
    /// block of this list that stays valid during the call.
    unsafe fn link_at_end(&self, from: NonNull<Block<T>>, block: NonNull<Block<T>>) -> Result<(), ()> {
        let mut curr = from;
        for _ in 0..RECYCLE_TRIES {
            // SAFETY: `curr` is `from` or a successor of it; blocks after a valid block
            // are valid (only the receiver, our caller, frees blocks).
            match unsafe { curr.as_ref().try_link(block) } {
                Ok(()) => return Ok(()),
                Err(next) => curr = next,
            }
        }
        Err(())
    }
}

impl<T> Head<T> {
    /// The next index to read.
    pub(super) fn index(&self) -> usize {
        self.index
    }

    /// The block holding the next index to read.
    fn head_block(&self) -> &Block<T> {
        // SAFETY: blocks are only recycled or freed from the free list, which ends
        // before `head`, and only by us (through `&mut self`).
        unsafe { self.head.as_ref() }
    }

    /// Takes the next message if it is written. `None` means it was not claimed yet,
    /// or is being written.
    pub(super) fn pop(&mut self, tail: &Tail<T>) -> Option<T> {
        let offset = block::offset(self.index);
        if offset == 0 && self.head_block().start() != self.index {
            // Every slot of `head` was read: the message is in the next block.
            self.head = self.head_block().load_next()?;
            self.reclaim(tail);
        }
        let head = self.head_block();
        debug_assert_eq!(head.start(), block::block_start(self.index));
        if !head.is_ready(offset) {
            return None;
        }
        // SAFETY: we saw the ready flag (with `Acquire`), and each index is read once.
        let value = unsafe { head.read(offset) };
        self.index = block::index_add(self.index, 1);
        Some(value)
    }

    /// Recycles the blocks of the free list whose release conditions hold.
    fn reclaim(&mut self, tail: &Tail<T>) {
        while self.free_head != self.head {
            // SAFETY: blocks on the free list are only recycled here.
            let block = unsafe { self.free_head.as_ref() };
            let Some(released_at) = block.released_at() else { return };
            if !block::index_reached(self.index, released_at) {
                return;
            }
            let next = block.load_next().expect("a block before the head has a successor");
            let done = std::mem::replace(&mut self.free_head, next);
            // SAFETY: released, and every sender that could reach it wrote its slot
            // (we read up to `released_at`); all its values were read.
            unsafe { self.recycle(tail, done) };
        }
    }

    /// Links a drained block after the last one (to be reused by senders), or frees it.
    ///
    /// # Safety
    ///
    /// `block` was just taken off the free list: no sender can reach it and its
    /// values were all read.
    unsafe fn recycle(&mut self, tail: &Tail<T>, block: NonNull<Block<T>>) {
        // SAFETY: exclusively ours (caller).
        unsafe { Block::reset(block) };
        // `block_tail` is valid: only we free blocks, and only released ones, which
        // `block_tail` has moved past. So is `last_recycled` (field docs), unless it is
        // `block` itself, just taken off the free list.
        // SAFETY: `block_tail` never holds null.
        let tail_block = unsafe { NonNull::new_unchecked(tail.block_tail.load(Acquire)) };
        let hint = if self.last_recycled == block {
            tail_block
        } else {
            self.last_recycled
        };
        let claimed = block::block_start(tail.index());
        // SAFETY: `hint` is valid (above).
        let hint_start = unsafe { hint.as_ref() }.start();
        // Walk from the hint if it is still ahead of the senders (counting the spares
        // ahead of them), from `block_tail` otherwise.
        let (from, spares) = if block::index_reached(hint_start, claimed) {
            (hint, block::index_distance(claimed, hint_start) / BLOCK_CAP)
        } else {
            (tail_block, 0)
        };
        // SAFETY: `from` and `tail_block` are valid blocks of this list (above), and
        // `block` is blank, unlinked and ours.
        let linked = spares < self.max_spare
            && unsafe {
                tail.link_at_end(from, block).is_ok()
                    || (from != tail_block && tail.link_at_end(tail_block, block).is_ok())
            };
        if linked {
            self.last_recycled = block;
            return;
        }
        if self.last_recycled == block {
            // Keep the hint valid: the head is.
            self.last_recycled = self.head;
        }
        // SAFETY: never linked again, nobody else can reach it, no values in it.
        unsafe { Block::free(block) };
    }

    /// Drops every written message still in the list and frees every block.
    ///
    /// # Safety
    ///
    /// No sender can touch the list any more (all are gone), and `tail` is this
    /// list's other half; the list is not used afterwards.
    pub(super) unsafe fn free_all(&mut self, tail: &Tail<T>) {
        while let Some(value) = self.pop(tail) {
            drop(value);
        }
        let mut next = Some(self.free_head);
        while let Some(block) = next {
            // SAFETY: every block is reachable from `free_head` exactly once, and
            // nobody else uses them any more (caller); their values were read.
            unsafe {
                next = block.as_ref().load_next();
                Block::free(block);
            }
        }
    }
}

impl<T> fmt::Debug for Tail<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tail")
            .field("index", &self.index())
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Head<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Head")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn drain(head: &mut Head<usize>, tail: &Tail<usize>) -> Vec<usize> {
        std::iter::from_fn(|| head.pop(tail)).collect()
    }

    #[test]
    fn fifo_across_blocks_and_recycling() {
        let (tail, mut head) = list::<usize>(4);
        let mut expected = 0;
        // Several rounds of a few blocks each: blocks are released, recycled, reused.
        for round in 0..10 {
            let n = BLOCK_CAP * 3 + round;
            for i in 0..n {
                tail.push(expected + i).unwrap();
            }
            let got = drain(&mut head, &tail);
            assert_eq!(got, (expected..expected + n).collect::<Vec<_>>());
            expected += n;
        }
        assert_eq!(head.index(), expected);
        assert_eq!(tail.index(), expected);
        // SAFETY: single-threaded test; the list is not used afterwards.
        unsafe { head.free_all(&tail) };
    }

    #[test]
    fn close_voids_later_claims() {
        let (tail, mut head) = list::<String>(4);
        tail.push("a".into()).unwrap();
        assert_eq!(tail.close(), Some(1));
        assert_eq!(tail.close(), None);
        assert_eq!(tail.push("b".into()), Err("b".to_string()));
        assert_eq!(head.pop(&tail).as_deref(), Some("a"));
        assert_eq!(head.pop(&tail), None);
        // SAFETY: single-threaded test; the list is not used afterwards.
        unsafe { head.free_all(&tail) };
    }

    #[test]
    fn free_all_drops_unread_values() {
        let (tail, mut head) = list::<std::sync::Arc<()>>(4);
        let counted = std::sync::Arc::new(());
        for _ in 0..BLOCK_CAP * 2 + 1 {
            tail.push(counted.clone()).unwrap();
        }
        drop(head.pop(&tail));
        assert_eq!(std::sync::Arc::strong_count(&counted), BLOCK_CAP * 2 + 1);
        // SAFETY: single-threaded test; the list is not used afterwards.
        unsafe { head.free_all(&tail) };
        assert_eq!(std::sync::Arc::strong_count(&counted), 1);
    }
}
