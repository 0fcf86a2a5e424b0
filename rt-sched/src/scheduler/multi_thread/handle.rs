//! The multi-thread scheduler's handle: what tasks (as their `Schedule`) and users (via
//! the runtime `Handle`) hold.

use std::future::Future;

use rt_core::loom::sync::Arc;
use rt_core::task::{self, JoinHandle, Notified, Schedule, Task};

use super::worker::{self, Shared, WorkerMetrics};
use crate::blocking;
use crate::park::SharedDriver;
use crate::runtime::SchedConfig;
use crate::scheduler::ContextPtr;

/// Shared by every task of the runtime (as its scheduler) and by every runtime handle.
pub(crate) struct Handle {
    pub(super) shared: Shared,
    pub(crate) blocking: blocking::Spawner,
}

impl Handle {
    pub(crate) fn new(
        num_workers: usize,
        config: SchedConfig,
        blocking: blocking::Spawner,
        driver: Option<Arc<SharedDriver>>,
    ) -> Arc<Handle> {
        Arc::new(Handle {
            shared: worker::create(num_workers, config, driver),
            blocking,
        })
    }

    /// (`this` rather than `self: &Arc<Self>`: loom's `Arc` is no method receiver.)
    pub(crate) fn spawn<F>(this: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, Sched(this.clone()));
        if let Some(notified) = this.shared.owned.bind(task, notified) {
            this.schedule_task(notified, false);
        }
        join
    }

    /// Queues a task: locally when called on one of our workers, else globally.
    fn schedule_task(&self, task: Notified<Sched>, is_yield: bool) {
        let task = match crate::context::scheduler() {
            Some(ContextPtr::MultiThread(cx)) => {
                // SAFETY: the pointer is set only while the worker's context lives on
                // this thread's stack (see `worker::run`).
                let cx = unsafe { cx.as_ref() };
                if std::ptr::eq(cx.handle_ptr(), self) {
                    match cx.schedule_local(task, is_yield) {
                        Ok(()) => return,
                        Err(task) => task,
                    }
                } else {
                    task
                }
            }
            _ => task,
        };
        self.shared.inject.push(task);
        self.notify_parked();
    }

    /// Wakes a parked worker if nobody is searching.
    pub(super) fn notify_parked(&self) {
        if let Some(index) = self.shared.idle.worker_to_notify() {
            self.shared.remotes[index].unpark.unpark();
        }
    }

    /// Called by the last searcher as it parks: wakes a worker if any queue has work.
    pub(super) fn notify_if_work_pending(&self) {
        let pending = self.shared.remotes.iter().any(|r| !r.steal.is_empty()) || !self.shared.inject.is_empty();
        if pending {
            self.notify_parked();
        }
    }

    /// Starts shutdown: no new work is accepted and every worker is woken to cancel
    /// the tasks and exit.
    pub(crate) fn shutdown(&self) {
        if self.shared.is_shutdown.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return;
        }
        self.shared.inject.close();
        self.shared.idle.unpark_all();
        for remote in self.shared.remotes.iter() {
            remote.unpark.unpark();
        }
    }

    /// A worker hands its core back after its loop ended; the last one drains queues.
    pub(super) fn shutdown_core(&self, core: Box<worker::Core>) {
        let mut cores = self.shared.shutdown_cores.lock();
        cores.push(core);
        if cores.len() == self.shared.remotes.len() {
            for core in cores.iter_mut() {
                core.drain();
            }
            drop(cores);
            while let Some(task) = self.shared.inject.pop() {
                drop(task);
            }
            // Every task is gone: fail what I/O and timers are still pending.
            if let Some(driver) = &self.shared.driver {
                driver.shutdown_if_free();
            }
        }
    }

    /// Final cleanup on the thread dropping the runtime, after the workers exited (or
    /// never started): cancels what is left and drains the global queue.
    pub(crate) fn finish_shutdown(&self) {
        self.shutdown();
        self.shared.owned.close_and_shutdown_all();
        // Cores of workers that never ran still hold queues.
        for core in self.shared.cores.lock().iter_mut().flatten() {
            core.drain();
        }
        while let Some(task) = self.shared.inject.pop() {
            drop(task);
        }
        if let Some(driver) = &self.shared.driver {
            // Workers that did not exit in time may still sit in the driver; they
            // are woken, and one of them shuts it down on exit if we cannot.
            driver.shutdown(std::time::Duration::from_millis(100));
        }
    }

    /// The reactor / timer handle, when a driver is enabled.
    pub(crate) fn driver_handle(&self) -> Option<&rt_core::driver::Handle> {
        self.shared.driver.as_ref().map(|d| d.handle())
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    pub(crate) fn owned(&self) -> &rt_core::task::OwnedTasks<Sched> {
        &self.shared.owned
    }

    pub(crate) fn inject_depth(&self) -> usize {
        self.shared.inject.len()
    }

    pub(crate) fn worker_metrics(&self, index: usize) -> &WorkerMetrics {
        &self.shared.metrics[index]
    }
}

/// The scheduler handle stored in each task (a newtype: `Schedule` is a foreign trait).
#[derive(Clone, Debug)]
pub(crate) struct Sched(pub(super) Arc<Handle>);

impl Schedule for Sched {
    fn schedule(&self, task: Notified<Self>) {
        self.0.schedule_task(task, false);
    }

    fn yield_now(&self, task: Notified<Self>) {
        self.0.schedule_task(task, true);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        // SAFETY: every task of this runtime is bound to this list (`Handle::spawn`).
        unsafe { self.0.shared.owned.remove(task) }
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiThread")
            .field("workers", &self.num_workers())
            .finish()
    }
}
