//! `LocalSet` and `spawn_local`: tasks whose futures are not `Send`.
//!
//! # Protocol
//!
//! Tasks of a `LocalSet` only ever run on the thread that owns the set. Wakes on that
//! thread while the set runs push onto a plain local queue; wakes from anywhere else
//! go to a locked remote queue and wake the task that polls the set. Dropping the set
//! (on its thread) closes the remote queue and cancels every task there, so no `!Send`
//! future is ever dropped or polled elsewhere.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::ptr::NonNull;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::thread::ThreadId;

use rt_core::loom::sync::{Arc, Mutex};
use rt_core::task::{self, JoinHandle, Notified, OwnedTasks, Schedule, Task};

/// Tasks run per poll of the set before it yields to its own scheduler.
const MAX_TASKS_PER_TICK: usize = 61;

/// A set of `!Send` tasks that run on the current thread, inside a runtime.
///
/// Run the set with [`run_until`](LocalSet::run_until) or
/// [`block_on`](LocalSet::block_on), or await it to run until all its tasks finish.
/// Dropping it cancels the tasks that are left.
///
/// # Examples
///
/// ```
/// use std::rc::Rc;
///
/// let rt = rt_sched::Builder::new_current_thread().build().unwrap();
/// let local = rt_sched::task::LocalSet::new();
/// let shared = Rc::new(5); // not `Send`
/// let out = local.block_on(&rt, async move {
///     let s = shared.clone();
///     rt_sched::task::spawn_local(async move { *s * 2 }).await.unwrap()
/// });
/// assert_eq!(out, 10);
/// ```
pub struct LocalSet {
    context: Rc<LocalContext>,
    _not_send: PhantomData<*const ()>,
}

struct LocalContext {
    shared: Arc<Shared>,
    queue: RefCell<VecDeque<Notified<LocalSched>>>,
}

/// The part of a set that wakers on other threads reach.
struct Shared {
    owner: ThreadId,
    owned: OwnedTasks<LocalSched>,
    /// `None` once the set is dropped.
    remote: Mutex<Option<VecDeque<Notified<LocalSched>>>>,
    waker: Mutex<Option<Waker>>,
}

#[cfg(not(loom))]
thread_local! {
    static CURRENT: Cell<Option<NonNull<LocalContext>>> = const { Cell::new(None) };
}
#[cfg(loom)]
loom::thread_local! {
    static CURRENT: Cell<Option<NonNull<LocalContext>>> = Cell::new(None);
}

/// Sets the running set for this thread; restores the previous one on drop.
struct Enter(Option<NonNull<LocalContext>>);

impl Enter {
    fn new(cx: &LocalContext) -> Enter {
        Enter(CURRENT.with(|c| c.replace(Some(NonNull::from(cx)))))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.0));
    }
}

/// Spawns a `!Send` future on the [`LocalSet`] that is running on this thread.
///
/// # Panics
///
/// Outside a running `LocalSet` (inside `run_until`, `block_on`, or awaiting the set).
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let cx = CURRENT.with(Cell::get);
    match cx {
        // SAFETY: the pointer is set only while the set's context is borrowed by the
        // `Enter` guard of a poll on this thread.
        Some(cx) => unsafe { cx.as_ref() }.spawn(future),
        None => panic!("`spawn_local` called outside of a running `LocalSet`"),
    }
}

