//! [`Conns`]: the client connections of an accept loop, each on a task of its own:
//! counted (the `connections` gauge), awaited when draining, aborted when the drain
//! timeout passes.
//!
//! A `JoinSet` would do all that and also return each task's output in completion
//! order, which the accept loop does not need; for that it gives every task a waker of
//! its own (an allocation) and a slot, about 70 bytes per connection. Here a connection
//! costs an 8-byte slot holding its task's abort handle, and the task empties it when it
//! ends (see [`Open`]).

use std::future::poll_fn;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use rt_core::task::AbortHandle;

use super::metrics::Stats;

/// The open connections of one accept loop.
pub(crate) struct Conns {
    stats: Arc<Stats>,
    inner: Mutex<Inner>,
}

/// A slot is vacant (`None`, its key in `free`), taken (`None`, its task being spawned:
/// the task needs its key, so it is spawned after the slot is taken, and may end before
/// its handle is stored), or holds the handle of a running task.
struct Inner {
    slots: Vec<Option<AbortHandle>>,
    /// Vacant slots.
    free: Vec<usize>,
    /// Taken slots whose task ended before its handle was stored (almost always empty).
    ended_early: Vec<usize>,
    /// Connections whose task has not ended.
    open: usize,
    /// The drain waiting for `open` to reach 0.
    drained: Option<Waker>,
}

/// Held by a connection's task: counts the connection open, and frees its slot when the
/// task ends (completes or is aborted).
pub(crate) struct Open {
    conns: Arc<Conns>,
    key: usize,
}

impl Conns {
    pub(crate) fn new(stats: Arc<Stats>) -> Arc<Conns> {
        Arc::new(Conns {
            stats,
            inner: Mutex::new(Inner {
                slots: Vec::new(),
                free: Vec::new(),
                ended_early: Vec::new(),
                open: 0,
                drained: None,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The guarded code does not panic; a poisoned lock still holds consistent state.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Spawns `conn` on a task of its own, made by `spawn` from the connection's
    /// [`Open`] (which the task must hold until it ends).
    pub(crate) fn spawn(self: &Arc<Self>, spawn: impl FnOnce(Open) -> AbortHandle) {
        self.stats.connections.fetch_add(1, Relaxed);
        self.stats.connections_total.fetch_add(1, Relaxed);
        let key = {
            let mut inner = self.lock();
            inner.open += 1;
            inner.free.pop().unwrap_or_else(|| {
                inner.slots.push(None);
                inner.slots.len() - 1
            })
        };
        let handle = spawn(Open {
            conns: self.clone(),
            key,
        });
        let mut inner = self.lock();
        match inner.ended_early.iter().position(|&ended| ended == key) {
            Some(at) => {
                inner.ended_early.swap_remove(at);
                inner.free.push(key);
            }
            None => inner.slots[key] = Some(handle),
        }
    }

    /// Connections whose task has not ended.
    pub(crate) fn len(&self) -> usize {
        self.lock().open
    }

    /// Waits until every connection's task has ended.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: it only waits.
    pub(crate) async fn drained(&self) {
        poll_fn(|cx| {
            let mut inner = self.lock();
            if inner.open == 0 {
                return Poll::Ready(());
            }
            if !inner.drained.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                inner.drained = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }

    /// Aborts every connection's task, then waits until they have all ended.
    pub(crate) async fn abort_all(&self) {
        // Clones: each task empties its own slot when it ends.
        let handles: Vec<AbortHandle> = self.lock().slots.iter().flatten().cloned().collect();
        for handle in &handles {
            handle.abort();
        }
        drop(handles);
        self.drained().await;
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.conns.stats.connections.fetch_sub(1, Relaxed);
        let waker = {
            let mut inner = self.conns.lock();
            match inner.slots[self.key].take() {
                Some(_handle) => inner.free.push(self.key),
                None => inner.ended_early.push(self.key),
            }
            inner.open -= 1;
            if inner.open == 0 {
                inner.drained.take()
            } else {
                None
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn runtime() -> rt_sched::Runtime {
        rt_sched::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn counts_drains_and_reuses_slots() {
        runtime().block_on(async {
            let stats = Arc::new(Stats::default());
            let conns = Conns::new(stats.clone());
            for round in 0..3u64 {
                for _ in 0..50 {
                    conns.spawn(|open| {
                        rt_sched::spawn(async move {
                            rt_core::time::sleep(Duration::from_millis(5)).await;
                            drop(open);
                        })
                        .abort_handle()
                    });
                }
                assert_eq!(stats.connections_total.load(Relaxed), 50 * (round + 1));
                rt_core::time::timeout(Duration::from_secs(5), conns.drained())
                    .await
                    .expect("drained within 5 s");
                assert_eq!(conns.len(), 0);
                assert_eq!(stats.connections.load(Relaxed), 0);
                // Every slot is free again: later rounds take no new ones.
                let inner = conns.lock();
                assert!(
                    inner.slots.len() <= 50,
                    "{} slots after round {round}",
                    inner.slots.len()
                );
                assert_eq!(inner.free.len(), inner.slots.len());
            }
        });
    }

    #[test]
    fn a_task_that_ends_before_its_handle_is_stored_frees_its_slot() {
        let stats = Arc::new(Stats::default());
        let conns = Conns::new(stats.clone());
        runtime().block_on(async {
            let handle = rt_sched::spawn(async {}).abort_handle();
            // The task ends (its `Open` dropped) inside `spawn`, before the handle is stored.
            conns.spawn(|open| {
                drop(open);
                handle
            });
            assert_eq!(conns.len(), 0);
            let inner = conns.lock();
            assert!(matches!(inner.slots[..], [None]));
            assert_eq!(inner.free, [0]);
            assert!(inner.ended_early.is_empty());
        });
    }

    #[test]
    fn abort_all_ends_tasks_that_would_never_end() {
        runtime().block_on(async {
            let stats = Arc::new(Stats::default());
            let conns = Conns::new(stats.clone());
            for _ in 0..20 {
                conns.spawn(|open| {
                    rt_sched::spawn(async move {
                        std::future::pending::<()>().await;
                        drop(open);
                    })
                    .abort_handle()
                });
            }
            assert_eq!(conns.len(), 20);
            let waited = rt_core::time::timeout(Duration::from_millis(50), conns.drained()).await;
            assert!(waited.is_err(), "drained while every task was pending");
            rt_core::time::timeout(Duration::from_secs(5), conns.abort_all())
                .await
                .expect("the aborted tasks ended");
            assert_eq!(conns.len(), 0);
            assert_eq!(stats.connections.load(Relaxed), 0);
        });
    }
}
