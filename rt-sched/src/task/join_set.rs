//! `JoinSet`: a collection of tasks awaited in completion order.
//!
//! # Protocol
//!
//! Each entry polls its `JoinHandle` with a waker of its own. When that waker fires it
//! queues the entry's key on the set's ready list (once: a flag says whether it is
//! already queued) and wakes whoever awaits `join_next`. `join_next` only polls entries
//! on the ready list, so awaiting the next of `n` tasks costs O(1) per wake-up, not
//! O(n). New entries start on the ready list so they register their waker.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
// `std::sync::Arc` on purpose: `Waker::from` needs it; the state it guards goes
// through the loom shim.
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use rt_core::loom::sync::atomic::{AtomicBool, Ordering};
use rt_core::loom::sync::Mutex;
use rt_core::task::{AbortHandle, Id, JoinError, JoinHandle};

use crate::Handle;

/// A set of tasks of the same output type, awaited in the order they complete.
///
/// Dropping the set aborts every task still in it.
///
/// # Examples
///
/// ```
/// # rt_sched::Runtime::new().unwrap().block_on(async {
/// let mut set = rt_sched::task::JoinSet::new();
/// for i in 0..3u32 {
///     set.spawn(async move { i * 10 });
/// }
/// let mut total = 0;
/// while let Some(result) = set.join_next().await {
///     total += result.unwrap();
/// }
/// assert_eq!(total, 30);
/// # });
/// ```
pub struct JoinSet<T> {
    entries: Vec<Option<Entry<T>>>,
    /// Keys taken from the shared ready list, still to be polled.
    ready: std::collections::VecDeque<usize>,
    free: Vec<usize>,
    len: usize,
    shared: Arc<Shared>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Arc<EntryWaker>,
}

struct Shared {
    ready: Mutex<Vec<usize>>,
    waker: Mutex<Option<Waker>>,
}

struct EntryWaker {
    key: usize,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.shared.ready.lock().push(self.key);
            if let Some(waker) = self.shared.waker.lock().as_ref() {
                waker.wake_by_ref();
            }
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Vec::new(),
            ready: std::collections::VecDeque::new(),
            free: Vec::new(),
            len: 0,
            shared: Arc::new(Shared {
                ready: Mutex::new(Vec::new()),
                waker: Mutex::new(None),
            }),
        }
    }

    /// The number of tasks in the set (finished ones count until they are joined).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a task that is already spawned, returning a handle to abort it.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let key = self.free.pop().unwrap_or_else(|| {
            self.entries.push(None);
            self.entries.len() - 1
        });
        let waker = Arc::new(EntryWaker {
            key,
            queued: AtomicBool::new(true),
            shared: self.shared.clone(),
        });
        self.entries[key] = Some(Entry { handle, waker });
        self.len += 1;
        self.ready.push_back(key);
        abort
    }

    /// Spawns `task` on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(crate::spawn(task))
    }

    /// Spawns `task` on the runtime of `handle` and adds it to the set.
    pub fn spawn_on<F>(&mut self, task: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn(task))
    }

    /// Runs a blocking closure on the current runtime's blocking pool and adds it.
    ///
    /// # Panics
    ///
    /// Outside a runtime.
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, func: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(crate::spawn_blocking(func))
    }

    /// Spawns a `!Send` future on the current [`LocalSet`](super::LocalSet) and adds it.
    ///
    /// # Panics
    ///
    /// Outside a `LocalSet`.
    #[track_caller]
    pub fn spawn_local<F>(&mut self, task: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(super::spawn_local(task))
    }

    /// Waits for the next task to finish and returns its result; `None` when the set
    /// is empty.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it resolves, no result is lost.
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Like [`join_next`](JoinSet::join_next), with the id of the task.
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// Returns a finished task's result without waiting, if there is one.
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let waker = futures_noop_waker();
        match self.poll_join_next(&mut Context::from_waker(&waker)) {
            Poll::Ready(out) => out,
            Poll::Pending => None,
        }
    }

    /// Polls for the next finished task.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx).map(|r| r.map(|r| r.map(|(_, v)| v)))
    }

    /// Polls for the next finished task, with its id.
    pub fn poll_join_next_with_id(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        {
            let mut slot = self.shared.waker.lock();
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
        }
        // Poll the entries that are ready now. An entry that re-queues itself while
        // we poll it (out of budget) lands on the shared list and is looked at on the
        // next call, so this loop always ends.
        if self.ready.is_empty() {
            self.ready.extend(self.shared.ready.lock().drain(..));
        }
        while let Some(key) = self.ready.pop_front() {
            let Some(Some(entry)) = self.entries.get_mut(key) else {
                continue;
            };
            entry.waker.queued.store(false, Ordering::Release);
            let waker = Waker::from(entry.waker.clone());
            let polled = Pin::new(&mut entry.handle).poll(&mut Context::from_waker(&waker));
            if let Poll::Ready(result) = polled {
                let entry = self.entries[key].take().expect("entry vanished");
                self.free.push(key);
                self.len -= 1;
                let id = entry.handle.id();
                return Poll::Ready(Some(result.map(|v| (id, v))));
            }
        }
        // Wakes that came in while we polled are on the shared list: make sure we are
        // polled again for them.
        if !self.shared.ready.lock().is_empty() {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }

    /// Aborts every task in the set (they stay in it until joined).
    pub fn abort_all(&mut self) {
        for entry in self.entries.iter().flatten() {
            entry.handle.abort();
        }
    }

    /// Removes every task from the set without aborting it (they keep running).
    pub fn detach_all(&mut self) {
        self.entries.clear();
        self.free.clear();
        self.len = 0;
        self.ready.clear();
        self.shared.ready.lock().clear();
    }

    /// Aborts every task and waits until all of them have stopped.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

fn futures_noop_waker() -> Waker {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    Waker::from(Arc::new(Noop))
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}
