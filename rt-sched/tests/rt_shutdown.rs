//! Shutdown: dropping a runtime drops every future exactly once, cancels every
//! `JoinHandle`, survives futures whose `Drop` spawns, and wakers that outlive it.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures::channel::oneshot;
use rt_sched::task::{self, JoinHandle};
use rt_sched::{Handle, Runtime};
use support::{each_flavor, wait_until, watchdog, Counter, Flavor};

const PARKED: usize = 200;
const YIELDING: usize = 8;
const QUEUED: usize = 200;
const DEADLINE: Duration = Duration::from_secs(5);

/// Spawns `PARKED` tasks that park forever and `YIELDING` that yield forever, and
/// waits until each has been polled at least once.
fn spawn_parked_and_yielding(rt: &Runtime, dropped: &Counter) -> Vec<JoinHandle<()>> {
    let polled = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..PARKED {
        let (guard, polled) = (dropped.guard(), polled.clone());
        handles.push(rt.spawn(async move {
            let _guard = guard;
            polled.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>().await;
        }));
    }
    for _ in 0..YIELDING {
        let (guard, polled) = (dropped.guard(), polled.clone());
        handles.push(rt.spawn(async move {
            let _guard = guard;
            polled.fetch_add(1, Ordering::SeqCst);
            loop {
                task::yield_now().await;
            }
        }));
    }
    // Wait from a task: on the current-thread runtime the others only run while
    // something drives the runtime.
    let waiter = rt.spawn(async move {
        support::yield_until(DEADLINE, "every task to start", || {
            polled.load(Ordering::SeqCst) == PARKED + YIELDING
        })
        .await;
    });
    rt.block_on(waiter).unwrap();
    handles
}

#[test]
fn dropping_the_runtime_drops_every_future_exactly_once() {
    each_flavor(|flavor, rt| {
        let dropped = Counter::new();
        let mut handles = spawn_parked_and_yielding(&rt, &dropped);
        // Queued: spawned from outside. On the current-thread runtime nothing drives
        // them; on the multi-thread one some may start before the drop.
        for _ in 0..QUEUED {
            handles.push(rt.spawn(dropped.pending_forever()));
        }
        if flavor == Flavor::CurrentThread {
            assert!(
                rt.metrics().global_queue_depth() >= QUEUED,
                "the queued tasks wait in the global queue"
            );
        }
        assert_eq!(dropped.get(), 0, "nothing dropped before shutdown");
        drop(rt);
        assert_eq!(
            dropped.get(),
            PARKED + YIELDING + QUEUED,
            "every future dropped exactly once by the time drop returns"
        );
        for handle in handles {
            assert!(handle.is_finished());
            let err = futures::executor::block_on(handle).unwrap_err();
            assert!(err.is_cancelled(), "{err:?}");
        }
        assert_eq!(dropped.get(), PARKED + YIELDING + QUEUED);
    });
}

#[test]
fn unjoined_outputs_are_dropped_with_their_handles_after_shutdown() {
    each_flavor(|_, rt| {
        let outputs = Counter::new();
        let handles: Vec<_> = (0..100)
            .map(|_| rt.spawn(std::future::ready(outputs.guard())))
            .collect();
        let watched: Vec<_> = handles.iter().map(JoinHandle::abort_handle).collect();
        let waiter = rt.spawn(support::yield_until(DEADLINE, "completion", move || {
            watched.iter().all(|h| h.is_finished())
        }));
        rt.block_on(waiter).unwrap();
        drop(rt);
        assert_eq!(outputs.get(), 0, "completed outputs belong to their handles");
        drop(handles);
        assert_eq!(outputs.get(), 100, "each output dropped once, with its handle");
    });
}

/// What each `SpawnOnDrop` got from `spawn`: the handle, or the panic message.
type Spawned = Arc<Mutex<Vec<Result<JoinHandle<()>, String>>>>;

/// Spawns a task from its `Drop`, recording the handle (or the panic message).
struct SpawnOnDrop {
    spawned: Spawned,
    inner_dropped: Counter,
}

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        let future = self.inner_dropped.pending_forever();
        let spawned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt_sched::spawn(future)))
            .map_err(|payload| support::panic_message(&*payload));
        let blocking = Handle::try_current().map(|h| h.spawn_blocking(|| ()));
        self.spawned.lock().unwrap().push(spawned);
        if let Ok(blocking) = blocking {
            // Either ran or was cancelled; it must not hang the shutdown.
            drop(blocking);
        }
    }
}

