//! A fixed-size batch of wakers collected under the wheel lock and woken after it is
//! released.
//!
//! Waking a waker runs scheduler code, and dropping one may free a task whose output
//! holds a timer: neither may run while the wheel is locked (a timer's drop would lock it
//! again). The batch lives on the stack, so processing timers never allocates; when it is
//! full the caller releases the lock, wakes the batch, and locks again.

use std::task::Waker;

/// Wakers per batch (tiny under loom, so the models cover a lock release in the middle of
/// processing).
pub(crate) const CAPACITY: usize = if cfg!(loom) { 2 } else { 32 };

pub(crate) struct WakeBatch {
    wakers: [Option<Waker>; CAPACITY],
    len: usize,
}

impl WakeBatch {
    pub(crate) const fn new() -> WakeBatch {
        WakeBatch {
            wakers: [const { None }; CAPACITY],
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == CAPACITY
    }

    /// Adds a waker; the batch must not be full.
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(!self.is_full());
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes (and empties) the batch. Call it with no lock held.
    pub(crate) fn wake_all(&mut self) {
        let len = std::mem::take(&mut self.len);
        for slot in &mut self.wakers[..len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
    }
}
