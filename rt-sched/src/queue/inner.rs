//! The state shared by the two halves: the slots and the two indices.
//!
//! The protocol is described in the parent module.

use std::fmt;
use std::mem::MaybeUninit;

use rt_core::loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use rt_core::loom::UnsafeCell;

/// How many tasks a local queue holds.
#[cfg(not(loom))]
pub(crate) const CAPACITY: usize = 256;
/// How many tasks a local queue holds (shrunk so that models reach the full state).
#[cfg(loom)]
pub(crate) const CAPACITY: usize = 4;

const _: () = assert!(CAPACITY.is_power_of_two() && CAPACITY >= 2 && CAPACITY <= 1 << 31);

/// Maps a position to its slot.
const MASK: usize = CAPACITY - 1;

/// `CAPACITY` as a position difference.
pub(super) const CAP_U32: u32 = CAPACITY as u32;

/// One slot: initialised exactly when its position is in `[steal, tail)` and it has not
/// been moved out yet.
type Slot<T> = UnsafeCell<MaybeUninit<T>>;

pub(super) struct Inner<T> {
    /// `steal` in the high half, `real` in the low half; see [`pack`].
    pub(super) head: AtomicU64,
    /// One past the last pushed task. Written only by the owner.
    pub(super) tail: AtomicU32,
    buffer: Box<[Slot<T>; CAPACITY]>,
}

// SAFETY: `Inner` only moves `T` values between threads (a slot is written by the owner
// and moved out by whichever thread claimed its position); it never hands out a `&T` that
// two threads could hold at once, so `T: Send` is enough. The slots are `UnsafeCell`s, but
// every access to one is ordered by the index protocol in the module docs: a slot is
// written only by the owner while it is free, and read only by the one party that claimed
// it with a CAS on `head`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as for `Send`: shared access goes through the atomics, and the protocol gives each
// slot access to one thread at a time.
unsafe impl<T: Send> Sync for Inner<T> {}

impl<T> Inner<T> {
    /// An empty queue whose positions start at `start`.
    pub(super) fn new(start: u32) -> Self {
        let slots: Vec<Slot<T>> = (0..CAPACITY).map(|_| UnsafeCell::new(MaybeUninit::uninit())).collect();
        let Ok(buffer) = slots.into_boxed_slice().try_into() else {
            unreachable!("the buffer has CAPACITY slots")
        };
        Self {
            head: AtomicU64::new(pack(start, start)),
            tail: AtomicU32::new(start),
            buffer,
        }
    }

    /// Writes `task` into the slot of `pos`.
    ///
    /// # Safety
    ///
    /// The caller is the owner and `pos` is free: `pos - steal < CAPACITY` for a `steal`
    /// read from `head` with `Acquire`, and `pos >= tail`, and `tail` has not yet been moved
    /// past `pos`.
    pub(super) unsafe fn write(&self, pos: u32, task: T) {
        self.buffer[pos as usize & MASK].with_mut(|slot| {
            // SAFETY: the caller guarantees that no one else accesses this slot (no stealer
            // can claim it before `tail` moves past it, and the last stealer that read it
            // released it before the `head` value the caller acquired).
            unsafe { slot.write(MaybeUninit::new(task)) }
        });
    }

    /// Moves the task out of the slot of `pos`.
    ///
    /// # Safety
    ///
    /// The slot holds a task (`pos` was below `tail` when the caller claimed it) and the
    /// caller claimed `pos` with a successful CAS on `head` (or is the owner reading a
    /// slot it has just claimed). The slot counts as empty afterwards: the caller must not
    /// take it twice.
    pub(super) unsafe fn take(&self, pos: u32) -> T {
        self.buffer[pos as usize & MASK].with(|slot| {
            // SAFETY: the caller owns the claim on this initialised slot, and the owner does
            // not overwrite it until the claim is released through `head`.
            unsafe { slot.read().assume_init() }
        })
    }

    /// How many tasks are in `[real, tail)`, seen from any thread.
    pub(super) fn len(&self) -> usize {
        // Load `head` first: `tail` only grows, so this order never sees `real > tail`.
        let (_, real) = unpack(self.head.load(Ordering::Acquire));
        let tail = self.tail.load(Ordering::Acquire);
        // A stale `head` can make the difference exceed the capacity; clamp it.
        (tail.wrapping_sub(real) as usize).min(CAPACITY)
    }
}

impl<T> fmt::Debug for Inner<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (steal, real) = unpack(self.head.load(Ordering::Acquire));
        f.debug_struct("Inner")
            .field("steal", &steal)
            .field("real", &real)
            .field("tail", &self.tail.load(Ordering::Acquire))
            .finish_non_exhaustive()
    }
}

/// Packs the two halves of `head`: `steal` high, `real` low.
pub(super) fn pack(steal: u32, real: u32) -> u64 {
    (u64::from(steal) << 32) | u64::from(real)
}

/// Splits `head` into `(steal, real)`.
pub(super) fn unpack(head: u64) -> (u32, u32) {
    ((head >> 32) as u32, head as u32)
}