#[test]
fn future_whose_drop_spawns_during_shutdown() {
    each_flavor(|_, rt| {
        let spawned = Arc::new(Mutex::new(Vec::new()));
        let inner_dropped = Counter::new();
        let outer_dropped = Counter::new();
        let mut handles = Vec::new();
        for _ in 0..10 {
            let bomb = SpawnOnDrop {
                spawned: spawned.clone(),
                inner_dropped: inner_dropped.clone(),
            };
            let guard = outer_dropped.guard();
            handles.push(rt.spawn(async move {
                let _bomb = bomb;
                let _guard = guard;
                std::future::pending::<()>().await;
            }));
        }
        drop(rt);
        assert_eq!(outer_dropped.get(), 10);
        let spawned = std::mem::take(&mut *spawned.lock().unwrap());
        assert_eq!(spawned.len(), 10, "every Drop ran once");
        for result in spawned {
            let handle = result.expect("`spawn` inside a Drop run by shutdown finds the runtime");
            let err = futures::executor::block_on(handle).unwrap_err();
            assert!(
                err.is_cancelled(),
                "a task spawned during shutdown is cancelled: {err:?}"
            );
        }
        assert_eq!(
            inner_dropped.get(),
            10,
            "the futures spawned during shutdown are dropped"
        );
        for handle in handles {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
    });
}

/// A future that hands its waker out on the first poll and stays pending.
struct LeakWaker(Option<mpsc::Sender<Waker>>);

impl Future for LeakWaker {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(tx) = self.0.take() {
            tx.send(cx.waker().clone()).unwrap();
        }
        Poll::Pending
    }
}

