//! `OwnedTasks`: every live task of a scheduler, so that shutdown can cancel them all.
//!
//! An intrusive doubly linked list through the `owned` links of the task headers,
//! split into shards (chosen by task id) to keep workers that complete tasks at the same
//! time off one lock. A task's `owned` links are only touched under its shard's lock.
//!
//! Shutdown closes every shard (later binds fail and cancel their task at once), then
//! pops tasks one by one and cancels them outside the lock. A task that completes
//! meanwhile finds itself already unlinked: `remove` returns `None`.

use std::fmt;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::core::{Header, Pointers};
use super::{Notified, Task};
use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

/// The set of live tasks of one scheduler.
pub struct OwnedTasks<S: 'static> {
    shards: Box<[Mutex<Shard>]>,
    mask: usize,
    alive: AtomicUsize,
    spawned: AtomicU64,
    _scheduler: PhantomData<S>,
}

struct Shard {
    head: Option<NonNull<Header>>,
    closed: bool,
}

// SAFETY: the shard only holds task pointers (whose handles are `Send`) behind a mutex.
unsafe impl Send for Shard {}

impl<S: 'static> OwnedTasks<S> {
    /// A list with at least `shards` shards (rounded up to a power of two).
    pub fn new(shards: usize) -> OwnedTasks<S> {
        // Under loom, one shard: task ids come from a process-wide counter, so the shard a
        // task lands in would differ between explored executions (loom needs a
        // deterministic model), and fewer locks keep the state space small.
        let n = if cfg!(loom) {
            1
        } else {
            shards.max(1).next_power_of_two()
        };
        OwnedTasks {
            shards: (0..n)
                .map(|_| {
                    Mutex::new(Shard {
                        head: None,
                        closed: false,
                    })
                })
                .collect(),
            mask: n - 1,
            alive: AtomicUsize::new(0),
            spawned: AtomicU64::new(0),
            _scheduler: PhantomData,
        }
    }

    fn shard(&self, header: NonNull<Header>) -> &Mutex<Shard> {
        // SAFETY: the caller's handle keeps the task live.
        let id = unsafe { header.as_ref() }.id.as_u64();
        &self.shards[id as usize & self.mask]
    }

    /// Adds a new task. Returns its notification to submit, or `None` when the list is
    /// closed: the task is then cancelled at once (its `JoinHandle` reports it).
    pub fn bind(&self, task: Task<S>, notified: Notified<S>) -> Option<Notified<S>> {
        let ptr = task.header_ptr();
        let mut shard = self.shard(ptr).lock();
        if shard.closed {
            drop(shard);
            drop(notified);
            task.shutdown();
            return None;
        }
        // SAFETY: the new task is in no list; its links are ours under the shard lock,
        // and so are those of the current head.
        unsafe {
            ptr.as_ref().owned.with_mut(|p| {
                *p = Pointers {
                    prev: None,
                    next: shard.head,
                }
            });
            if let Some(head) = shard.head {
                head.as_ref().owned.with_mut(|p| (*p).prev = Some(ptr));
            }
        }
        shard.head = Some(ptr);
        // The list now owns the task's reference.
        let _ = task.into_raw();
        self.alive.fetch_add(1, Ordering::Relaxed);
        self.spawned.fetch_add(1, Ordering::Relaxed);
        Some(notified)
    }

    /// Removes a completed task; `None` when shutdown already popped it.
    ///
    /// # Safety
    ///
    /// `task` must have been bound to *this* list (or to none). The links of a task
    /// bound to another list are guarded by that list's lock, not this one's, so
    /// unlinking it here would race. A scheduler's `Schedule::release` satisfies this
    /// by removing from the one list its `bind` uses.
    pub unsafe fn remove(&self, task: &Task<S>) -> Option<Task<S>> {
        let ptr = task.header_ptr();
        let mut shard = self.shard(ptr).lock();
        // SAFETY: the task belongs to this list (the caller's contract), so its links
        // are only touched under this shard's lock.
        let removed = unsafe { unlink(&mut shard, ptr) };
        drop(shard);
        if removed {
            self.alive.fetch_sub(1, Ordering::Relaxed);
            // SAFETY: the list's reference comes back to the caller.
            Some(unsafe { Task::from_raw(ptr) })
        } else {
            None
        }
    }

    /// Closes the list and cancels every task in it. A task that is running has its
    /// future dropped when that poll returns `Pending` (a poll that returns `Ready`
    /// keeps its output). The list is empty afterwards, but such futures may still be
    /// alive for the rest of their poll.
    pub fn close_and_shutdown_all(&self) {
        for shard in self.shards.iter() {
            shard.lock().closed = true;
        }
        for shard in self.shards.iter() {
            loop {
                let popped = {
                    let mut guard = shard.lock();
                    match guard.head {
                        None => break,
                        Some(head) => {
                            // SAFETY: under the shard lock; `head` is in this shard.
                            let removed = unsafe { unlink(&mut guard, head) };
                            debug_assert!(removed);
                            head
                        }
                    }
                };
                self.alive.fetch_sub(1, Ordering::Relaxed);
                // SAFETY: the list's reference now belongs to this handle.
                unsafe { Task::<S>::from_raw(popped) }.shutdown();
            }
        }
    }

    /// Whether [`close_and_shutdown_all`](OwnedTasks::close_and_shutdown_all) ran.
    pub fn is_closed(&self) -> bool {
        self.shards[0].lock().closed
    }

    /// The number of tasks in the list.
    pub fn alive(&self) -> usize {
        self.alive.load(Ordering::Relaxed)
    }

    /// Whether no task is in the list (running tasks popped by shutdown may still be
    /// finishing their poll).
    pub fn is_empty(&self) -> bool {
        self.alive() == 0
    }

    /// The number of tasks ever bound.
    pub fn spawned(&self) -> u64 {
        self.spawned.load(Ordering::Relaxed)
    }
}

/// Unlinks `ptr` from `shard`; `false` when it is not linked.
///
/// # Safety
///
/// The caller holds the shard's lock and `ptr` is a live task that is either in this
/// shard or in no list.
unsafe fn unlink(shard: &mut Shard, ptr: NonNull<Header>) -> bool {
    // SAFETY: per the caller's contract, the links are ours.
    unsafe {
        let Pointers { prev, next } = ptr.as_ref().owned.with_mut(|p| std::mem::take(&mut *p));
        match prev {
            Some(prev) => prev.as_ref().owned.with_mut(|p| (*p).next = next),
            None if shard.head == Some(ptr) => shard.head = next,
            None => return false,
        }
        if let Some(next) = next {
            next.as_ref().owned.with_mut(|p| (*p).prev = prev);
        }
    }
    true
}

impl<S: 'static> Drop for OwnedTasks<S> {
    fn drop(&mut self) {
        // A scheduler must shut its tasks down before dropping the list; do it now
        // rather than leak them.
        self.close_and_shutdown_all();
    }
}

impl<S: 'static> fmt::Debug for OwnedTasks<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedTasks").field("alive", &self.alive()).finish()
    }
}
