//! The pool's threads and queue. See the module docs in `mod.rs` for the protocol.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use rt_core::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use rt_core::loom::sync::{Arc, Condvar, Mutex};
use rt_core::task::{self, JoinHandle, Notified, OwnedTasks, Schedule, Task};

use super::task::BlockingTask;
use crate::context;
use crate::runtime::ThreadConfig;
use crate::scheduler;

/// Owned by the runtime; dropping it does not wait (call `shutdown`).
pub(crate) struct BlockingPool {
    spawner: Spawner,
}

/// A clonable handle that queues blocking work.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Mutex<Shared>,
    /// Idle threads wait here for work.
    condvar: Condvar,
    /// `shutdown` waits here for the threads to exit.
    exited: Condvar,
    owned: OwnedTasks<Spawner>,
    config: ThreadConfig,
    thread_cap: usize,
    keep_alive: Duration,
    num_threads_metric: AtomicUsize,
    num_idle_metric: AtomicUsize,
    queue_depth_metric: AtomicUsize,
    /// Blocking closures spawned on the pool so far.
    spawned_metric: AtomicU64,
}

/// A queued task, and the guard that keeps a paused clock from jumping ahead while it
/// waits and runs: the runtime cannot see how long blocking work takes (tokio's rule
/// too). The guard is dropped only after `run` returns, that is after the task's
/// output is stored and its `JoinHandle` woken, so the driver never finds the runtime
/// idle in between and advances the clock past a `timeout` on that handle.
struct Queued {
    task: Notified<Spawner>,
    auto_advance: Option<rt_core::driver::AutoAdvanceGuard>,
}

struct Shared {
    queue: VecDeque<Queued>,
    num_threads: usize,
    num_idle: usize,
    num_notify: usize,
    shutdown: bool,
    /// Threads that have not exited yet (including ones past their last task, until
    /// they dropped their runtime handle).
    num_live: usize,
}

