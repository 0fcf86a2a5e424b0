//! Which workers are parked and which are searching for work.
//!
//! # Protocol
//!
//! One atomic word counts the *unparked* workers (high bits) and the *searching*
//! workers (low 16 bits); the list of parked workers sits behind a mutex.
//!
//! * At most half of the workers search at once (`transition_worker_to_searching`), so
//!   stealing does not turn into a stampede on a few busy queues.
//! * A worker that queues work others could run asks `worker_to_notify`: a parked worker
//!   is woken only when nobody is searching (a searcher will find the work anyway) and
//!   somebody is parked. The woken worker is counted as searching and unparked *by the
//!   notifier*, under the lock, so two notifiers never wake the same sleeper for one
//!   task, and the count never lags.
//! * When the last searcher parks, it re-checks every queue after updating the count
//!   (`Handle::notify_if_work_pending`). A producer pushes, then reads the count; the
//!   parking searcher writes the count, then reads the queues; both sides put a `SeqCst`
//!   fence between their write and their read, so at least one of them sees the other:
//!   no wake-up is lost.

use std::sync::atomic::Ordering::SeqCst;

use rt_core::loom::sync::atomic::{fence, AtomicUsize};
use rt_core::loom::sync::Mutex;

const UNPARK_SHIFT: usize = 16;
const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;

#[derive(Debug)]
pub(super) struct Idle {
    state: AtomicUsize,
    num_workers: usize,
    sleepers: Mutex<Vec<usize>>,
}

fn num_searching(state: usize) -> usize {
    state & SEARCH_MASK
}

fn num_unparked(state: usize) -> usize {
    state >> UNPARK_SHIFT
}

impl Idle {
    pub(super) fn new(num_workers: usize) -> Idle {
        assert!(num_workers < SEARCH_MASK, "too many workers");
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            num_workers,
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
        }
    }

    /// The worker to wake for new work, if one should be woken. The caller unparks it.
    pub(super) fn worker_to_notify(&self) -> Option<usize> {
        // Order the caller's push before the read of the counts (see the module docs).
        fence(SeqCst);
        if !self.notify_should_wakeup() {
            return None;
        }
        let mut sleepers = self.sleepers.lock();
        if !self.notify_should_wakeup() {
            return None;
        }
        let index = sleepers.pop()?;
        // The woken worker starts out searching and unparked.
        self.state.fetch_add(1 | (1 << UNPARK_SHIFT), SeqCst);
        Some(index)
    }

    fn notify_should_wakeup(&self) -> bool {
        let state = self.state.load(SeqCst);
        num_searching(state) == 0 && num_unparked(state) < self.num_workers
    }

    /// Records that worker `index` parks. Returns `true` when it was the last searching
    /// worker: the caller must then re-check the queues (after the fence below).
    pub(super) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock();
        let dec = (1 << UNPARK_SHIFT) | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(index);
        drop(sleepers);
        fence(SeqCst);
        is_searching && num_searching(prev) == 1
    }

    /// Tries to become a searcher; fails when half of the workers already search.
    pub(super) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * num_searching(state) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searcher found work. Returns `true` when it was the last searcher: the caller
    /// then wakes another worker, as more work may be waiting.
    pub(super) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        num_searching(prev) == 1
    }

    /// Whether worker `index` is still in the parked list (its wake-up was spurious).
    pub(super) fn is_parked(&self, index: usize) -> bool {
        self.sleepers.lock().contains(&index)
    }

    /// Worker `index` woke up by itself with work (the driver woke tasks into its
    /// queue): takes it out of the parked list and counts it as unparked, not
    /// searching. Returns `false` when a notifier already did so (counting it as
    /// searching).
    pub(super) fn remove_parked(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers.lock();
        let Some(pos) = sleepers.iter().position(|&i| i == index) else {
            return false;
        };
        sleepers.swap_remove(pos);
        self.state.fetch_add(1 << UNPARK_SHIFT, SeqCst);
        true
    }

    /// Takes every worker out of the parked list (shutdown), returning them.
    pub(super) fn unpark_all(&self) -> Vec<usize> {
        let mut sleepers = self.sleepers.lock();
        let all: Vec<usize> = sleepers.drain(..).collect();
        self.state.fetch_add(all.len() << UNPARK_SHIFT, SeqCst);
        all
    }

    #[cfg(all(test, not(loom)))]
    pub(super) fn num_searching(&self) -> usize {
        num_searching(self.state.load(SeqCst))
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn at_most_half_search() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_from_searching());
        assert!(idle.transition_worker_from_searching());
    }

    #[test]
    fn notify_only_when_nobody_searches_and_someone_sleeps() {
        let idle = Idle::new(2);
        assert_eq!(idle.worker_to_notify(), None, "nobody parked");
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_parked(1, true), "last searcher");
        assert!(idle.is_parked(1));
        assert!(idle.transition_worker_to_searching());
        assert_eq!(idle.worker_to_notify(), None, "a searcher will find it");
        assert!(idle.transition_worker_from_searching());
        assert_eq!(idle.worker_to_notify(), Some(1));
        assert!(!idle.is_parked(1));
        assert_eq!(idle.num_searching(), 1, "the woken worker searches");
        assert_eq!(idle.worker_to_notify(), None);
    }
}
