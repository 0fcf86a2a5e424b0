//! `RuntimeMetrics`: counters and gauges a server can export.

use std::fmt;

use rt_core::loom::sync::atomic::Ordering::Relaxed;

use crate::scheduler;

/// A view of a runtime's counters (monotonic, since start) and gauges (current
/// values). Reading them is cheap and never blocks the runtime; per-worker counters
/// are published by each worker at its maintenance ticks and when it parks, so they
/// may lag by a few dozen polls.
#[derive(Clone)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    /// The number of worker threads (1 for the current-thread runtime).
    pub fn num_workers(&self) -> usize {
        match &self.handle {
            scheduler::Handle::CurrentThread(_) => 1,
            scheduler::Handle::MultiThread(h) => h.num_workers(),
        }
    }

    /// Tasks spawned since the runtime started (blocking tasks not included).
    pub fn spawned_tasks_count(&self) -> u64 {
        match &self.handle {
            scheduler::Handle::CurrentThread(h) => h.owned().spawned(),
            scheduler::Handle::MultiThread(h) => h.owned().spawned(),
        }
    }

    /// Tasks alive now: spawned and not yet complete.
    pub fn num_alive_tasks(&self) -> usize {
        match &self.handle {
            scheduler::Handle::CurrentThread(h) => h.owned().alive(),
            scheduler::Handle::MultiThread(h) => h.owned().alive(),
        }
    }

    /// Tasks waiting in the global (inject) queue.
    pub fn global_queue_depth(&self) -> usize {
        match &self.handle {
            scheduler::Handle::CurrentThread(h) => h.inject_depth(),
            scheduler::Handle::MultiThread(h) => h.inject_depth(),
        }
    }

    /// Task polls made by worker `worker`.
    ///
    /// # Panics
    ///
    /// When `worker >= num_workers()`.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        match &self.handle {
            scheduler::Handle::CurrentThread(h) => {
                assert_eq!(worker, 0, "worker index out of range");
                h.polls.load(Relaxed)
            }
            scheduler::Handle::MultiThread(h) => h.worker_metrics(worker).polls.load(Relaxed),
        }
    }

    /// Tasks stolen by worker `worker` from other workers (0 on the current-thread
    /// runtime).
    ///
    /// # Panics
    ///
    /// When `worker >= num_workers()`.
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        match &self.handle {
            scheduler::Handle::CurrentThread(_) => {
                assert_eq!(worker, 0, "worker index out of range");
                0
            }
            scheduler::Handle::MultiThread(h) => h.worker_metrics(worker).steals.load(Relaxed),
        }
    }

    /// Times worker `worker` parked (went to sleep for lack of work).
    ///
    /// # Panics
    ///
    /// When `worker >= num_workers()`.
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        match &self.handle {
            scheduler::Handle::CurrentThread(h) => {
                assert_eq!(worker, 0, "worker index out of range");
                h.parks.load(Relaxed)
            }
            scheduler::Handle::MultiThread(h) => h.worker_metrics(worker).parks.load(Relaxed),
        }
    }

    /// Tasks in worker `worker`'s local queue, as last published.
    ///
    /// # Panics
    ///
    /// When `worker >= num_workers()`.
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        match &self.handle {
            scheduler::Handle::CurrentThread(_) => {
                assert_eq!(worker, 0, "worker index out of range");
                0
            }
            scheduler::Handle::MultiThread(h) => h.worker_metrics(worker).local_queue_depth.load(Relaxed),
        }
    }

    /// Threads in the blocking pool now.
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_threads()
    }

    /// Idle threads in the blocking pool now.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking_spawner().num_idle_threads()
    }

    /// Blocking closures spawned on the blocking pool since the runtime started
    /// (`spawn_blocking`, and the pool work of `rt-net`'s files and DNS).
    pub fn spawned_blocking_tasks_count(&self) -> u64 {
        self.handle.blocking_spawner().spawned_count()
    }

    /// Blocking closures waiting for a thread.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking_spawner().queue_depth()
    }
}

impl fmt::Debug for RuntimeMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeMetrics")
            .field("num_workers", &self.num_workers())
            .field("num_alive_tasks", &self.num_alive_tasks())
            .field("global_queue_depth", &self.global_queue_depth())
            .finish()
    }
}
