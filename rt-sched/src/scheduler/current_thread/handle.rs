//! The current-thread scheduler's handle, core and `block_on` loop.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::ptr::NonNull;
use std::task::{Context as TaskContext, Poll, Wake, Waker};

use rt_core::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering::*};
use rt_core::loom::sync::{Arc, Mutex};
use rt_core::task::{self, Inject, JoinHandle, Notified, OwnedTasks, Schedule, Task};

use crate::blocking;
use crate::context;
use crate::park::{self, Parker, SharedDriver, Unparker};
use crate::runtime::SchedConfig;
use crate::scheduler::ContextPtr;

type Notif = Notified<Sched>;

/// Shared by the tasks (as their scheduler) and the runtime handles.
pub(crate) struct Handle {
    inject: Inject<Sched>,
    owned: OwnedTasks<Sched>,
    /// The `block_on` future's waker fired.
    woken: AtomicBool,
    is_shutdown: AtomicBool,
    unpark: Unparker,
    core: Mutex<Option<Box<Core>>>,
    /// Threads waiting for the core.
    waiters: Mutex<Vec<Unparker>>,
    config: SchedConfig,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) polls: AtomicU64,
    pub(crate) parks: AtomicU64,
    /// The reactor and timers, when enabled; the thread holding the core waits in it.
    driver: Option<Arc<SharedDriver>>,
}

struct Core {
    tasks: VecDeque<Notif>,
    tick: u32,
    park: Parker,
    polls: u64,
    parks: u64,
}

/// The thread-local context while a thread drives the scheduler.
pub(crate) struct Context {
    handle: Arc<Handle>,
    core: RefCell<Option<Box<Core>>>,
}

impl Handle {
    pub(crate) fn new(
        config: SchedConfig,
        blocking: blocking::Spawner,
        driver: Option<Arc<SharedDriver>>,
    ) -> Arc<Handle> {
        let park = Parker::with_driver(driver.clone());
        Arc::new(Handle {
            inject: Inject::new(),
            owned: OwnedTasks::new(1),
            woken: AtomicBool::new(false),
            is_shutdown: AtomicBool::new(false),
            unpark: park.unparker(),
            core: Mutex::new(Some(Box::new(Core {
                tasks: VecDeque::with_capacity(64),
                tick: 0,
                park,
                polls: 0,
                parks: 0,
            }))),
            waiters: Mutex::new(Vec::new()),
            config,
            blocking,
            polls: AtomicU64::new(0),
            parks: AtomicU64::new(0),
            driver,
        })
    }

    /// The reactor / timer handle, when a driver is enabled.
    pub(crate) fn driver_handle(&self) -> Option<&rt_core::driver::Handle> {
        self.driver.as_ref().map(|d| d.handle())
    }

