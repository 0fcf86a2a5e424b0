//! Unit tests of the task model with a hand-driven scheduler.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use super::core::Cell;
use super::*;

#[derive(Clone)]
struct Sched(Arc<Inner>);

struct Inner {
    queue: Mutex<Vec<Notified<Sched>>>,
    owned: OwnedTasks<Sched>,
    scheduled: AtomicUsize,
}

impl Schedule for Sched {
    fn schedule(&self, task: Notified<Self>) {
        self.0.scheduled.fetch_add(1, Ordering::SeqCst);
        self.0.queue.lock().unwrap().push(task);
    }

    fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
        // SAFETY: every task of this scheduler is bound to this list.
        unsafe { self.0.owned.remove(task) }
    }
}

impl Sched {
    fn new() -> Sched {
        Sched(Arc::new(Inner {
            queue: Mutex::new(Vec::new()),
            owned: OwnedTasks::new(4),
            scheduled: AtomicUsize::new(0),
        }))
    }

    fn spawn<F: Future + Send + 'static>(&self, f: F) -> JoinHandle<F::Output>
    where
        F::Output: Send,
    {
        let (task, notified, join) = new_task(f, self.clone());
        if let Some(n) = self.0.owned.bind(task, notified) {
            self.schedule(n);
        }
        join
    }

    fn run_all(&self) -> usize {
        let mut n = 0;
        loop {
            let batch: Vec<_> = std::mem::take(&mut *self.0.queue.lock().unwrap());
            if batch.is_empty() {
                return n;
            }
            for t in batch {
                t.run();
                n += 1;
            }
        }
    }

    fn queued(&self) -> usize {
        self.0.queue.lock().unwrap().len()
    }
}

fn poll_join<T>(join: &mut JoinHandle<T>) -> Poll<Result<T, JoinError>> {
    let waker = futures::task::noop_waker();
    Pin::new(join).poll(&mut Context::from_waker(&waker))
}

/// A future that counts its drops and stays pending until its flag is set, handing its
/// waker out.
struct Probe {
    drops: Arc<AtomicUsize>,
    waker: Arc<Mutex<Option<Waker>>>,
    ready: Arc<AtomicUsize>,
}

