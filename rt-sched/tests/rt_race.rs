//! Races on the task state: completion against detach, abort and wakes from other
//! threads, and wake-ups of parked workers (none may be lost). Every future and every
//! output must be dropped exactly once.

mod support;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use support::{each_flavor, wait_until, watchdog, Counter};

const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn detaching_while_tasks_complete_drops_each_output_once() {
    each_flavor(|_, rt| {
        let outputs = Counter::new();
        let futures = Counter::new();
        for _ in 0..20_000 {
            let (output, future) = (outputs.guard(), futures.guard());
            drop(rt.spawn(async move {
                let _future = future;
                output
            }));
        }
        // Drive the current-thread runtime; the multi-thread one runs on its own.
        let watched = outputs.clone();
        rt.block_on(rt.spawn(support::yield_until(DEADLINE, "every output", move || {
            watched.get() == 20_000
        })))
        .unwrap();
        assert_eq!(outputs.get(), 20_000);
        assert_eq!(futures.get(), 20_000);
        drop(rt);
        assert_eq!(outputs.get(), 20_000);
    });
}

#[test]
fn aborting_while_tasks_complete() {
    each_flavor(|_, rt| {
        let outputs = Counter::new();
        let futures = Counter::new();
        let handles: Vec<_> = (0..10_000)
            .map(|i| {
                let (output, future) = (outputs.guard(), futures.guard());
                rt.spawn(async move {
                    let _future = future;
                    if i % 2 == 0 {
                        rt_sched::task::yield_now().await;
                    }
                    output
                })
            })
            .collect();
        // Abort from another thread while the workers run them.
        let aborts: Vec<_> = handles.iter().map(|h| h.abort_handle()).collect();
        let aborter = std::thread::spawn(move || aborts.iter().step_by(3).for_each(|a| a.abort()));
        let (mut ok, mut cancelled) = (0, 0);
        rt.block_on(async {
            for handle in handles {
                match handle.await {
                    Ok(output) => {
                        drop(output);
                        ok += 1;
                    }
                    Err(e) => {
                        assert!(e.is_cancelled(), "{e:?}");
                        cancelled += 1;
                    }
                }
            }
        });
        aborter.join().unwrap();
        assert_eq!(ok + cancelled, 10_000);
        assert!(cancelled <= 3334, "only every third task was aborted: {cancelled}");
        assert_eq!(futures.get(), 10_000, "every future dropped exactly once");
        assert_eq!(
            outputs.get(),
            10_000,
            "every output (or the future holding it) dropped once"
        );
    });
}

/// Pending until its flag is set; hands its waker to a shared list on every poll.
struct Gate {
    open: Arc<AtomicBool>,
    wakers: Arc<Mutex<Vec<Waker>>>,
    polls: Arc<AtomicUsize>,
}

impl Future for Gate {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        if self.open.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        self.wakers.lock().unwrap().push(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn wake_storm_from_many_threads() {
    each_flavor(|_, rt| {
        let open = Arc::new(AtomicBool::new(false));
        let wakers = Arc::new(Mutex::new(Vec::new()));
        let polls = Arc::new(AtomicUsize::new(0));
        let done = Counter::new();
        let handles: Vec<_> = (0..500)
            .map(|_| {
                let gate = Gate {
                    open: open.clone(),
                    wakers: wakers.clone(),
                    polls: polls.clone(),
                };
                let done = done.clone();
                rt.spawn(async move {
                    gate.await;
                    done.incr();
                })
            })
            .collect();
        let stop = Arc::new(AtomicBool::new(false));
        let storm: Vec<_> = (0..3)
            .map(|_| {
                let (wakers, stop) = (wakers.clone(), stop.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let batch: Vec<Waker> = wakers.lock().unwrap().drain(..).collect();
                        batch.iter().for_each(Waker::wake_by_ref);
                        std::thread::yield_now();
                    }
                })
            })
            .collect();
        rt.block_on(async {
            // Let the storm run for a while with the gates shut ...
            rt_sched::spawn_blocking(|| std::thread::sleep(Duration::from_millis(50)))
                .await
                .unwrap();
            open.store(true, Ordering::SeqCst);
            // ... then every task must finish exactly once.
            for handle in handles {
                handle.await.unwrap();
            }
        });
        stop.store(true, Ordering::SeqCst);
        storm.into_iter().for_each(|t| t.join().unwrap());
        assert_eq!(done.get(), 500);
        assert!(polls.load(Ordering::Relaxed) >= 1000, "the storm re-polled the tasks");
    });
}

