//! The worker run loop. See the module docs in `mod.rs` for the design.

use std::cell::RefCell;
use std::ptr::NonNull;

use rt_core::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use rt_core::loom::sync::{Arc, Mutex};
use rt_core::task::{Inject, Notified, OwnedTasks};

use super::handle::{Handle, Sched};
use super::idle::Idle;
use crate::park::{Parker, SharedDriver, Unparker};
use crate::queue::{self, Overflow};
use crate::runtime::SchedConfig;
use crate::scheduler::{self, ContextPtr};
use crate::util::FastRand;
use crate::{context, runtime};

/// How many LIFO-slot tasks may run back to back before the slot yields to the queue.
const MAX_LIFO_POLLS_PER_TICK: usize = 3;

/// The most tasks taken from the global queue at once.
const MAX_INJECT_BATCH: usize = 128;

pub(super) type Task = Notified<Sched>;

/// State shared by all workers.
pub(super) struct Shared {
    pub(super) remotes: Box<[Remote]>,
    pub(super) inject: Inject<Sched>,
    pub(super) idle: Idle,
    pub(super) owned: OwnedTasks<Sched>,
    pub(super) is_shutdown: AtomicBool,
    /// Cores waiting for their worker thread to start, then cores handed back at shutdown.
    pub(super) cores: Mutex<Vec<Option<Box<Core>>>>,
    #[allow(clippy::vec_box)] // cores move in and out as boxes
    pub(super) shutdown_cores: Mutex<Vec<Box<Core>>>,
    pub(super) config: SchedConfig,
    pub(super) metrics: Box<[WorkerMetrics]>,
    /// The reactor and timers, when enabled; one parked worker at a time waits in it.
    pub(super) driver: Option<Arc<SharedDriver>>,
}

/// What other threads may touch of a worker.
pub(super) struct Remote {
    pub(super) steal: queue::Steal<Task>,
    pub(super) unpark: Unparker,
}

/// Counters published by a worker (written by it alone, read by anyone).
#[derive(Debug, Default)]
pub(crate) struct WorkerMetrics {
    pub(crate) polls: AtomicU64,
    pub(crate) steals: AtomicU64,
    pub(crate) parks: AtomicU64,
    pub(crate) local_queue_depth: AtomicUsize,
}

/// The state a worker owns while it runs.
pub(crate) struct Core {
    index: usize,
    tick: u32,
    lifo_slot: Option<Task>,
    run_queue: queue::Local<Task>,
    is_searching: bool,
    is_shutdown: bool,
    park: Parker,
    rand: FastRand,
    polls: u64,
    steals: u64,
    parks: u64,
}

/// The thread-local context of a worker.
pub(crate) struct Context {
    handle: Arc<Handle>,
    index: usize,
    core: RefCell<Option<Box<Core>>>,
}

impl Overflow<Task> for Inject<Sched> {
    fn push(&self, task: Task) {
        Inject::push(self, task);
    }

    fn push_batch<I: Iterator<Item = Task>>(&self, iter: I) {
        Inject::push_batch(self, iter);
    }
}

/// Builds the shared state and the cores (one per worker).
pub(super) fn create(num_workers: usize, config: SchedConfig, driver: Option<Arc<SharedDriver>>) -> Shared {
    let mut remotes = Vec::with_capacity(num_workers);
    let mut cores = Vec::with_capacity(num_workers);
    for index in 0..num_workers {
        let (steal, run_queue) = queue::local();
        let park = Parker::with_driver(driver.clone());
        remotes.push(Remote {
            steal,
            unpark: park.unparker(),
        });
        cores.push(Some(Box::new(Core {
            index,
            tick: 0,
            lifo_slot: None,
            run_queue,
            is_searching: false,
            is_shutdown: false,
            park,
            rand: FastRand::new(index as u64 + 1),
            polls: 0,
            steals: 0,
            parks: 0,
        })));
    }
    Shared {
        remotes: remotes.into_boxed_slice(),
        inject: Inject::new(),
        idle: Idle::new(num_workers),
        owned: OwnedTasks::new(num_workers * 4),
        is_shutdown: AtomicBool::new(false),
        cores: Mutex::new(cores),
        shutdown_cores: Mutex::new(Vec::with_capacity(num_workers)),
        config,
        metrics: (0..num_workers).map(|_| WorkerMetrics::default()).collect(),
        driver,
    }
}