impl Future for Probe {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        if self.ready.load(Ordering::SeqCst) > 0 {
            return Poll::Ready(7);
        }
        *self.waker.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

type Handles = (Arc<AtomicUsize>, Arc<Mutex<Option<Waker>>>, Arc<AtomicUsize>);

fn probe() -> (Probe, Handles) {
    let drops = Arc::new(AtomicUsize::new(0));
    let waker = Arc::new(Mutex::new(None));
    let ready = Arc::new(AtomicUsize::new(0));
    (
        Probe {
            drops: drops.clone(),
            waker: waker.clone(),
            ready: ready.clone(),
        },
        (drops, waker, ready),
    )
}

#[test]
fn cell_fits_in_96_bytes() {
    let future = async { std::future::pending::<()>().await };
    fn size_of_cell<F: Future>(_: &F) -> usize {
        std::mem::size_of::<Cell<F, Sched>>()
    }
    let size = size_of_cell(&future);
    assert!(size <= 96, "task cell is {size} bytes");
}

#[test]
fn run_to_completion_and_join() {
    let s = Sched::new();
    let mut join = s.spawn(async { 40 + 2 });
    assert!(poll_join(&mut join).is_pending());
    assert!(!join.is_finished());
    assert_eq!(s.run_all(), 1);
    assert!(join.is_finished());
    assert_eq!(poll_join(&mut join).map(Result::unwrap), Poll::Ready(42));
    assert_eq!(s.0.owned.alive(), 0);
}

#[test]
fn wake_twice_queues_once() {
    let s = Sched::new();
    let (fut, (_drops, waker, ready)) = probe();
    let mut join = s.spawn(fut);
    s.run_all();
    let w = waker.lock().unwrap().take().unwrap();
    w.wake_by_ref();
    w.wake_by_ref();
    #[allow(clippy::waker_clone_wake)] // exercise wake-by-value on a clone
    w.clone().wake();
    assert_eq!(s.queued(), 1);
    ready.store(1, Ordering::SeqCst);
    s.run_all();
    drop(w);
    assert_eq!(poll_join(&mut join).map(Result::unwrap), Poll::Ready(7));
}

#[test]
fn wake_after_completion_is_noop() {
    let s = Sched::new();
    let (fut, (drops, waker, ready)) = probe();
    let join = s.spawn(fut);
    s.run_all();
    let w = waker.lock().unwrap().take().unwrap();
    ready.store(1, Ordering::SeqCst);
    w.wake_by_ref();
    s.run_all();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    let before = s.0.scheduled.load(Ordering::SeqCst);
    w.wake_by_ref();
    assert_eq!(s.0.scheduled.load(Ordering::SeqCst), before);
    drop(join);
    // The waker is the last reference: dropping it frees the task (checked by Miri/ASan).
    drop(w);
}

#[test]
fn detached_output_is_dropped_on_completion() {
    let s = Sched::new();
    let out_drops = Arc::new(AtomicUsize::new(0));
    struct Out(Arc<AtomicUsize>);
    impl Drop for Out {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let d = out_drops.clone();
    drop(s.spawn(async move { Out(d) }));
    s.run_all();
    assert_eq!(out_drops.load(Ordering::SeqCst), 1);
}

#[test]
fn abort_idle_task_cancels_it_on_its_scheduler() {
    let s = Sched::new();
    let (fut, (drops, _waker, _ready)) = probe();
    let mut join = s.spawn(fut);
    s.run_all();
    join.abort();
    assert_eq!(
        drops.load(Ordering::SeqCst),
        0,
        "the future is dropped by the scheduler"
    );
    assert_eq!(s.queued(), 1);
    s.run_all();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    match poll_join(&mut join) {
        Poll::Ready(Err(e)) => assert!(e.is_cancelled() && e.id() == join.id()),
        other => panic!("expected cancellation, got {other:?}"),
    }
}

#[test]
fn abort_completed_task_keeps_output() {
    let s = Sched::new();
    let mut join = s.spawn(async { 5 });
    s.run_all();
    join.abort_handle().abort();
    assert_eq!(s.queued(), 0);
    assert_eq!(poll_join(&mut join).map(Result::unwrap), Poll::Ready(5));
}

#[test]
fn panic_is_caught_into_join_error() {
    let s = Sched::new();
    let mut join = s.spawn(async {
        if true {
            panic!("boom");
        }
    });
    s.run_all();
    match poll_join(&mut join) {
        Poll::Ready(Err(e)) => {
            assert!(e.is_panic());
            assert!(e.to_string().contains("boom"), "{e}");
            let payload = e.into_panic();
            assert_eq!(*payload.downcast::<&str>().unwrap(), "boom");
        }
        other => panic!("expected panic, got {other:?}"),
    }
}

#[test]
fn shutdown_drops_every_future_once() {
    let s = Sched::new();
    let mut all = Vec::new();
    for _ in 0..10 {
        let (fut, h) = probe();
        all.push((s.spawn(fut), h));
    }
    s.run_all();
    // Wake half of them so some are queued during shutdown.
    for (_, (_, waker, _)) in all.iter().take(5) {
        waker.lock().unwrap().take().unwrap().wake();
    }
    s.0.owned.close_and_shutdown_all();
    assert_eq!(s.0.owned.alive(), 0);
    for (join, (drops, _, _)) in all.iter_mut() {
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert!(matches!(poll_join(join), Poll::Ready(Err(e)) if e.is_cancelled()));
    }
    // The queued notifications now fail quietly.
    s.run_all();
    // Binding after close cancels at once.
    let mut late = s.spawn(async { 1 });
    assert!(matches!(poll_join(&mut late), Poll::Ready(Err(e)) if e.is_cancelled()));
}

#[test]
fn join_waker_is_woken_on_completion() {
    let s = Sched::new();
    let (fut, (_, _, ready)) = probe();
    let mut join = s.spawn(fut);
    s.run_all();
    let woken = Arc::new(AtomicUsize::new(0));
    struct Count(Arc<AtomicUsize>);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let waker = Waker::from(Arc::new(Count(woken.clone())));
    assert!(Pin::new(&mut join).poll(&mut Context::from_waker(&waker)).is_pending());
    // Re-polling with another waker replaces it.
    let waker2 = Waker::from(Arc::new(Count(woken.clone())));
    assert!(Pin::new(&mut join).poll(&mut Context::from_waker(&waker2)).is_pending());
    ready.store(1, Ordering::SeqCst);
    join.abort_handle(); // unrelated handle churn
                         // Wake the task through shutdown-free path: make it runnable.
    s.0.owned.close_and_shutdown_all();
    assert_eq!(woken.load(Ordering::SeqCst), 1);
}

#[test]
fn task_id_is_visible_inside_the_task() {
    let s = Sched::new();
    let mut join = s.spawn(async { super::id() });
    let id = join.id();
    s.run_all();
    assert_eq!(poll_join(&mut join).map(Result::unwrap), Poll::Ready(id));
    assert!(super::try_id().is_none());
}

#[test]
fn join_error_converts_to_io_error() {
    let s = Sched::new();
    let mut join = s.spawn(async { std::future::pending::<()>().await });
    join.abort();
    s.run_all();
    let Poll::Ready(Err(e)) = poll_join(&mut join) else {
        panic!("not cancelled")
    };
    let io: std::io::Error = e.into();
    assert!(io.to_string().contains("cancelled"));
}

/// A waker that drops a join handle when woken: what a joiner on another thread may do
/// the moment the task completes, made deterministic.
struct DropJoinOnWake(Mutex<Option<JoinHandle<()>>>);

impl std::task::Wake for DropJoinOnWake {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let join = self.0.lock().unwrap().take();
        drop(join);
    }
}

/// Regression (found by loom): a task whose shutdown ran during its own poll has no
/// owned-list reference left when it completes. The completing thread must keep the
/// task alive itself while it wakes the joiner and calls `release`: here the join waker
/// drops the last handle, which used to free the task under the completion's feet.
#[test]
fn completion_after_shutdown_survives_join_handle_drop() {
    let s = Sched::new();
    let inner = s.clone();
    let mut join = s.spawn(std::future::poll_fn(move |_| {
        // Shutdown pops this very task and drops the list's reference.
        inner.0.owned.close_and_shutdown_all();
        Poll::<()>::Pending
    }));
    let dropper = Arc::new(DropJoinOnWake(Mutex::new(None)));
    let waker = Waker::from(dropper.clone());
    assert!(Pin::new(&mut join).poll(&mut Context::from_waker(&waker)).is_pending());
    *dropper.0.lock().unwrap() = Some(join);
    s.run_all();
    assert!(dropper.0.lock().unwrap().is_none(), "the join waker was woken");
    assert_eq!(Arc::strong_count(&s.0), 1, "the task was freed");
}

/// Regression (found by loom): the same, with the join handle gone before the poll. The
/// completion then drops the last reference and must free the task (it used to leak).
#[test]
fn completion_after_shutdown_frees_detached_task() {
    let s = Sched::new();
    let inner = s.clone();
    drop(s.spawn(std::future::poll_fn(move |_| {
        inner.0.owned.close_and_shutdown_all();
        Poll::<()>::Pending
    })));
    s.run_all();
    assert_eq!(Arc::strong_count(&s.0), 1, "the task was freed");
}

/// Runs the scheduler's queue and then wakes its own task when dropped, i.e. while
/// shutdown cancels it.
struct WakeSelfOnDrop {
    sched: Sched,
    waker: Option<Waker>,
}

impl Future for WakeSelfOnDrop {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.waker.is_none() {
            self.waker = Some(cx.waker().clone());
            // Yield: the task is queued again.
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

impl Drop for WakeSelfOnDrop {
    fn drop(&mut self) {
        // The queued notification fails (shutdown owns the task) ...
        assert_eq!(self.sched.run_all(), 1);
        // ... and then the task is woken, still owned by shutdown.
        self.waker.take().unwrap().wake();
    }
}

/// Regression (found by loom): shutdown cancels a queued task; its stale notification is
/// consumed and then the task is woken, both before the cancellation completes. That
/// wake must not leave `NOTIFIED` set with no queue entry behind it: the bit pins the
/// allocation, which used to leak.
#[test]
fn wake_during_shutdown_of_queued_task_does_not_pin_it() {
    let s = Sched::new();
    let mut join = s.spawn(WakeSelfOnDrop {
        sched: s.clone(),
        waker: None,
    });
    let first = s.0.queue.lock().unwrap().pop().unwrap();
    first.run();
    assert_eq!(s.queued(), 1, "the task yielded");
    s.0.owned.close_and_shutdown_all();
    assert!(matches!(poll_join(&mut join), Poll::Ready(Err(e)) if e.is_cancelled()));
    drop(join);
    assert_eq!(s.queued(), 0);
    assert_eq!(Arc::strong_count(&s.0), 1, "the task was freed");
}

/// A join waker that panics unwinds out of `Notified::run`; the completing thread's
/// reference must still be dropped, so that shutdown frees the task.
#[test]
fn panicking_join_waker_does_not_leak_task() {
    struct Panics;
    impl std::task::Wake for Panics {
        fn wake(self: Arc<Self>) {
            panic!("join waker");
        }
    }
    let s = Sched::new();
    let mut join = s.spawn(async { 3 });
    let waker = Waker::from(Arc::new(Panics));
    assert!(Pin::new(&mut join).poll(&mut Context::from_waker(&waker)).is_pending());
    let task = s.0.queue.lock().unwrap().pop().unwrap();
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.run()));
    assert!(unwound.is_err(), "the join waker's panic propagates");
    assert_eq!(poll_join(&mut join).map(Result::unwrap), Poll::Ready(3));
    drop(join);
    s.0.owned.close_and_shutdown_all();
    assert_eq!(Arc::strong_count(&s.0), 1, "the task was freed");
}