#[test]
fn no_lost_wake_ups_for_remote_spawns() {
    // Nobody blocks on the runtime: every task depends on a worker being woken.
    watchdog(support::WATCHDOG_SECS, || {
        let rt = support::multi_thread(2);
        let handle = rt.handle().clone();
        for round in 0..3000u32 {
            if round % 100 == 0 {
                // Let the workers run out of work and park.
                std::thread::sleep(Duration::from_millis(1));
            }
            let out = futures::executor::block_on(handle.spawn(async move { round * 2 })).unwrap();
            assert_eq!(out, round * 2);
        }
    });
}

#[test]
fn no_lost_wake_ups_for_remote_wakes() {
    each_flavor(|_, rt| {
        let (mut to_task, mut from_outside) = mpsc::channel::<u32>(1);
        let (mut to_outside, mut from_task) = mpsc::channel::<u32>(1);
        let echo = rt.spawn(async move {
            while let Some(n) = from_outside.next().await {
                to_outside.send(n + 1).await.unwrap();
            }
        });
        // The current-thread runtime needs a driver: a plain thread blocks on the
        // echo task while this one plays the other side.
        let rt = Arc::new(rt);
        let driver = {
            let rt = rt.clone();
            std::thread::spawn(move || rt.block_on(echo).unwrap())
        };
        futures::executor::block_on(async {
            for n in 0..3000u32 {
                to_task.send(n).await.unwrap();
                assert_eq!(from_task.next().await, Some(n + 1));
            }
        });
        drop(to_task);
        driver.join().unwrap();
    });
}

#[test]
fn ping_pong_between_tasks() {
    each_flavor(|_, rt| {
        let rounds = rt.block_on(async {
            let (mut ping_tx, mut ping_rx) = mpsc::channel::<u32>(0);
            let (mut pong_tx, mut pong_rx) = mpsc::channel::<u32>(0);
            let ponger = rt_sched::spawn(async move {
                while let Some(n) = ping_rx.next().await {
                    pong_tx.send(n).await.unwrap();
                }
            });
            let pinger = rt_sched::spawn(async move {
                let mut rounds = 0;
                for n in 0..10_000u32 {
                    ping_tx.send(n).await.unwrap();
                    assert_eq!(pong_rx.next().await, Some(n));
                    rounds += 1;
                }
                rounds
            });
            let rounds = pinger.await.unwrap();
            ponger.await.unwrap();
            rounds
        });
        assert_eq!(rounds, 10_000);
    });
}

#[test]
fn fan_in_from_many_tasks() {
    each_flavor(|_, rt| {
        let total = rt.block_on(async {
            let (tx, mut rx) = mpsc::unbounded::<u64>();
            for p in 0..8u64 {
                let tx = tx.clone();
                rt_sched::spawn(async move {
                    for i in 0..2_000u64 {
                        tx.unbounded_send(p * 10_000 + i).unwrap();
                        if i % 64 == 0 {
                            rt_sched::task::yield_now().await;
                        }
                    }
                });
            }
            drop(tx);
            let mut total = 0;
            let mut count = 0;
            while let Some(v) = rx.next().await {
                total += v;
                count += 1;
            }
            assert_eq!(count, 16_000);
            total
        });
        let expected: u64 = (0..8u64)
            .map(|p| (0..2_000u64).map(|i| p * 10_000 + i).sum::<u64>())
            .sum();
        assert_eq!(total, expected);
    });
}

#[test]
fn shutdown_racing_with_remote_spawns() {
    // Threads keep spawning through a handle while the runtime is dropped: every
    // future is dropped exactly once, whether it ran, was cancelled or was refused.
    each_flavor(|flavor, _| {
        for _ in 0..10 {
            let rt = flavor.runtime();
            let dropped = Counter::new();
            let spawned = Arc::new(AtomicUsize::new(0));
            let stop = Arc::new(AtomicBool::new(false));
            let spawners: Vec<_> = (0..2)
                .map(|_| {
                    let (handle, dropped, spawned, stop) =
                        (rt.handle().clone(), dropped.clone(), spawned.clone(), stop.clone());
                    std::thread::spawn(move || {
                        let mut handles = Vec::new();
                        while !stop.load(Ordering::SeqCst) {
                            handles.push(handle.spawn(dropped.pending_forever()));
                            spawned.fetch_add(1, Ordering::SeqCst);
                        }
                        handles
                    })
                })
                .collect();
            assert!(wait_until(DEADLINE, || spawned.load(Ordering::SeqCst) > 100));
            drop(rt);
            stop.store(true, Ordering::SeqCst);
            let handles: Vec<_> = spawners.into_iter().flat_map(|t| t.join().unwrap()).collect();
            assert_eq!(
                dropped.get(),
                spawned.load(Ordering::SeqCst),
                "each future dropped exactly once"
            );
            for handle in handles {
                assert!(futures::executor::block_on(handle).unwrap_err().is_cancelled());
            }
        }
    });
}
