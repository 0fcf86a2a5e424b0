//! Loom models of the timer: a `Sleep` registering, being cancelled, reset, or re-polled
//! with a new waker or with the same one while another thread moves the clock and fires timers, and
//! registration racing shutdown.
//!
//! Each model checks that no wake-up is lost (a `Sleep` left waiting forever parks
//! `block_on`, which loom reports as a deadlock), that every timer fires at most once
//! (counting wakers), that a `Sleep` never completes before its deadline, and that the
//! wheel's structure is intact afterwards (`check_invariants`: lists, bitmaps, counts,
//! placement). Under loom a wake batch holds two wakers, so `process` releases the lock
//! in the middle of firing when three timers are due.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom cargo test --release -p rt-core --test loom_time`.
#![cfg(loom)]

mod sync_support2;

use std::pin::{pin, Pin};
use std::sync::Arc;
use std::time::Duration;

use rt_core::time::manual::ManualTimer;
use rt_core::time::Sleep;
use sync_support2::{block_on, block_on_first, model_covering, poll_noop, poll_once, spawn, CountingWaker};

const DUE: Duration = Duration::from_millis(10);

fn first_poll(ready: bool) -> &'static str {
    if ready {
        "ready at once"
    } else {
        "woken"
    }
}

/// Starts a thread that moves the paused clock by `by` and fires what is due, as the
/// driver does after parking.
fn fire_after(timer: &Arc<ManualTimer>, by: Duration) -> loom::thread::JoinHandle<()> {
    let timer = timer.clone();
    spawn(move || {
        timer.advance(by);
        timer.process();
    })
}

/// The first poll (reading the clock, then inserting) races the clock move and the
/// firing: either the sleep sees the deadline passed, or its insertion is refused
/// because the wheel already processed that tick, or it is inserted and fired.
#[test]
fn insert_racing_fire() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let sleep = timer.sleep(DUE);
        let deadline = sleep.deadline();
        let firer = fire_after(&timer, DUE);
        let ((), at_once) = block_on_first(sleep);
        outcomes.record(first_poll(at_once));
        assert!(timer.now() >= deadline, "completed before the deadline");
        firer.join().unwrap();
        timer.check_invariants();
        assert_eq!(timer.pending(), 0);
    });
}

/// Dropping registered sleeps while `process` fires them (three due at once, so the
/// firing thread unlocks between two batches): each waker is woken at most once, the
/// cancelled timers leave the wheel, and the records are freed exactly once.
#[test]
fn cancel_racing_fire() {
    model_covering(&["cancelled", "fired"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let wakers = [CountingWaker::new(), CountingWaker::new(), CountingWaker::new()];
        let mut sleeps: Vec<Sleep> = (0..3).map(|_| timer.sleep(DUE)).collect();
        for (sleep, waker) in sleeps.iter_mut().zip(&wakers) {
            assert!(poll_once(Pin::new(sleep), &waker.waker()).is_pending());
        }
        let firer = fire_after(&timer, DUE);
        // Slots are LIFO lists: the first timer inserted fires last, in the second batch,
        // after the firing thread released the lock to wake the first batch.
        drop(sleeps.remove(0));
        firer.join().unwrap();
        let dropped_wakes = wakers[0].wakes();
        assert!(dropped_wakes <= 1, "fired twice");
        outcomes.record(if dropped_wakes == 0 { "cancelled" } else { "fired" });
        assert_eq!(wakers[1].wakes() + wakers[2].wakes(), 2, "a kept timer did not fire");
        for sleep in &mut sleeps {
            assert!(poll_noop(Pin::new(sleep)).is_ready());
        }
        drop(sleeps);
        timer.check_invariants();
        assert_eq!(timer.pending(), 0);
    });
}

/// `reset` to a later deadline races the firing of the old one: either the timer moved
/// (and nothing was woken), or it had fired (its waker woken once) and the sleep
/// registers again at its next poll. Either way the sleep then completes at the new
/// deadline, not before, and is woken for it.
#[test]
fn reset_racing_fire() {
    model_covering(&["moved", "fired first"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let waker = CountingWaker::new();
        let mut sleep = timer.sleep(DUE);
        assert!(poll_once(Pin::new(&mut sleep), &waker.waker()).is_pending());
        let new_deadline = sleep.deadline() + DUE;
        let firer = fire_after(&timer, DUE);
        Pin::new(&mut sleep).reset(new_deadline);
        firer.join().unwrap();
        assert!(waker.wakes() <= 1);
        outcomes.record(if waker.wakes() == 0 { "moved" } else { "fired first" });
        timer.check_invariants();

        let firer = fire_after(&timer, DUE);
        block_on(&mut sleep);
        assert!(timer.now() >= new_deadline, "completed before the new deadline");
        firer.join().unwrap();
        assert_eq!(timer.pending(), 0);
    });
}

