//! Helpers shared by the loom models: a tiny scheduler, futures that count their polls
//! and drops, a waker slot, and a `block_on` that parks the loom thread until woken.
//!
//! Bookkeeping that only the test reads (drop and poll counters, the waker slot) uses
//! `std` types: loom runs every model thread on one OS thread, so they are exact, and
//! keeping them out of the model keeps the state space small. Everything the task model
//! synchronises through (the run queue, the `Arc` of the scheduler) comes from
//! `rt_core::loom`, so loom checks it.
// Each test binary uses a different subset of these helpers.
#![allow(dead_code, unreachable_pub, missing_docs, missing_debug_implementations)]

use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};

use rt_core::loom::sync::atomic::AtomicU64;
use rt_core::loom::sync::{Arc, Mutex};
use rt_core::task::{self, JoinError, JoinHandle, Notified, OwnedTasks, Schedule, Task};

/// A scheduler: a locked FIFO of notifications and the owned-task list.
///
/// Each task allocation holds a `Sched`, whose canary is cleared when that copy is
/// dropped, i.e. when the task is freed. `schedule` and `release` are called on the copy
/// inside the task, so they catch the task model calling into a freed task. The canary
/// is a loom atomic accessed by read-modify-writes so that loom orders the free before
/// the call in some execution: loom does not track plain memory, so without it a use
/// after free would go unnoticed.
pub struct Sched(Arc<Shared>, AtomicU64);

const CANARY: u64 = 0x5eed_cafe_f00d_d00d;

impl Clone for Sched {
    fn clone(&self) -> Sched {
        Sched(self.0.clone(), AtomicU64::new(CANARY))
    }
}

impl Drop for Sched {
    fn drop(&mut self) {
        self.1.swap(0, SeqCst);
    }
}

pub struct Shared {
    queue: Mutex<VecDeque<Notified<Sched>>>,
    owned: OwnedTasks<Sched>,
    /// Calls of `schedule` and `yield_now`.
    scheduled: AtomicUsize,
}

impl Schedule for Sched {
    fn schedule(&self, task: Notified<Self>) {
        self.assert_live();
        self.0.scheduled.fetch_add(1, SeqCst);
        let mut queue = self.0.queue.lock();
        // At most one notification per task, ever: a second one would mean the task is
        // queued twice (and polled concurrently, or after completion).
        assert!(
            queue.iter().all(|queued| queued.id() != task.id()),
            "task {} queued twice",
            task.id()
        );
        queue.push_back(task);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        self.assert_live();
        // SAFETY: every task of this scheduler is bound to this list.
        unsafe { self.0.owned.remove(task) }
    }
}

impl Sched {
    pub fn new() -> Sched {
        let shared = Shared {
            queue: Mutex::new(VecDeque::new()),
            owned: OwnedTasks::new(1),
            scheduled: AtomicUsize::new(0),
        };
        Sched(Arc::new(shared), AtomicU64::new(CANARY))
    }

    fn assert_live(&self) {
        // (Were the task holding `self` freed, this read would be the use after free
        // being detected.)
        assert_eq!(
            self.1.fetch_add(0, SeqCst),
            CANARY,
            "the task model called into a freed task"
        );
    }

    /// Creates a task, binds it and queues its first notification.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (task, notified, join) = task::new_task(future, self.clone());
        if let Some(notified) = self.0.owned.bind(task, notified) {
            self.schedule(notified);
        }
        join
    }

    pub fn pop(&self) -> Option<Notified<Sched>> {
        self.0.queue.lock().pop_front()
    }

    /// Runs the oldest queued task; `false` when the queue was empty.
    pub fn run_one(&self) -> bool {
        // The lock is released before running: the task may schedule itself.
        let Some(task) = self.pop() else { return false };
        task.run();
        true
    }

    /// Runs queued tasks until the queue is empty; returns how many ran.
    pub fn drain(&self) -> usize {
        let mut n = 0;
        while self.run_one() {
            n += 1;
        }
        n
    }

    pub fn queued(&self) -> usize {
        self.0.queue.lock().len()
    }

    pub fn scheduled(&self) -> usize {
        self.0.scheduled.load(SeqCst)
    }

    pub fn owned(&self) -> &OwnedTasks<Sched> {
        &self.0.owned
    }

    /// Runtime shutdown: cancel every owned task.
    pub fn shutdown(&self) {
        self.0.owned.close_and_shutdown_all();
    }

    /// Drops every queued notification without running it (a runtime dropping its queue).
    pub fn drop_queue(&self) {
        let queued = std::mem::take(&mut *self.0.queue.lock());
        drop(queued);
    }

    /// Checks that every task of this scheduler is freed: each task allocation holds a
    /// clone of the scheduler handle, so only `self` may be left.
    pub fn assert_all_freed(self) {
        assert_eq!(self.queued(), 0, "notifications left in the queue");
        assert!(self.0.owned.is_empty(), "tasks left in the owned list");
        assert_eq!(
            Arc::strong_count(&self.0),
            1,
            "a task allocation leaked (it holds a scheduler handle)"
        );
    }
}