impl BlockingPool {
    pub(crate) fn new(config: ThreadConfig, thread_cap: usize, keep_alive: Duration) -> BlockingPool {
        BlockingPool {
            spawner: Spawner {
                inner: Arc::new(Inner {
                    shared: Mutex::new(Shared {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        num_live: 0,
                    }),
                    condvar: Condvar::new(),
                    exited: Condvar::new(),
                    owned: OwnedTasks::new(4),
                    config,
                    thread_cap: thread_cap.max(1),
                    keep_alive,
                    num_threads_metric: AtomicUsize::new(0),
                    num_idle_metric: AtomicUsize::new(0),
                    queue_depth_metric: AtomicUsize::new(0),
                    spawned_metric: AtomicU64::new(0),
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Cancels queued work and waits up to `timeout` (`None`: forever) for running work
    /// to finish. Returns `true` when every thread exited in time.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let inner = &self.spawner.inner;
        {
            let mut shared = inner.shared.lock();
            if !shared.shutdown {
                shared.shutdown = true;
                inner.condvar.notify_all();
            }
        }
        // Cancel everything not yet started (threads skip cancelled tasks quickly).
        inner.owned.close_and_shutdown_all();
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut shared = inner.shared.lock();
        while shared.num_live > 0 {
            match deadline {
                None => shared = inner.exited.wait(shared),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    shared = inner.exited.wait_timeout(shared, deadline - now).0;
                }
            }
        }
        true
    }
}

impl Drop for BlockingPool {
    fn drop(&mut self) {
        // Without an explicit shutdown, do not wait: cancel what is queued and let
        // running closures finish on their own.
        self.shutdown(Some(Duration::ZERO));
    }
}

impl Spawner {
    /// Queues `func` on the pool. A thread started for it gets `rt` as its current
    /// runtime handle (so `spawn` works inside the closure); the thread holds it only
    /// while it lives, so no reference cycle outlives shutdown.
    pub(crate) fn spawn_blocking<F, R>(&self, func: F, rt: Option<&scheduler::Handle>) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawned_metric.fetch_add(1, Ordering::Relaxed);
        let (task, notified, join) = task::new_task(BlockingTask::new(func), self.clone());
        if let Some(notified) = self.inner.owned.bind(task, notified) {
            if let Err(e) = self.push(notified, rt) {
                // The task is cancelled (the list is closed, or no thread could start
                // and none exists to run it): its JoinHandle reports that.
                drop(e);
            }
        }
        join
    }

    /// Queues a notified task; starts a thread when none is idle.
    fn push(&self, task: Notified<Self>, rt: Option<&scheduler::Handle>) -> io::Result<()> {
        let mut shared = self.inner.shared.lock();
        if shared.shutdown {
            // The owned list is closed too: shutdown cancels the task.
            return Ok(());
        }
        let auto_advance = rt.and_then(|rt| rt.driver_handle()).map(|d| d.inhibit_auto_advance());
        shared.queue.push_back(Queued { task, auto_advance });
        self.inner
            .queue_depth_metric
            .store(shared.queue.len(), Ordering::Relaxed);
        if shared.num_idle == 0 {
            if shared.num_threads < self.inner.thread_cap {
                shared.num_threads += 1;
                shared.num_live += 1;
                self.inner
                    .num_threads_metric
                    .store(shared.num_threads, Ordering::Relaxed);
                match self.spawn_thread(rt.cloned()) {
                    Ok(()) => {}
                    Err(e) => {
                        shared.num_threads -= 1;
                        shared.num_live -= 1;
                        self.inner
                            .num_threads_metric
                            .store(shared.num_threads, Ordering::Relaxed);
                        if shared.num_threads == 0 {
                            // Nobody will ever run the queue: fail the task now.
                            let task = shared.queue.pop_back();
                            drop(shared);
                            drop(task);
                            return Err(e);
                        }
                    }
                }
            }
        } else {
            shared.num_idle -= 1;
            shared.num_notify += 1;
            self.inner.num_idle_metric.store(shared.num_idle, Ordering::Relaxed);
            self.inner.condvar.notify_one();
        }
        Ok(())
    }

    fn spawn_thread(&self, rt: Option<scheduler::Handle>) -> io::Result<()> {
        let builder = self.inner.config.thread_builder();
        let spawner = self.clone();
        builder
            .spawn(move || {
                let guard = rt.as_ref().map(context::set_current);
                spawner.run();
                // The runtime handle goes before the exit is counted: once `shutdown`
                // sees no live thread, no pool thread keeps the runtime's driver (and
                // its epoll and eventfd descriptors) alive.
                drop(guard);
                drop(rt);
                spawner.count_exit();
            })
            .map(drop)
    }

    /// A pool thread. Every decision (take work, wait, exit) is made under the lock,
    /// and pushers update the counts under the same lock, so no push is ever left
    /// without a thread to run it.
    fn run(&self) {
        let inner = &*self.inner;
        if let Some(f) = &inner.config.on_thread_start {
            f();
        }
        let mut shared = inner.shared.lock();
        'outer: loop {
            while let Some(Queued { task, auto_advance }) = shared.queue.pop_front() {
                inner.queue_depth_metric.store(shared.queue.len(), Ordering::Relaxed);
                drop(shared);
                task.run();
                drop(auto_advance);
                shared = inner.shared.lock();
            }
            if shared.shutdown {
                break;
            }
            // Idle: wait for work or the keep-alive.
            shared.num_idle += 1;
            inner.num_idle_metric.store(shared.num_idle, Ordering::Relaxed);
            loop {
                let (guard, timed_out) = inner.condvar.wait_timeout(shared, inner.keep_alive);
                shared = guard;
                if shared.num_notify > 0 {
                    // A pusher took us out of the idle count and queued work for us.
                    shared.num_notify -= 1;
                    break;
                }
                if shared.shutdown || timed_out {
                    shared.num_idle -= 1;
                    inner.num_idle_metric.store(shared.num_idle, Ordering::Relaxed);
                    break 'outer;
                }
                // Spurious wake-up: keep waiting.
            }
        }
        shared.num_threads -= 1;
        inner.num_threads_metric.store(shared.num_threads, Ordering::Relaxed);
        drop(shared);
        if let Some(f) = &inner.config.on_thread_stop {
            f();
        }
    }

    /// The last act of a pool thread, after it let go of everything it held.
    fn count_exit(&self) {
        let mut shared = self.inner.shared.lock();
        shared.num_live -= 1;
        if shared.num_live == 0 {
            self.inner.exited.notify_all();
        }
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.inner.num_threads_metric.load(Ordering::Relaxed)
    }

    pub(crate) fn num_idle_threads(&self) -> usize {
        self.inner.num_idle_metric.load(Ordering::Relaxed)
    }

    pub(crate) fn queue_depth(&self) -> usize {
        self.inner.queue_depth_metric.load(Ordering::Relaxed)
    }

    pub(crate) fn spawned_count(&self) -> u64 {
        self.inner.spawned_metric.load(Ordering::Relaxed)
    }
}

impl Schedule for Spawner {
    fn schedule(&self, task: Notified<Self>) {
        // Blocking tasks run to completion in one poll; this only happens when one is
        // aborted while queued (it is already queued: the abort sets CANCELLED only) or
        // resubmitted; queue it again so a thread drops it.
        let _ = self.push(task, None);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        // SAFETY: every blocking task is bound to the pool's list (`spawn_blocking`).
        unsafe { self.inner.owned.remove(task) }
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner").field("threads", &self.num_threads()).finish()
    }
}

impl fmt::Debug for BlockingPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingPool").field("spawner", &self.spawner).finish()
    }
}
