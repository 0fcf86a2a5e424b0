//! The owner's half of the queue.

use std::fmt;

use rt_core::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use rt_core::loom::sync::Arc;

use super::inner::{pack, unpack, Inner, CAPACITY, CAP_U32};
use super::Overflow;

/// How many tasks a full queue sends to the overflow (plus the one being pushed).
const BATCH: u32 = CAP_U32 / 2;

/// The worker's half of a local run queue: pushes to the back, pops from the front.
///
/// Not `Clone`: exactly one `Local` exists per queue, which is what makes it the only
/// writer of `tail` and of the slots.
pub(crate) struct Local<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Local<T> {
    pub(super) fn new(inner: Arc<Inner<T>>) -> Self {
        Self { inner }
    }

    pub(super) fn inner(&self) -> &Arc<Inner<T>> {
        &self.inner
    }

    /// How many tasks the queue holds (not counting tasks a stealer is copying out).
    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the queue holds no task.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the queue holds a task (`!is_empty()`, reads better in the worker loop).
    pub(crate) fn has_tasks(&self) -> bool {
        !self.is_empty()
    }

    /// How many tasks can be pushed before the queue is full.
    ///
    /// Slots still being copied out by a stealer count as used.
    pub(crate) fn remaining_slots(&self) -> usize {
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        let tail = self.inner.tail.load(Relaxed);
        CAPACITY - tail.wrapping_sub(steal) as usize
    }

    /// Pushes `task` to the back if there is room.
    ///
    /// Only tests need it: the scheduler always has an overflow and uses
    /// [`push_back_or_overflow`](Self::push_back_or_overflow).
    ///
    /// # Errors
    ///
    /// Gives `task` back when the queue is full.
    #[cfg(test)]
    pub(crate) fn try_push_back(&mut self, task: T) -> Result<(), T> {
        let tail = self.inner.tail.load(Relaxed);
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        if tail.wrapping_sub(steal) >= CAP_U32 {
            return Err(task);
        }
        // SAFETY: `tail - steal < CAPACITY` for a `steal` just loaded with `Acquire`.
        unsafe { self.push_at(tail, task) };
        Ok(())
    }

    /// Pushes `task` to the back; when the queue is full, moves tasks to `overflow`.
    ///
    /// With no steal in progress, the oldest half of the queue and `task` go to `overflow`
    /// in one [`Overflow::push_batch`]. While a steal is in progress the queue cannot give
    /// up slots, so `task` alone goes to [`Overflow::push`] (the steal is about to make
    /// room anyway).
    ///
    /// Returns how many tasks went to `overflow`: 0 when `task` fit, 1 when a steal was in
    /// progress, `CAPACITY / 2 + 1` for a batch. The scheduler counts overflows with it.
    pub(crate) fn push_back_or_overflow<O: Overflow<T>>(&mut self, task: T, overflow: &O) -> usize {
        let tail = self.inner.tail.load(Relaxed);
        let mut task = task;
        loop {
            // One load of `head` for every decision below, so they agree with each other.
            let (steal, real) = unpack(self.inner.head.load(Acquire));
            if tail.wrapping_sub(steal) < CAP_U32 {
                // SAFETY: `tail - steal < CAPACITY` for a `steal` just loaded with `Acquire`.
                unsafe { self.push_at(tail, task) };
                return 0;
            }
            if steal != real {
                overflow.push(task);
                return 1;
            }
            debug_assert_eq!(tail.wrapping_sub(real), CAP_U32, "full with no steal in progress");
            task = match self.push_overflow(task, real, overflow) {
                Ok(moved) => return moved,
                // A stealer moved `head` first: retry with its new value.
                Err(task) => task,
            };
        }
    }

    /// Writes `task` at `tail` and publishes it.
    ///
    /// # Safety
    ///
    /// `tail` is the current tail and `tail - steal < CAPACITY` for a `steal` the caller
    /// loaded from `head` with `Acquire`.
    unsafe fn push_at(&mut self, tail: u32, task: T) {
        // SAFETY: we are the owner (`&mut self` on the only `Local`) and the caller
        // guarantees the slot of `tail` is free and released by its last reader.
        unsafe { self.inner.write(tail, task) };
        self.inner.tail.store(tail.wrapping_add(1), Release);
    }

    /// Moves the half of a full queue starting at `real`, and `task`, to `overflow`.
    ///
    /// The caller saw the queue full with no steal in progress (`head == (real, real)`).
    ///
    /// Gives `task` back if a stealer changed `head` before the claim.
    fn push_overflow<O: Overflow<T>>(&mut self, task: T, real: u32, overflow: &O) -> Result<usize, T> {
        let end = real.wrapping_add(BATCH);
        let claimed = self
            .inner
            .head
            .compare_exchange(pack(real, real), pack(end, end), AcqRel, Acquire);
        if claimed.is_err() {
            return Err(task);
        }
        let batch = Batch {
            inner: &self.inner,
            pos: real,
            end,
            last: Some(task),
        };
        overflow.push_batch(batch);
        Ok(BATCH as usize + 1)
    }

    /// Pops the task at the front.
    pub(crate) fn pop(&mut self) -> Option<T> {
        let tail = self.inner.tail.load(Relaxed);
        let mut head = self.inner.head.load(Acquire);
        let pos = loop {
            let (steal, real) = unpack(head);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            // With a steal in progress only `real` moves; the stealer resets `steal`.
            let next_steal = if steal == real { next_real } else { steal };
            let next = pack(next_steal, next_real);
            match self.inner.head.compare_exchange(head, next, AcqRel, Acquire) {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: `pos` was below `tail` (we pushed it) and our CAS moved `real` past it, so
        // we alone own the slot; we do not overwrite it before taking it (`&mut self`).
        Some(unsafe { self.inner.take(pos) })
    }

    /// Pops every task, front first; the scheduler drains the queue with it at shutdown.
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.pop())
    }
}

impl<T> Drop for Local<T> {
    /// Tasks left in the queue would be leaked; the scheduler drains it first.
    fn drop(&mut self) {
        if !rt_core::loom::thread::panicking() {
            debug_assert!(self.pop().is_none(), "local queue dropped with tasks in it");
        }
    }
}

impl<T> fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Local").field("inner", &*self.inner).finish()
    }
}

/// The tasks of an overflow: the claimed slots `[pos, end)`, then the pushed task.
struct Batch<'a, T> {
    inner: &'a Inner<T>,
    pos: u32,
    end: u32,
    last: Option<T>,
}

impl<T> Iterator for Batch<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.pos == self.end {
            return self.last.take();
        }
        let pos = self.pos;
        self.pos = pos.wrapping_add(1);
        // SAFETY: the owner's CAS in `push_overflow` claimed `[pos, end)`, all below `tail`;
        // `Batch` borrows the `Local` for its lifetime, so no push reuses these slots
        // before we take them, and `pos` advances so none is taken twice.
        Some(unsafe { self.inner.take(pos) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.wrapping_sub(self.pos) as usize + usize::from(self.last.is_some());
        (n, Some(n))
    }
}

impl<T> ExactSizeIterator for Batch<'_, T> {}

impl<T> Drop for Batch<'_, T> {
    /// Drops the tasks the sink did not take (it stopped early or panicked) rather than
    /// leaking them: their slots are already claimed.
    fn drop(&mut self) {
        self.by_ref().for_each(drop);
    }
}
