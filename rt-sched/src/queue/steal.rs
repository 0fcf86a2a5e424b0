//! The stealers' half of the queue.

use std::fmt;

use rt_core::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use rt_core::loom::sync::Arc;

use super::inner::{pack, unpack, Inner, CAP_U32};
use super::Local;

/// A handle other workers use to steal from a local run queue. Cheap to clone.
pub(crate) struct Steal<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Steal<T> {
    pub(super) fn new(inner: Arc<Inner<T>>) -> Self {
        Self { inner }
    }

    /// How many tasks the queue holds; may be stale by the time it returns.
    pub(crate) fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether the queue holds no task; may be stale by the time it returns.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steals half of this queue's tasks (rounded up) into `dst`, returning one to run.
    ///
    /// Returns `Some((task, stolen))`, where `stolen` counts every task taken from this
    /// queue, including `task` (so `stolen - 1` were pushed to `dst`); the scheduler adds it
    /// to its steal metrics. Returns `None` when this queue is empty, when another steal
    /// from it is in progress (one at a time per victim; the caller moves on to another
    /// victim), or when `dst` is more than half full.
    ///
    /// `dst` must be another queue than this one (checked in debug builds).
    pub(crate) fn steal_into(&self, dst: &mut Local<T>) -> Option<(T, usize)> {
        let dst_inner = dst.inner();
        debug_assert!(!Arc::ptr_eq(&self.inner, dst_inner), "a queue cannot steal from itself");
        let dst_tail = dst_inner.tail.load(Relaxed);
        let (dst_steal, _) = unpack(dst_inner.head.load(Acquire));
        if dst_tail.wrapping_sub(dst_steal) > CAP_U32 / 2 {
            return None;
        }

        let (first, n) = self.claim()?;
        let last = first.wrapping_add(n - 1);
        let mut pos = first;
        let mut dst_pos = dst_tail;
        while pos != last {
            // SAFETY: `claim` gave us `[first, first + n)`, all below the victim's `tail`;
            // the victim's owner does not reuse these slots until `release`, and each
            // position is taken once.
            let task = unsafe { self.inner.take(pos) };
            // SAFETY: we own `dst` (`&mut`). `dst_tail - dst_steal <= CAPACITY / 2` for an
            // `Acquire`d `dst_steal`, and we write fewer than `n <= CAPACITY / 2` slots past
            // `dst_tail`, so every slot written is free in `dst`.
            unsafe { dst_inner.write(dst_pos, task) };
            pos = pos.wrapping_add(1);
            dst_pos = dst_pos.wrapping_add(1);
        }
        // SAFETY: as above; `last` is the final claimed position.
        let task = unsafe { self.inner.take(last) };
        self.release(first);
        dst_inner.tail.store(dst_pos, Release);
        Some((task, n as usize))
    }

    /// Claims the oldest half of the tasks, moving `real` past them but leaving `steal`.
    ///
    /// Returns the first claimed position and how many were claimed (at least one).
    fn claim(&self) -> Option<(u32, u32)> {
        let mut head = self.inner.head.load(Acquire);
        loop {
            let (steal, real) = unpack(head);
            if steal != real {
                // Another stealer is copying out of this queue.
                return None;
            }
            // Load `tail` after `head`: it only grows, so `tail - real` cannot underflow.
            let tail = self.inner.tail.load(Acquire);
            let len = tail.wrapping_sub(real);
            let n = len - len / 2;
            if n == 0 {
                return None;
            }
            if n > CAP_U32 / 2 {
                // `head` is stale: the owner popped and pushed since we loaded it. The CAS
                // below would fail anyway; reload.
                head = self.inner.head.load(Acquire);
                continue;
            }
            let next = pack(steal, real.wrapping_add(n));
            match self.inner.head.compare_exchange(head, next, AcqRel, Acquire) {
                Ok(_) => return Some((real, n)),
                Err(actual) => head = actual,
            }
        }
    }

    /// Ends the steal that started at `first`: `steal` catches up with `real`, handing the
    /// copied slots back to the owner.
    fn release(&self, first: u32) {
        let mut head = self.inner.head.load(Acquire);
        loop {
            let (steal, real) = unpack(head);
            debug_assert_eq!(steal, first, "only the claiming stealer moves `steal`");
            // The owner may pop meanwhile, moving `real`; retry with its value.
            match self
                .inner
                .head
                .compare_exchange(head, pack(real, real), AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => head = actual,
            }
        }
    }
}

impl<T> Clone for Steal<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Steal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Steal").field("inner", &*self.inner).finish()
    }
}