#[test]
fn wakers_that_outlive_the_runtime_are_harmless() {
    each_flavor(|_, rt| {
        let (tx, rx) = mpsc::channel();
        let dropped = Counter::new();
        let handles: Vec<_> = (0..20)
            .map(|_| {
                let (tx, guard) = (tx.clone(), dropped.guard());
                rt.spawn(async move {
                    let _guard = guard;
                    LeakWaker(Some(tx)).await;
                })
            })
            .collect();
        let wakers: Vec<Waker> = rt.block_on(async {
            // Receive from a blocking closure so the tasks run meanwhile.
            rt_sched::spawn_blocking(move || (0..20).map(|_| rx.recv().unwrap()).collect())
                .await
                .unwrap()
        });
        drop(rt);
        assert_eq!(dropped.get(), 20);
        for waker in &wakers {
            waker.wake_by_ref();
        }
        let from_thread = wakers.clone();
        std::thread::spawn(move || from_thread.into_iter().for_each(Waker::wake))
            .join()
            .unwrap();
        drop(wakers);
        for handle in handles {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
        assert_eq!(dropped.get(), 20);
    });
}

#[test]
fn wakes_racing_with_shutdown() {
    // Another thread hammers the tasks' wakers while the runtime shuts down.
    each_flavor(|flavor, _| {
        for round in 0..20 {
            let rt = flavor.runtime();
            let (tx, rx) = mpsc::channel();
            let dropped = Counter::new();
            let handles: Vec<_> = (0..50)
                .map(|_| {
                    let (tx, guard) = (tx.clone(), dropped.guard());
                    rt.spawn(async move {
                        let _guard = guard;
                        LeakWaker(Some(tx)).await;
                    })
                })
                .collect();
            let wakers: Vec<Waker> = rt
                .block_on(rt.spawn_blocking(move || (0..50).map(|_| rx.recv().unwrap()).collect()))
                .unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let stopping = stop.clone();
            let waker_thread = std::thread::spawn(move || {
                while !stopping.load(Ordering::SeqCst) {
                    wakers.iter().for_each(Waker::wake_by_ref);
                }
                wakers
            });
            std::thread::sleep(Duration::from_millis(1));
            drop(rt);
            assert_eq!(dropped.get(), 50, "round {round}");
            stop.store(true, Ordering::SeqCst);
            let wakers = waker_thread.join().unwrap();
            wakers.iter().for_each(Waker::wake_by_ref);
            drop(wakers);
            for handle in handles {
                assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
            }
        }
    });
}

#[test]
fn handle_outliving_the_runtime_cancels_new_work() {
    each_flavor(|_, rt| {
        let handle = rt.handle().clone();
        drop(rt);
        // `block_on` through the handle still runs a plain future ...
        assert_eq!(handle.block_on(async { 3 }), 3);
        // ... but nothing spawned onto the dead runtime runs.
        let err = handle
            .block_on(async { rt_sched::spawn(async { 4 }).await })
            .unwrap_err();
        assert!(err.is_cancelled());
    });
}

#[test]
fn shutdown_timeout_with_parked_tasks_is_prompt() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let handles = spawn_parked_and_yielding(&rt, &dropped);
        let start = Instant::now();
        rt.shutdown_timeout(Duration::from_secs(5));
        assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());
        assert_eq!(dropped.get(), PARKED + YIELDING);
        for handle in handles {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn shutdown_background_drops_every_future_soon() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let handles = spawn_parked_and_yielding(&rt, &dropped);
        let start = Instant::now();
        rt.shutdown_background();
        assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
        // A task a worker is polling right now is cancelled when that poll returns.
        assert!(
            wait_until(DEADLINE, || dropped.get() == PARKED + YIELDING),
            "dropped {}",
            dropped.get()
        );
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(dropped.get(), PARKED + YIELDING, "never more than once");
        for handle in handles {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn dropping_a_runtime_inside_its_own_task_does_not_hang() {
    // The runtime is dropped on one of its own worker threads: waiting for the
    // workers would wait for itself. It must shut down in the background instead.
    watchdog(support::WATCHDOG_SECS, || {
        let slot: Arc<Mutex<Option<Runtime>>> = Arc::new(Mutex::new(Some(support::multi_thread(2))));
        let dropped = Counter::new();
        let (done_tx, done_rx) = oneshot::channel();
        {
            let guard = slot.lock().unwrap();
            let rt = guard.as_ref().unwrap();
            rt.spawn(dropped.pending_forever());
            let slot = slot.clone();
            rt.spawn(async move {
                let rt = slot.lock().unwrap().take();
                drop(rt);
                let _ = done_tx.send(());
            });
        }
        // The dropping task itself is cancelled by the shutdown it started, so the
        // signal may never come; either way the other task's future is dropped.
        let _ = futures::executor::block_on(done_rx);
        assert!(
            wait_until(DEADLINE, || dropped.get() == 1),
            "the parked task was not dropped"
        );
    });
}

#[test]
fn dropping_another_runtime_inside_a_task_cancels_its_tasks() {
    each_flavor(|_, rt| {
        let inner_dropped = Counter::new();
        let counted = inner_dropped.clone();
        rt.block_on(async move {
            let inner = support::multi_thread(1);
            inner.spawn(counted.pending_forever());
            rt_sched::spawn(async move { drop(inner) }).await.unwrap();
        });
        assert!(wait_until(DEADLINE, || inner_dropped.get() == 1));
    });
}

#[test]
fn dropping_the_runtime_while_another_thread_blocks_on_it() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let parked = rt.spawn(dropped.pending_forever());
        // The other thread holds only a `Handle`, which does not keep the runtime
        // alive; on the current-thread runtime it is the one driving the tasks.
        let handle = rt.handle().clone();
        let (entered_tx, entered_rx) = mpsc::channel();
        let blocker = std::thread::spawn(move || {
            handle.block_on(async move {
                entered_tx.send(()).unwrap();
                parked.await
            })
        });
        entered_rx.recv().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        drop(rt);
        let result = blocker.join().unwrap();
        assert!(result.unwrap_err().is_cancelled());
        assert_eq!(dropped.get(), 1);
    });
}

#[test]
fn shutdown_timeout_while_a_task_is_stuck_in_its_poll() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = support::multi_thread(2);
        let dropped = Counter::new();
        let (entered_tx, entered_rx) = mpsc::channel();
        let guard = dropped.guard();
        let stuck = rt.spawn(async move {
            let _guard = guard;
            entered_tx.send(()).unwrap();
            // Blocks its worker inside the poll (what tasks must not do).
            std::thread::sleep(Duration::from_millis(300));
            std::future::pending::<()>().await;
        });
        let parked: Vec<_> = (0..10).map(|_| rt.spawn(dropped.pending_forever())).collect();
        entered_rx.recv().unwrap();
        let start = Instant::now();
        rt.shutdown_timeout(Duration::from_millis(50));
        assert!(
            start.elapsed() < Duration::from_millis(250),
            "waited for the stuck poll: {:?}",
            start.elapsed()
        );
        // The stuck task is cancelled when its poll returns; the others right away.
        assert!(
            wait_until(DEADLINE, || dropped.get() == 11),
            "dropped {}",
            dropped.get()
        );
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(dropped.get(), 11);
        assert!(futures::executor::block_on(stuck).unwrap_err().is_cancelled());
        for handle in parked {
            assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
        }
    });
}