    /// (`this` rather than `self: &Arc<Self>`: loom's `Arc` is no method receiver.)
    pub(crate) fn spawn<F>(this: &Arc<Self>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, Sched(this.clone()));
        if let Some(notified) = this.owned.bind(task, notified) {
            this.schedule(notified);
        }
        join
    }

    pub(crate) fn owned(&self) -> &OwnedTasks<Sched> {
        &self.owned
    }

    pub(crate) fn inject_depth(&self) -> usize {
        self.inject.len()
    }

    /// Runs `future` to completion on this thread, driving the tasks meanwhile.
    pub(crate) fn block_on<F: Future>(this: &Arc<Self>, future: F) -> F::Output {
        let mut future = pin!(future);
        // Only used while another thread holds the core; made once, registered once
        // per release of the core (a release drains `waiters`).
        let mut waiting: Option<(Parker, Waker)> = None;
        loop {
            // Bind first: a guard temporary in the `if let` would stay locked for the
            // whole block, and `CoreGuard` locks `core` again to hand it back.
            let core = this.core.lock().take();
            if let Some(core) = core {
                let mut guard = CoreGuard {
                    handle: this.clone(),
                    cx: None,
                };
                return guard.drive(core, future.as_mut());
            }
            // Another thread drives the tasks: poll only our future until it is done
            // or the core is free.
            let (parker, waker) = waiting.get_or_insert_with(|| {
                let parker = Parker::new();
                let waker = park::thread_waker(parker.unparker());
                (parker, waker)
            });
            if let Poll::Ready(out) = future.as_mut().poll(&mut TaskContext::from_waker(waker)) {
                return out;
            }
            {
                let mut waiters = this.waiters.lock();
                let me = parker.unparker();
                if !waiters.iter().any(|w| w.same_thread(&me)) {
                    waiters.push(me);
                }
            }
            if this.core.lock().is_some() {
                continue;
            }
            parker.park();
        }
    }

    /// Cancels every task and drops every queued notification. Called once, when the
    /// runtime is dropped.
    pub(crate) fn shutdown(this: &Arc<Self>) {
        if this.is_shutdown.swap(true, AcqRel) {
            return;
        }
        this.inject.close();
        let core = this.core.lock().take();
        match core {
            Some(core) => {
                let cx = Context {
                    handle: this.clone(),
                    core: RefCell::new(Some(core)),
                };
                let _guard = context::set_scheduler(ContextPtr::CurrentThread(NonNull::from(&cx)));
                this.owned.close_and_shutdown_all();
                let mut core = cx.core.borrow_mut().take().expect("core lost at shutdown");
                core.tasks.clear();
                *this.core.lock() = Some(core);
            }
            // The core is on another thread's `block_on`: cancel from here; queued
            // notifications are dropped when that thread releases the core.
            None => this.owned.close_and_shutdown_all(),
        }
        while let Some(task) = this.inject.pop() {
            drop(task);
        }
        if let Some(driver) = &this.driver {
            driver.shutdown(std::time::Duration::from_millis(100));
        }
    }
}

/// Puts the core back (and wakes waiting threads) even if `block_on` unwinds.
struct CoreGuard {
    handle: Arc<Handle>,
    cx: Option<Box<Core>>,
}

impl Drop for CoreGuard {
    fn drop(&mut self) {
        if let Some(mut core) = self.cx.take() {
            let is_shutdown = self.handle.is_shutdown.load(Acquire);
            if is_shutdown {
                core.tasks.clear();
            }
            *self.handle.core.lock() = Some(core);
            if is_shutdown {
                // The runtime was dropped while this thread drove it (and may have sat
                // in the driver, so `shutdown` could not take it): fail pending I/O and
                // timers now. A repeated shutdown does nothing.
                if let Some(driver) = &self.handle.driver {
                    driver.shutdown_if_free();
                }
            }
        }
        for waiter in self.handle.waiters.lock().drain(..) {
            waiter.unpark();
        }
    }
}

struct MainWaker {
    handle: Arc<Handle>,
}

impl Wake for MainWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.handle.woken.store(true, Release);
        self.handle.unpark.unpark();
    }
}

impl CoreGuard {
    fn drive<F: Future>(&mut self, core: Box<Core>, mut future: std::pin::Pin<&mut F>) -> F::Output {
        let handle = self.handle.clone();
        let cx = Context {
            handle: handle.clone(),
            core: RefCell::new(Some(core)),
        };
        let _sched = context::set_scheduler(ContextPtr::CurrentThread(NonNull::from(&cx)));
        let waker = Waker::from(std::sync::Arc::new(MainWaker { handle: handle.clone() }));
        let mut task_cx = TaskContext::from_waker(&waker);
        handle.woken.store(true, Release);
        // Hands the core back to the guard however the loop ends (a panicking future
        // unwinds through here; the core must survive for the next `block_on`).
        struct Restore<'a> {
            cx: &'a Context,
            slot: &'a mut Option<Box<Core>>,
        }
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                if let Ok(mut core) = self.cx.core.try_borrow_mut() {
                    if let Some(core) = core.take() {
                        self.cx.handle.polls.store(core.polls, Relaxed);
                        self.cx.handle.parks.store(core.parks, Relaxed);
                        *self.slot = Some(core);
                    }
                }
            }
        }
        let _restore = Restore {
            cx: &cx,
            slot: &mut self.cx,
        };
        (|| loop {
            if handle.woken.swap(false, AcqRel) {
                // The block_on future runs with a budget too, like a task.
                let polled = rt_core::coop::with_budget(|| future.as_mut().poll(&mut task_cx));
                if let Poll::Ready(out) = polled {
                    return out;
                }
            }
            // Run a batch of tasks even when the future was woken meanwhile: a
            // `block_on` future that keeps waking itself must not starve the tasks.
            let mut ran = 0;
            while ran < handle.config.event_interval {
                let Some(task) = cx.next_task() else { break };
                task.run();
                ran += 1;
            }
            if ran == 0 && !handle.woken.load(Acquire) && !cx.has_work() {
                if handle.is_shutdown.load(Acquire) {
                    // Dropped while this thread drove it, perhaps from inside the driver
                    // (then `shutdown` could not take it): fail pending I/O and timers,
                    // which wakes the future rather than leaving it waiting forever.
                    if let Some(driver) = &handle.driver {
                        driver.shutdown_if_free();
                    }
                }
                cx.park();
            } else if ran == handle.config.event_interval {
                // Busy: pick up I/O events and due timers between batches.
                cx.poll_driver();
            }
        })()
    }
}