/// A second poll with a new waker races the firing: the new waker is the one woken (or
/// the poll finds the timer fired).
#[test]
fn waker_update_racing_fire() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let first = CountingWaker::new();
        let mut sleep = timer.sleep(DUE);
        assert!(poll_once(Pin::new(&mut sleep), &first.waker()).is_pending());
        let firer = fire_after(&timer, DUE);
        let ((), at_once) = block_on_first(&mut sleep);
        outcomes.record(first_poll(at_once));
        firer.join().unwrap();
        assert!(first.wakes() <= 1);
        timer.check_invariants();
        assert_eq!(timer.pending(), 0);
    });
}

/// A second poll with the waker the wheel already holds takes no lock (the waiting
/// `Sleep` compares the waker's identity): that poll racing the firing must not lose the
/// wake-up. Either the poll sees the timer fired, or the waker it left in place is woken.
#[test]
fn same_waker_repoll_racing_fire() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let counter = CountingWaker::new();
        // One waker, polled twice: the same data and vtable pointers.
        let waker = counter.waker();
        let mut sleep = timer.sleep(DUE);
        assert!(poll_once(Pin::new(&mut sleep), &waker).is_pending());
        let firer = fire_after(&timer, DUE);
        let second = poll_once(Pin::new(&mut sleep), &waker);
        firer.join().unwrap();
        if second.is_ready() {
            outcomes.record("ready at once");
        } else {
            assert_eq!(counter.wakes(), 1, "the wake-up was lost");
            assert!(poll_once(Pin::new(&mut sleep), &waker).is_ready());
            outcomes.record("woken");
        }
        assert!(counter.wakes() <= 1);
        timer.check_invariants();
        assert_eq!(timer.pending(), 0);
    });
}

/// Three timers due at once, so that the firing thread wakes a first batch (two under
/// loom) before it has popped the third, while each `Sleep` is re-polled with the waker
/// the wheel holds (the lock-free path). A re-poll that returns `Pending` must be followed
/// by a wake-up: one that came before it would be lost (the task was woken, polled, and
/// told to wait for a timer that already fired).
///
/// The wakes are counted with loom's atomics here (the shared `CountingWaker` uses std's,
/// which loom does not see): a wake-up that a re-poll observed must carry what the firing
/// thread did before it, as a real wake-up (scheduling the task) does.
#[test]
fn same_waker_repolls_racing_a_batched_fire() {
    struct LoomCount(loom::sync::atomic::AtomicUsize);
    impl std::task::Wake for LoomCount {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    struct Counter(std::sync::Arc<LoomCount>);
    impl Counter {
        fn wakes(&self) -> usize {
            self.0 .0.load(std::sync::atomic::Ordering::SeqCst)
        }
    }
    model_covering(&["ready at once", "woken"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let counters: Vec<Counter> = (0..3)
            .map(|_| Counter(std::sync::Arc::new(LoomCount(loom::sync::atomic::AtomicUsize::new(0)))))
            .collect();
        let wakers: Vec<std::task::Waker> = counters.iter().map(|c| std::task::Waker::from(c.0.clone())).collect();
        let mut sleeps: Vec<Sleep> = (0..3).map(|_| timer.sleep(DUE)).collect();
        for (sleep, waker) in sleeps.iter_mut().zip(&wakers) {
            assert!(poll_once(Pin::new(sleep), waker).is_pending());
        }
        let firer = fire_after(&timer, DUE);
        let mut pending = Vec::new();
        for (i, (sleep, waker)) in sleeps.iter_mut().zip(&wakers).enumerate() {
            let before = counters[i].wakes();
            if poll_once(Pin::new(sleep), waker).is_pending() {
                pending.push((i, before));
            } else {
                outcomes.record("ready at once");
            }
        }
        firer.join().unwrap();
        for (i, before) in pending {
            assert!(
                counters[i].wakes() > before,
                "sleep {i}: its wake-up came before its re-poll and was lost (wakes {} before {before}, all {:?})",
                counters[i].wakes(),
                counters.iter().map(Counter::wakes).collect::<Vec<_>>()
            );
            assert!(poll_once(Pin::new(&mut sleeps[i]), &wakers[i]).is_ready());
            outcomes.record("woken");
        }
        drop(sleeps);
        timer.check_invariants();
        assert_eq!(timer.pending(), 0);
    });
}

/// Shutdown races a sleep's registration and wait: the sleep completes either way (it
/// is woken by the shutdown, or refused registration), and nothing stays in the wheel.
#[test]
fn register_racing_shutdown() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let timer = Arc::new(ManualTimer::new(true));
        let sleep = timer.sleep(DUE);
        let stopper = {
            let timer = timer.clone();
            spawn(move || timer.shutdown())
        };
        let mut sleep = pin!(sleep);
        let ((), at_once) = block_on_first(sleep.as_mut());
        outcomes.record(first_poll(at_once));
        stopper.join().unwrap();
        assert_eq!(timer.pending(), 0);
        timer.check_invariants();
    });
}