/// The body of worker thread `index`.
pub(super) fn run(handle: Arc<Handle>, index: usize) {
    let core = handle.shared.cores.lock()[index].take().expect("worker started twice");
    let _rt = rt_core::context::try_enter_runtime();
    let scheduler_handle = scheduler::Handle::MultiThread(handle.clone());
    let _handle_guard = context::set_current(&scheduler_handle);
    let cx = Context {
        handle,
        index,
        core: RefCell::new(None),
    };
    let _cx_guard = context::set_scheduler(ContextPtr::MultiThread(NonNull::from(&cx)));
    let core = cx.run(core);
    cx.handle.shutdown_core(core);
}

impl Context {
    fn shared(&self) -> &Shared {
        &self.handle.shared
    }

    fn run(&self, mut core: Box<Core>) -> Box<Core> {
        while !core.is_shutdown {
            core.tick = core.tick.wrapping_add(1);
            if core.tick.is_multiple_of(self.shared().config.event_interval) {
                core = self.maintenance(core);
                if core.is_shutdown {
                    break;
                }
            }
            // Phase 1: local work (and the global queue now and then).
            if let Some(task) = self.next_task(&mut core) {
                core = self.run_task(task, core);
                continue;
            }
            // Phase 2: steal.
            if let Some(task) = self.steal_work(&mut core) {
                core = self.run_task(task, core);
                continue;
            }
            // Phase 3: nothing anywhere; sleep.
            core = self.park(core);
        }
        self.pre_shutdown(&mut core);
        core
    }

    fn next_task(&self, core: &mut Core) -> Option<Task> {
        let shared = self.shared();
        if core.tick.is_multiple_of(shared.config.global_queue_interval) {
            if let Some(task) = shared.inject.pop() {
                return Some(task);
            }
        }
        if let Some(task) = core.lifo_slot.take().or_else(|| core.run_queue.pop()) {
            return Some(task);
        }
        if shared.inject.is_empty() {
            return None;
        }
        // Take a fair share of the global queue into the local one, in one lock.
        let cap = core.run_queue.remaining_slots().clamp(1, MAX_INJECT_BATCH);
        let share = shared.inject.len() / shared.remotes.len() + 1;
        let mut batch = shared.inject.pop_batch(share.min(cap)).into_iter();
        let first = batch.next()?;
        for task in batch {
            core.run_queue.push_back_or_overflow(task, &shared.inject);
        }
        Some(first)
    }

    fn steal_work(&self, core: &mut Core) -> Option<Task> {
        let shared = self.shared();
        if !core.is_searching {
            if !shared.idle.transition_worker_to_searching() {
                return None;
            }
            core.is_searching = true;
        }
        let num = shared.remotes.len();
        let start = core.rand.below(num as u32) as usize;
        for i in 0..num {
            let victim = (start + i) % num;
            if victim == core.index {
                continue;
            }
            if let Some((task, stolen)) = shared.remotes[victim].steal.steal_into(&mut core.run_queue) {
                core.steals += stolen as u64;
                return Some(task);
            }
        }
        shared.inject.pop()
    }

    /// Runs `task`, then whatever it left in the LIFO slot (bounded).
    fn run_task(&self, task: Task, mut core: Box<Core>) -> Box<Core> {
        if core.is_searching {
            core.is_searching = false;
            if self.shared().idle.transition_worker_from_searching() {
                // We were the last searcher and found work: there may be more.
                self.handle.notify_parked();
            }
        }
        core.polls += 1;
        *self.core.borrow_mut() = Some(core);
        task.run();
        let mut lifo_polls = 0;
        loop {
            let mut core = self.core.borrow_mut().take().expect("worker core lost during a poll");
            let Some(task) = core.lifo_slot.take() else { return core };
            if lifo_polls >= MAX_LIFO_POLLS_PER_TICK {
                // Let the queue run: the slot's task goes behind it. Wake a helper only
                // when that leaves more than one task queued: a lone task is the next one
                // this worker runs, and a helper woken for it would only steal it and
                // turn a same-thread ping-pong (two tasks waking each other) into a
                // cross-thread one, paying a wake-up per message.
                core.run_queue.push_back_or_overflow(task, &self.shared().inject);
                if core.run_queue.len() > 1 {
                    self.handle.notify_parked();
                }
                return core;
            }
            lifo_polls += 1;
            core.polls += 1;
            *self.core.borrow_mut() = Some(core);
            task.run();
        }
    }

