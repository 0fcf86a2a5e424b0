//! The per-worker local run queue of the multi-thread scheduler.
//!
//! Each worker owns a fixed-capacity ring of tasks. The worker pushes to the back and pops
//! from the front through its [`Local`] half; idle workers take half of the ring at a time
//! through a [`Steal`] half. When the ring is full, the owner moves half of it to an
//! [`Overflow`] sink (the scheduler's injection queue) in one batch.
//!
//! # Layout
//!
//! * `buffer`: `CAPACITY` (256) slots of `MaybeUninit<T>` (a power of two, so a position maps to a
//!   slot with `pos & MASK`). Positions are `u32`s that grow forever and wrap; all index
//!   arithmetic is `wrapping_*`, so only differences of positions are meaningful.
//! * `tail` (`AtomicU32`): one past the last pushed task. **Written only by the owner**, with
//!   `Release` after the slot is written, so a stealer that loads it with `Acquire` may read
//!   every slot below it.
//! * `head` (`AtomicU64`): two positions packed into one word, `steal` (high half) and `real`
//!   (low half). `real` is the next task the owner will pop; `steal` is the oldest slot that
//!   may still be read by someone. When no steal is in progress they are equal. Every change
//!   of `head` is a compare-and-swap; the owner's own `pop` and overflow change it, and so
//!   do stealers.
//!
//! # Why the head is packed
//!
//! A stealer cannot copy tasks out and advance the head in one atomic step. It first
//! *claims* the range `[real, real + n)` by moving only `real` forward (leaving `steal`
//! behind), then copies the slots, then *releases* them by setting `steal = real`. While
//! the two halves differ:
//!
//! * the owner keeps popping from `real` (the claimed slots are no longer in the queue),
//! * the owner does not reuse slots at or after `steal` (it checks `tail - steal` for room),
//!   so the slots being copied are never overwritten,
//! * other stealers see the steal in progress and back off (one steal at a time per victim),
//! * the owner does not move a batch to the overflow; it sends the single new task there.
//!
//! Keeping both halves in one word lets each of these parties read a consistent pair and
//! change it with one CAS.
//!
//! # Who owns which slot
//!
//! * Slots in `[real, tail)` hold tasks; the owner may pop the one at `real`; a stealer may
//!   claim a prefix of them.
//! * Slots in `[steal, real)` are being copied out by the one stealer that claimed them.
//! * Slots in `[tail, steal + CAPACITY)` are free; only the owner writes them.
//!
//! # Orderings
//!
//! * The owner reads `tail` with `Relaxed`: it is the only writer.
//! * The owner stores `tail` with `Release` after writing a slot; stealers load it with
//!   `Acquire` before reading slots.
//! * Every CAS on `head` is `AcqRel` (failure `Acquire`), and every load of `head` is
//!   `Acquire`. A stealer's final CAS releases its reads of the claimed slots; the owner's
//!   `Acquire` load of `head` before it reuses a slot (the room check in a push) therefore
//!   happens after those reads. Because every write to `head` is a read-modify-write, a
//!   later value still carries that release. Some owner-side CASes could be weaker, but one
//!   rule is easier to check and costs nothing on x86.
//!
//! Under `--cfg loom` the capacity shrinks to 4 so models reach the full and wrapped
//! states quickly.

mod inner;
mod local;
mod steal;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

use rt_core::loom::sync::Arc;

pub(crate) use local::Local;
pub(crate) use steal::Steal;

use inner::Inner;

/// Where a full [`Local`] queue sends tasks: the scheduler's injection queue.
pub(crate) trait Overflow<T> {
    /// Pushes one task.
    fn push(&self, task: T);

    /// Pushes every task of `iter`, taking the sink's lock once.
    fn push_batch<I: Iterator<Item = T>>(&self, iter: I);
}

/// Creates an empty queue and returns its two halves.
pub(crate) fn local<T>() -> (Steal<T>, Local<T>) {
    from_inner(Inner::new(0))
}

/// Creates an empty queue whose positions start at `start`, to test index wrap-around.
#[cfg(all(test, not(loom)))]
pub(crate) fn local_starting_at<T>(start: u32) -> (Steal<T>, Local<T>) {
    from_inner(Inner::new(start))
}

fn from_inner<T>(inner: Inner<T>) -> (Steal<T>, Local<T>) {
    let inner = Arc::new(inner);
    (Steal::new(inner.clone()), Local::new(inner))
}

/// A test sink: the injection queue reduced to a locked `Vec`.
#[cfg(test)]
impl<T> Overflow<T> for rt_core::loom::sync::Mutex<Vec<T>> {
    fn push(&self, task: T) {
        self.lock().push(task);
    }

    fn push_batch<I: Iterator<Item = T>>(&self, iter: I) {
        self.lock().extend(iter);
    }
}