impl Context {
    fn next_task(&self) -> Option<Notif> {
        let mut slot = self.core.borrow_mut();
        let core = slot.as_mut().expect("core lost");
        core.tick = core.tick.wrapping_add(1);
        let task = if core.tick.is_multiple_of(self.handle.config.global_queue_interval) {
            self.handle.inject.pop().or_else(|| core.tasks.pop_front())
        } else {
            core.tasks.pop_front().or_else(|| self.handle.inject.pop())
        };
        if task.is_some() {
            core.polls += 1;
        }
        task
    }

    fn has_work(&self) -> bool {
        let slot = self.core.borrow();
        slot.as_ref().is_some_and(|c| !c.tasks.is_empty()) || !self.handle.inject.is_empty()
    }

    fn park(&self) {
        let park = {
            let mut slot = self.core.borrow_mut();
            let core = slot.as_mut().expect("core lost");
            core.parks += 1;
            self.handle.parks.store(core.parks, Relaxed);
            self.handle.polls.store(core.polls, Relaxed);
            core.park.clone()
        };
        // The core stays installed (not borrowed) so that tasks the driver wakes go
        // to the local queue. The parker's token makes an unpark that raced the
        // checks before this call return at once.
        park.park();
    }

    fn poll_driver(&self) {
        let park = self.core.borrow().as_ref().expect("core lost").park.clone();
        park.poll_driver();
    }

    fn push_local(&self, task: Notif) -> Result<(), Notif> {
        let Ok(mut slot) = self.core.try_borrow_mut() else {
            return Err(task);
        };
        match slot.as_mut() {
            Some(core) => {
                core.tasks.push_back(task);
                Ok(())
            }
            None => Err(task),
        }
    }
}

/// The scheduler handle stored in each task (a newtype: `Schedule` is a foreign trait).
#[derive(Clone, Debug)]
pub(crate) struct Sched(Arc<Handle>);

impl Schedule for Sched {
    fn schedule(&self, task: Notified<Self>) {
        self.0.schedule(task);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        // SAFETY: every task of this runtime is bound to this list (`Handle::spawn`).
        unsafe { self.0.owned.remove(task) }
    }
}

impl Handle {
    fn schedule(&self, task: Notified<Sched>) {
        let task = match context::scheduler() {
            Some(ContextPtr::CurrentThread(cx)) => {
                // SAFETY: the pointer is set only while the context lives on this
                // thread's stack (see `drive` and `shutdown`).
                let cx = unsafe { cx.as_ref() };
                if std::ptr::eq(Arc::as_ptr(&cx.handle), self) {
                    match cx.push_local(task) {
                        Ok(()) => return,
                        Err(task) => task,
                    }
                } else {
                    task
                }
            }
            _ => task,
        };
        self.inject.push(task);
        self.unpark.unpark();
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentThread")
            .field("alive_tasks", &self.owned.alive())
            .finish()
    }
}
