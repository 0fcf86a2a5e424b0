//! Timers on real runtimes: the driver sleeps until the next deadline, fires what is
//! due, is woken when an earlier timer arrives, auto-advances a paused clock, and fails
//! pending timers at shutdown.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rt_core::time::{self, Instant, MissedTickBehavior};
use rt_sched::Builder;
use support::{each_flavor, Flavor};

#[test]
fn sleep_waits_at_least_its_duration() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let start = std::time::Instant::now();
            time::sleep(Duration::from_millis(30)).await;
            let waited = start.elapsed();
            assert!(waited >= Duration::from_millis(30), "woke early: {waited:?}");
            assert!(waited < Duration::from_secs(5), "woke far too late: {waited:?}");
        });
    });
}

#[test]
fn sleeps_in_spawned_tasks_fire_in_deadline_order() {
    each_flavor(|_, rt| {
        let order = rt.block_on(async {
            let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
            for ms in [50u64, 10, 30, 20, 40] {
                let tx = tx.clone();
                rt_sched::spawn(async move {
                    time::sleep(Duration::from_millis(ms)).await;
                    tx.send(ms).unwrap();
                });
            }
            drop(tx);
            let mut order = Vec::new();
            while let Some(ms) = rx.recv().await {
                order.push(ms);
            }
            order
        });
        assert_eq!(order, [10, 20, 30, 40, 50]);
    });
}

#[test]
fn an_earlier_timer_wakes_a_worker_sleeping_until_a_later_one() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            // The driver sleeps until this one (an hour away)...
            let far = rt_sched::spawn(time::sleep(Duration::from_secs(3600)));
            rt_sched::task::yield_now().await;
            // ...so a new, earlier timer must wake it.
            let start = std::time::Instant::now();
            rt_sched::spawn(time::sleep(Duration::from_millis(20))).await.unwrap();
            assert!(start.elapsed() < Duration::from_secs(5));
            far.abort();
        });
    });
}

#[test]
fn timeout_both_ways() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let fast = time::timeout(Duration::from_secs(5), async { 7 }).await;
            assert_eq!(fast.unwrap(), 7);
            let slow = time::timeout(Duration::from_millis(10), std::future::pending::<()>()).await;
            let err = slow.unwrap_err();
            assert!(!err.is_shutdown());
            let io: std::io::Error = err.into();
            assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
        });
    });
}

#[test]
fn interval_ticks_at_its_period() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let mut interval = time::interval(Duration::from_millis(10));
            interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let start = Instant::now();
            for _ in 0..4 {
                interval.tick().await;
            }
            // The first tick is immediate, then three periods.
            assert!(start.elapsed() >= Duration::from_millis(30));
        });
    });
}

#[test]
fn many_timers_across_workers() {
    each_flavor(|_, rt| {
        let fired = Arc::new(AtomicUsize::new(0));
        rt.block_on(async {
            let mut handles = Vec::new();
            for i in 0..2_000u64 {
                let fired = fired.clone();
                handles.push(rt_sched::spawn(async move {
                    time::sleep(Duration::from_millis(i % 25)).await;
                    fired.fetch_add(1, Ordering::Relaxed);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
        });
        assert_eq!(fired.load(Ordering::Relaxed), 2_000);
    });
}

#[test]
fn paused_clock_auto_advances_when_idle() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let real = std::time::Instant::now();
        let start = Instant::now();
        time::sleep(Duration::from_secs(3600)).await;
        assert!(start.elapsed() >= Duration::from_secs(3600));
        assert!(
            real.elapsed() < Duration::from_secs(5),
            "a paused clock waited in real time"
        );
        // A timeout on a future that never completes elapses in paused time too.
        let r = time::timeout(Duration::from_secs(86_400), std::future::pending::<()>()).await;
        assert!(r.is_err());
    });
}

#[test]
fn paused_clock_does_not_jump_over_ready_work() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        let start = Instant::now();
        // A task that is ready keeps the runtime busy: the clock must not move
        // while it runs, only once everything waits on timers.
        let busy = rt_sched::spawn(async {
            for _ in 0..100 {
                rt_sched::task::yield_now().await;
            }
            Instant::now()
        });
        let t = busy.await.unwrap();
        assert_eq!(t, start, "the clock moved while a task was runnable");
        time::advance(Duration::from_millis(5)).await;
        assert_eq!(Instant::now() - start, Duration::from_millis(5));
    });
}

#[test]
fn start_paused_is_refused_on_the_multi_thread_runtime() {
    let err = Builder::new_multi_thread().start_paused(true).build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn pending_timers_complete_at_shutdown() {
    for flavor in Flavor::ALL {
        let rt = flavor.runtime();
        let (tx, rx) = std::sync::mpsc::channel();
        // A plain thread polls a timeout registered on the runtime: shutdown must
        // resolve it with an error rather than leave it pending forever.
        let timeout = rt.block_on(async {
            let mut timeout = Box::pin(time::timeout(Duration::from_secs(3600), std::future::pending::<()>()));
            // Registered with this runtime's wheel at its first poll.
            assert!(futures::poll!(timeout.as_mut()).is_pending());
            // In an Option: clippy objects to an async block that yields a future.
            Some(timeout)
        });
        let timeout = timeout.unwrap();
        let waiter = std::thread::spawn(move || {
            let out = futures::executor::block_on(timeout);
            tx.send(out.map_err(|e| e.is_shutdown())).unwrap();
        });
        std::thread::sleep(Duration::from_millis(50));
        drop(rt);
        let out = rx
            .recv_timeout(Duration::from_secs(10))
            .expect("timer still pending after shutdown");
        assert_eq!(out, Err(true), "{flavor:?}");
        waiter.join().unwrap();
    }
}

#[test]
fn time_disabled_runtime_panics_with_a_clear_message() {
    let rt = Builder::new_current_thread().build().unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(time::sleep(Duration::from_millis(1)));
    }))
    .unwrap_err();
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("no timer running"), "{msg}");
}

#[rt_sched::test(start_paused = true)]
async fn the_test_macro_starts_the_clock_paused() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    time::sleep(Duration::from_secs(60)).await;
    assert!(start.elapsed() >= Duration::from_secs(60));
    assert!(real.elapsed() < Duration::from_secs(5));
}

#[test]
fn paused_clock_waits_for_blocking_work() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        // The closure takes 200 ms of real time; the paused clock must not jump the
        // hour-long timeout ahead meanwhile.
        let work = rt_sched::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(200));
            42
        });
        let out = time::timeout(Duration::from_secs(3600), work).await;
        assert_eq!(out.expect("timed out on a paused clock").unwrap(), 42);
        // Once it is done, auto-advance works again.
        let start = Instant::now();
        time::sleep(Duration::from_secs(60)).await;
        assert!(start.elapsed() >= Duration::from_secs(60));
    });
}

#[test]
fn dropping_a_current_thread_runtime_ends_a_timer_another_thread_blocks_on() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    let handle = rt.handle().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let driver_thread = std::thread::spawn(move || {
        let out = handle.block_on(time::timeout(Duration::from_secs(3600), std::future::pending::<()>()));
        tx.send(out.map_err(|e| e.is_shutdown())).unwrap();
    });
    // Let that thread take the core and park in the driver.
    std::thread::sleep(Duration::from_millis(100));
    drop(rt);
    let out = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("block_on still waiting after the runtime was dropped");
    assert_eq!(out, Err(true));
    driver_thread.join().unwrap();
}