    /// Queues a task woken on this worker. `is_yield`: the task yielded, so it goes
    /// behind the others instead of into the LIFO slot.
    pub(super) fn schedule_local(&self, task: Task, is_yield: bool) -> Result<(), Task> {
        let Ok(mut slot) = self.core.try_borrow_mut() else {
            return Err(task);
        };
        let Some(core) = slot.as_mut() else { return Err(task) };
        let shared = self.shared();
        let should_notify = if is_yield {
            core.run_queue.push_back_or_overflow(task, &shared.inject);
            true
        } else {
            match core.lifo_slot.replace(task) {
                Some(prev) => {
                    core.run_queue.push_back_or_overflow(prev, &shared.inject);
                    true
                }
                None => false,
            }
        };
        drop(slot);
        if should_notify {
            self.handle.notify_parked();
        }
        Ok(())
    }

    pub(super) fn handle_ptr(&self) -> *const Handle {
        Arc::as_ptr(&self.handle)
    }

    /// Every `event_interval` ticks: pick up I/O events and due timers (a busy runtime
    /// never parks, so it polls the driver here), check for shutdown, publish metrics.
    fn maintenance(&self, mut core: Box<Core>) -> Box<Core> {
        if self.shared().driver.is_some() {
            let park = core.park.clone();
            core = self.with_core_installed(core, || park.poll_driver());
        }
        let shared = self.shared();
        if shared.is_shutdown.load(Relaxed) {
            core.is_shutdown = true;
        }
        self.publish_metrics(&core);
        core
    }

    /// Runs `f` with the core in the thread's context, so that tasks woken by the
    /// driver meanwhile go to this worker's own queue (no global-queue round trip).
    fn with_core_installed(&self, core: Box<Core>, f: impl FnOnce()) -> Box<Core> {
        *self.core.borrow_mut() = Some(core);
        f();
        self.core.borrow_mut().take().expect("worker core lost while parked")
    }

    fn publish_metrics(&self, core: &Core) {
        let m = &self.shared().metrics[self.index];
        m.polls.store(core.polls, Relaxed);
        m.steals.store(core.steals, Relaxed);
        m.parks.store(core.parks, Relaxed);
        m.local_queue_depth.store(core.run_queue.len(), Relaxed);
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let shared = self.shared();
        if core.lifo_slot.is_some() || core.run_queue.has_tasks() {
            return core;
        }
        let was_last_searcher = shared.idle.transition_worker_to_parked(core.index, core.is_searching);
        core.is_searching = false;
        if was_last_searcher {
            self.handle.notify_if_work_pending();
        }
        core.parks += 1;
        self.publish_metrics(&core);
        loop {
            if shared.is_shutdown.load(Relaxed) {
                core.is_shutdown = true;
                return core;
            }
            let park = core.park.clone();
            core = self.with_core_installed(core, || park.park());
            if shared.is_shutdown.load(Relaxed) {
                core.is_shutdown = true;
                return core;
            }
            if !shared.idle.is_parked(core.index) {
                // Woken on purpose: the notifier counted us as searching.
                core.is_searching = true;
                return core;
            }
            if core.lifo_slot.is_some() || core.run_queue.has_tasks() {
                // The driver woke tasks into our queue while we waited in it.
                if shared.idle.remove_parked(core.index) {
                    if core.run_queue.has_tasks() {
                        // More than one task: let an idle worker help.
                        self.handle.notify_parked();
                    }
                } else {
                    // A notifier took us out of the list meanwhile, as a searcher.
                    core.is_searching = true;
                }
                return core;
            }
        }
    }

    /// Cancels every task and empties this worker's queues.
    fn pre_shutdown(&self, core: &mut Core) {
        if core.is_searching {
            core.is_searching = false;
            let _ = self.shared().idle.transition_worker_from_searching();
        }
        self.shared().owned.close_and_shutdown_all();
        self.publish_metrics(core);
    }
}

impl Core {
    /// Drops every queued notification (the tasks were cancelled through the owned list).
    pub(super) fn drain(&mut self) {
        drop(self.lifo_slot.take());
        for task in self.run_queue.drain() {
            drop(task);
        }
    }
}

/// Entry point for worker threads, used by the runtime builder.
pub(crate) fn spawn_workers(
    handle: &Arc<Handle>,
    threads: &runtime::ThreadConfig,
    group: &runtime::ThreadGroup,
) -> std::io::Result<()> {
    for index in 0..handle.shared.remotes.len() {
        let handle = handle.clone();
        let member = group.join();
        let threads_cfg = threads.clone();
        threads.thread_builder().spawn(move || {
            let _member = member;
            if let Some(f) = &threads_cfg.on_thread_start {
                f();
            }
            run(handle, index);
            if let Some(f) = &threads_cfg.on_thread_stop {
                f();
            }
        })?;
    }
    Ok(())
}