impl LocalSet {
    /// An empty set owned by the current thread.
    pub fn new() -> LocalSet {
        LocalSet {
            context: Rc::new(LocalContext {
                shared: Arc::new(Shared {
                    owner: std::thread::current().id(),
                    owned: OwnedTasks::new(1),
                    remote: Mutex::new(Some(VecDeque::new())),
                    waker: Mutex::new(None),
                }),
                queue: RefCell::new(VecDeque::new()),
            }),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future on this set. It runs once the set is run.
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.context.spawn(future)
    }

    /// Runs `future` on `rt` with this set, so that it (and the tasks it spawns with
    /// [`spawn_local`]) may be `!Send`.
    ///
    /// # Panics
    ///
    /// As [`Runtime::block_on`](crate::Runtime::block_on).
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &crate::Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Runs the set's tasks until `future` completes.
    ///
    /// # Cancel safety
    ///
    /// Dropping the returned future stops running the tasks; they stay in the set.
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            let _enter = Enter::new(&self.context);
            self.context.register(cx.waker());
            if let Poll::Ready(out) = future.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if self.context.tick() {
                // More work is queued: come back soon, after other tasks had a turn.
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }
}

impl Future for LocalSet {
    type Output = ();

    /// Runs until every task of the set has finished.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _enter = Enter::new(&self.context);
        self.context.register(cx.waker());
        if self.context.tick() {
            cx.waker().wake_by_ref();
            Poll::Pending
        } else if self.context.shared.owned.is_empty() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl LocalContext {
    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: the set's `Schedule` impl moves notifications from other threads to
        // the remote queue, drained only on the owner thread; the owned list is shut
        // down by `LocalSet::drop`, which is `!Send` and so runs on the owner thread.
        let (task, notified, join) = unsafe { task::new_local_task(future, LocalSched(self.shared.clone())) };
        if let Some(notified) = self.shared.owned.bind(task, notified) {
            self.queue.borrow_mut().push_back(notified);
            if let Some(waker) = self.shared.waker.lock().as_ref() {
                waker.wake_by_ref();
            }
        }
        join
    }

    fn register(&self, waker: &Waker) {
        let mut slot = self.shared.waker.lock();
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }

    /// Runs up to `MAX_TASKS_PER_TICK` tasks. Returns whether work is left.
    fn tick(&self) -> bool {
        for _ in 0..MAX_TASKS_PER_TICK {
            let next = self.queue.borrow_mut().pop_front().or_else(|| self.pop_remote());
            match next {
                Some(task) => task.run(),
                None => return false,
            }
        }
        !self.queue.borrow().is_empty() || self.shared.remote.lock().as_ref().is_some_and(|q| !q.is_empty())
    }

    fn pop_remote(&self) -> Option<Notified<LocalSched>> {
        self.shared.remote.lock().as_mut().and_then(VecDeque::pop_front)
    }
}

/// The scheduler handle stored in each local task.
struct LocalSched(Arc<Shared>);

impl Schedule for LocalSched {
    fn schedule(&self, task: Notified<Self>) {
        self.0.schedule(task);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        // SAFETY: every task of the set is bound to its own list (`LocalContext::spawn`).
        unsafe { self.0.owned.remove(task) }
    }
}

impl Shared {
    fn schedule(&self, task: Notified<LocalSched>) {
        let local = CURRENT.with(Cell::get);
        if let Some(cx) = local {
            // SAFETY: set only while the context is alive on this thread.
            let cx = unsafe { cx.as_ref() };
            if std::ptr::eq(Arc::as_ptr(&cx.shared), self) {
                cx.queue.borrow_mut().push_back(task);
                return;
            }
        }
        let mut remote = self.remote.lock();
        match remote.as_mut() {
            Some(queue) => {
                queue.push_back(task);
                drop(remote);
                if let Some(waker) = self.waker.lock().as_ref() {
                    waker.wake_by_ref();
                }
            }
            // The set is gone: its tasks were cancelled; drop the notification.
            None => {
                drop(remote);
                drop(task);
            }
        }
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        debug_assert_eq!(self.context.shared.owner, std::thread::current().id());
        let _enter = Enter::new(&self.context);
        self.context.shared.owned.close_and_shutdown_all();
        let remote = self.context.shared.remote.lock().take();
        drop(remote);
        let local = std::mem::take(&mut *self.context.queue.borrow_mut());
        drop(local);
        *self.context.shared.waker.lock() = None;
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("alive_tasks", &self.context.shared.owned.alive())
            .finish()
    }
}