/// What the probes count. Shared through a `std` `Arc`; see the module docs.
#[derive(Debug, Default)]
pub struct Counters {
    pub polls: AtomicUsize,
    pub future_drops: AtomicUsize,
    pub output_drops: AtomicUsize,
    pub wakes: AtomicUsize,
}

impl Counters {
    pub fn new() -> std::sync::Arc<Counters> {
        std::sync::Arc::default()
    }

    pub fn polls(&self) -> usize {
        self.polls.load(SeqCst)
    }

    pub fn future_drops(&self) -> usize {
        self.future_drops.load(SeqCst)
    }

    pub fn output_drops(&self) -> usize {
        self.output_drops.load(SeqCst)
    }

    pub fn wakes(&self) -> usize {
        self.wakes.load(SeqCst)
    }
}

/// A task output that counts its drops.
#[derive(Debug)]
pub struct Out {
    pub value: u32,
    counters: std::sync::Arc<Counters>,
}

impl Drop for Out {
    fn drop(&mut self) {
        self.counters.output_drops.fetch_add(1, SeqCst);
    }
}

/// The value every probe completes with.
pub const OUTPUT: u32 = 7;

/// A slot a future hands a clone of its waker out through.
#[derive(Clone, Default)]
pub struct WakerSlot(std::sync::Arc<std::sync::Mutex<Option<Waker>>>);

impl WakerSlot {
    pub fn new() -> WakerSlot {
        WakerSlot::default()
    }

    pub fn take(&self) -> Option<Waker> {
        self.0.lock().unwrap().take()
    }

    fn put(&self, waker: Waker) {
        // Never run task code (a waker drop) under the std lock: loom may switch threads
        // inside it, and a blocked std lock would hang the whole model.
        let old = self.0.lock().unwrap().replace(waker);
        drop(old);
    }
}

/// A future that completes on poll number `ready_on` (never when it is 0).
pub struct Probe {
    ready_on: usize,
    polls: usize,
    yield_first: bool,
    slot: Option<WakerSlot>,
    counters: std::sync::Arc<Counters>,
}

impl Probe {
    pub fn new(counters: &std::sync::Arc<Counters>, ready_on: usize) -> Probe {
        Probe {
            ready_on,
            polls: 0,
            yield_first: false,
            slot: None,
            counters: counters.clone(),
        }
    }

    /// A probe that never completes.
    pub fn pending(counters: &std::sync::Arc<Counters>) -> Probe {
        Probe::new(counters, 0)
    }

    /// On its first poll, wakes itself before returning `Pending` (a yield): the task is
    /// queued again at once.
    pub fn yield_first(mut self) -> Probe {
        self.yield_first = true;
        self
    }

    /// On every poll, stores a clone of its waker in `slot` (before completing, too).
    pub fn stash(mut self, slot: &WakerSlot) -> Probe {
        self.slot = Some(slot.clone());
        self
    }
}

impl Future for Probe {
    type Output = Out;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Out> {
        self.polls += 1;
        self.counters.polls.fetch_add(1, SeqCst);
        if let Some(slot) = &self.slot {
            slot.put(cx.waker().clone());
        }
        if self.polls == self.ready_on {
            return Poll::Ready(Out {
                value: OUTPUT,
                counters: self.counters.clone(),
            });
        }
        assert!(
            self.ready_on == 0 || self.polls < self.ready_on,
            "polled after completion"
        );
        if self.polls == 1 && self.yield_first {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.counters.future_drops.fetch_add(1, SeqCst);
    }
}

/// A waker that counts its wakes (and does nothing else).
pub fn counting_waker(counters: &std::sync::Arc<Counters>) -> Waker {
    struct Count(std::sync::Arc<Counters>);
    impl Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.wakes.fetch_add(1, SeqCst);
        }
    }
    Waker::from(std::sync::Arc::new(Count(counters.clone())))
}

/// Polls `future` once with `waker`.
pub fn poll_with<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// Polls a join handle once with a waker that does nothing.
pub fn poll_join<T>(join: &mut JoinHandle<T>) -> Poll<Result<T, JoinError>> {
    poll_with(join, &counting_waker(&Counters::new()))
}

/// Drives `future` on the current loom thread, parking it until the future's waker
/// unparks it. A lost wake-up leaves the thread parked forever, which loom reports as
/// a deadlock.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(loom::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(std::sync::Arc::new(Unpark(loom::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        loom::thread::park();
    }
}

/// Asserts that a join result is the probe's output or a cancellation; returns whether
/// it was the output.
pub fn output_or_cancelled(result: Result<Out, JoinError>) -> bool {
    match result {
        Ok(out) => {
            assert_eq!(out.value, OUTPUT);
            true
        }
        Err(e) => {
            assert!(e.is_cancelled(), "unexpected join error: {e}");
            false
        }
    }
}
