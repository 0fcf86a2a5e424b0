//! Fairness: tasks that are always ready (yielding, spending budget, awaiting finished
//! handles, waking each other) cannot starve the others, on one worker thread.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::channel::{mpsc, oneshot};
use futures::StreamExt;
use rt_core::coop::INITIAL_BUDGET;
use rt_sched::task::{self, JoinHandle};
use support::{each_single_worker, yield_until};

const DEADLINE: Duration = Duration::from_secs(5);

/// Spawns a task that runs `spin` forever after signalling that it started; returns
/// once it has.
async fn spawn_spinner<F, Fut>(spin: F) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let (started, is_started) = oneshot::channel();
    let handle = rt_sched::spawn(async move {
        started.send(()).unwrap();
        loop {
            spin().await;
        }
    });
    is_started.await.unwrap();
    handle
}

#[test]
fn task_yielding_forever_does_not_starve_another() {
    each_single_worker(|_, rt| {
        rt.block_on(async {
            let spinner = spawn_spinner(task::yield_now).await;
            assert_eq!(rt_sched::spawn(async { 42 }).await.unwrap(), 42);
            spinner.abort();
            assert!(spinner.await.unwrap_err().is_cancelled());
        });
    });
}

#[test]
fn task_spending_budget_forever_does_not_starve_another() {
    each_single_worker(|_, rt| {
        rt.block_on(async {
            let spins = Arc::new(AtomicU64::new(0));
            let counted = spins.clone();
            let spinner = spawn_spinner(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                task::consume_budget()
            })
            .await;
            // Always ready except when the budget runs out: the only chance for others.
            assert_eq!(rt_sched::spawn(async { 43 }).await.unwrap(), 43);
            assert!(
                spins.load(Ordering::Relaxed) >= u64::from(INITIAL_BUDGET),
                "the spinner ran"
            );
            spinner.abort();
        });
    });
}

#[test]
fn tasks_waking_each_other_do_not_starve_a_third() {
    // A ping-pong pair keeps waking each other: each wake lands in the LIFO slot, which
    // must yield to the run queue after a few polls.
    each_single_worker(|_, rt| {
        rt.block_on(async {
            let out = rt_sched::spawn(async {
                let (ping_tx, mut ping_rx) = mpsc::unbounded::<()>();
                let (pong_tx, mut pong_rx) = mpsc::unbounded::<()>();
                let ping = rt_sched::spawn(async move {
                    loop {
                        pong_tx.unbounded_send(()).unwrap();
                        ping_rx.next().await.unwrap();
                    }
                });
                let pong = rt_sched::spawn(async move {
                    loop {
                        pong_rx.next().await.unwrap();
                        ping_tx.unbounded_send(()).unwrap();
                    }
                });
                task::yield_now().await;
                let third = rt_sched::spawn(async { 44 }).await.unwrap();
                ping.abort();
                pong.abort();
                third
            })
            .await
            .unwrap();
            assert_eq!(out, 44);
        });
    });
}

#[test]
fn global_queue_is_not_starved_by_local_work() {
    // The only worker is busy with a yield loop in its local queue; a task spawned from
    // another thread (global queue) must still run.
    each_single_worker(|_, rt| {
        let spinner = rt.block_on(spawn_spinner(task::yield_now));
        let handle = rt.handle().clone();
        let remote = std::thread::spawn(move || handle.spawn(async { 45 })).join().unwrap();
        assert_eq!(rt.block_on(remote).unwrap(), 45);
        spinner.abort();
    });
}

#[test]
fn remote_wake_is_not_starved_by_local_work() {
    each_single_worker(|_, rt| {
        rt.block_on(async {
            let spinner = spawn_spinner(task::yield_now).await;
            let (tx, rx) = oneshot::channel();
            let waiter = rt_sched::spawn(async move { rx.await.unwrap() + 1 });
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(10));
                tx.send(45).unwrap();
            });
            assert_eq!(waiter.await.unwrap(), 46);
            spinner.abort();
        });
    });
}

/// Spawns `n` trivial tasks and waits (by yielding) until all of them have finished.
async fn finished_handles(n: usize) -> Vec<JoinHandle<()>> {
    let handles: Vec<JoinHandle<()>> = (0..n).map(|_| rt_sched::spawn(async {})).collect();
    yield_until(DEADLINE, "the tasks to finish", || {
        handles.iter().all(JoinHandle::is_finished)
    })
    .await;
    handles
}

/// Polls the handles in one task poll, stopping at the first `Pending`; returns how
/// many were ready before it (all of them: no `Pending`).
async fn ready_in_one_poll(handles: &mut [JoinHandle<()>]) -> usize {
    std::future::poll_fn(|cx| {
        let mut ready = 0;
        for handle in handles.iter_mut() {
            match Pin::new(handle).poll(cx) {
                Poll::Ready(out) => {
                    out.unwrap();
                    ready += 1;
                }
                Poll::Pending => break,
            }
        }
        Poll::Ready(ready)
    })
    .await
}

#[test]
fn polling_finished_join_handles_runs_out_of_budget() {
    each_single_worker(|_, rt| {
        let ready = rt.block_on(rt.spawn(async {
            let mut handles = finished_handles(1000).await;
            task::yield_now().await; // a fresh poll, with a full budget
            let ready = ready_in_one_poll(&mut handles).await;
            // The rest are still readable (the first `ready` were consumed).
            for handle in handles.drain(ready..) {
                handle.await.unwrap();
            }
            ready
        }));
        assert_eq!(
            ready.unwrap(),
            usize::from(INITIAL_BUDGET),
            "one unit of budget per ready handle"
        );
    });
}

#[test]
fn unconstrained_never_runs_out_of_budget() {
    each_single_worker(|_, rt| {
        let ready = rt.block_on(rt.spawn(async {
            let mut handles = finished_handles(1000).await;
            task::yield_now().await;
            task::unconstrained(ready_in_one_poll(&mut handles)).await
        }));
        assert_eq!(ready.unwrap(), 1000);
    });
}

#[test]
fn awaiting_join_handles_in_a_loop_lets_others_run() {
    each_single_worker(|_, rt| {
        rt.block_on(rt.spawn(async {
            let handles = finished_handles(1000).await;
            let victim_ran = Arc::new(AtomicBool::new(false));
            let flag = victim_ran.clone();
            let victim = rt_sched::spawn(async move { flag.store(true, Ordering::SeqCst) });
            assert!(
                !victim_ran.load(Ordering::SeqCst),
                "one worker: the victim waits for us to yield"
            );
            // Every handle is ready: only the budget makes this loop yield.
            for handle in handles {
                handle.await.unwrap();
            }
            assert!(
                victim_ran.load(Ordering::SeqCst),
                "the loop yielded once its budget was spent"
            );
            victim.await.unwrap();
        }))
        .unwrap();
    });
}

#[test]
fn block_on_future_that_yields_does_not_starve_tasks() {
    // The `block_on` future itself yields in a loop until a spawned task has run.
    each_single_worker(|_, rt| {
        let out = rt.block_on(async {
            let handle = rt_sched::spawn(async { 47 });
            let mut yields = 0u32;
            while !handle.is_finished() {
                task::yield_now().await;
                yields += 1;
                assert!(yields < 1_000_000, "the spawned task never ran while block_on yielded");
            }
            handle.await.unwrap()
        });
        assert_eq!(out, 47);
    });
}

#[test]
fn consume_budget_outside_a_runtime_is_ready() {
    futures::executor::block_on(async {
        for _ in 0..1000 {
            task::consume_budget().await;
        }
    });
}
