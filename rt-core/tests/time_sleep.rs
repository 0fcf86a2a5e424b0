//! `sleep` / `sleep_until` on a hand-driven timer: completion at (never before) the
//! deadline, ordering, laziness, cancellation, `reset`, waker updates, unparking the
//! driver, the cooperative budget, and a million timers.
#![cfg(not(loom))]

mod time_support;

use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use rt_core::time::manual::ManualTimer;
use rt_core::time::{sleep, sleep_until, Duration, Instant, Sleep};
use time_support::{logging_waker, ms, poll_noop, poll_once, CountingWaker, Timer};

fn assert_send_sync_unpin<T: Send + Sync + Unpin>() {}

#[test]
fn sleep_is_send_sync_and_unpin() {
    assert_send_sync_unpin::<Sleep>();
}

#[test]
fn sleep_is_small() {
    assert_eq!(std::mem::size_of::<Option<Sleep>>(), std::mem::size_of::<Sleep>());
    // Deadline (16), handle (8), state (32: the timer's key and tick, and the identity of
    // the waker the wheel holds, which spares a re-poll the wheel's lock; the waker's
    // vtable address, never 0, doubles as the state's tag). The timer itself is a 40-byte
    // wheel record.
    assert!(std::mem::size_of::<Sleep>() <= 56, "{}", std::mem::size_of::<Sleep>());
}

#[test]
fn completes_at_the_deadline_and_not_before() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(10)));
    assert_eq!(sleep.deadline(), timer.now() + ms(10));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(9));
    assert_eq!(waker.wakes(), 0);
    assert!(!sleep.is_elapsed());
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(1));
    assert_eq!(waker.wakes(), 1);
    assert!(sleep.is_elapsed());
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_ready());
    assert_eq!(timer.pending(), 0);
}

#[test]
fn sub_millisecond_deadlines_round_up() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(Duration::from_micros(1500)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(1));
    assert_eq!(waker.wakes(), 0, "fired 0.5 ms early");
    timer.advance(Duration::from_micros(500));
    assert_eq!(waker.wakes(), 0, "the 2 ms tick is not reached at 1.5 ms");
    timer.advance(Duration::from_micros(500));
    assert_eq!(waker.wakes(), 1);
}

#[test]
fn zero_and_past_deadlines_complete_at_the_first_poll() {
    let timer = Timer::paused();
    assert!(poll_noop(pin!(sleep(Duration::ZERO))).is_ready());
    let past = timer.now();
    timer.advance(ms(50));
    assert!(poll_noop(pin!(sleep_until(past))).is_ready());
    assert!(poll_noop(pin!(sleep_until(timer.now()))).is_ready());
    assert_eq!(timer.pending(), 0, "nothing was registered");
    // On the system clock too (no driver turn in between).
    let real = Timer::real();
    assert!(poll_noop(pin!(sleep(Duration::ZERO))).is_ready());
    assert_eq!(real.pending(), 0);
}

#[test]
fn a_deadline_passing_before_the_first_poll_is_left_to_the_driver() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    // The driver processed the deadline's tick already: ready at once, nothing inserted.
    let mut processed = pin!(sleep(ms(5)));
    timer.advance(ms(5));
    assert!(processed.is_elapsed());
    assert!(poll_once(processed.as_mut(), &waker.waker()).is_ready());
    assert_eq!(timer.pending(), 0);
    // The clock passed it but the driver did not turn yet: it fires at the next turn.
    let mut unprocessed = pin!(sleep(ms(5)));
    timer.timer.advance(ms(10));
    assert!(poll_once(unprocessed.as_mut(), &waker.waker()).is_pending());
    assert_eq!(timer.next_timeout(), Some(Duration::ZERO));
    timer.process();
    assert_eq!(waker.wakes(), 1);
    assert!(poll_noop(unprocessed.as_mut()).is_ready());
}

#[test]
fn creating_is_lazy_and_dropping_unpolled_costs_nothing() {
    let timer = Timer::paused();
    let sleeps: Vec<Sleep> = (0..100).map(|i| sleep(ms(10 + i))).collect();
    assert_eq!(timer.pending(), 0);
    assert_eq!(timer.unparks(), 0);
    drop(sleeps);
    assert_eq!(timer.pending(), 0);
}

#[test]
fn timers_fire_in_deadline_order() {
    let timer = Timer::paused();
    let log = Arc::new(Mutex::new(Vec::new()));
    let deadlines = [70u64, 3, 5000, 64, 1, 4096, 65, 3, 250_000];
    let mut sleeps: Vec<Sleep> = deadlines.iter().map(|&d| sleep(ms(d))).collect();
    for (i, sleep) in sleeps.iter_mut().enumerate() {
        assert!(poll_once(Pin::new(sleep), &logging_waker(i, &log)).is_pending());
    }
    // One big jump: wakes come out in deadline order (equal deadlines in either order).
    timer.advance(ms(300_000));
    let order: Vec<u64> = log.lock().unwrap().iter().map(|&i| deadlines[i]).collect();
    let mut sorted = deadlines.to_vec();
    sorted.sort_unstable();
    assert_eq!(order, sorted);
    assert!(sleeps.iter_mut().all(|s| poll_noop(Pin::new(s)).is_ready()));
}

#[test]
fn step_by_step_each_timer_fires_at_its_own_tick() {
    let timer = Timer::paused();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut sleeps: Vec<Sleep> = (1..=200u64).rev().map(|d| sleep(ms(d * 7))).collect();
    for (i, sleep) in sleeps.iter_mut().enumerate() {
        let _ = poll_once(Pin::new(sleep), &logging_waker(i, &log));
    }
    for now in 1..=1400u64 {
        timer.advance(ms(1));
        let fired = std::mem::take(&mut *log.lock().unwrap());
        if now % 7 == 0 {
            assert_eq!(fired.len(), 1, "at {now} ms");
            assert_eq!(sleeps[fired[0]].deadline(), timer.now());
        } else {
            assert!(fired.is_empty(), "at {now} ms: {fired:?}");
        }
    }
}

#[test]
fn dropping_a_pending_sleep_cancels_its_timer() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut a = Box::pin(sleep(ms(10)));
    let mut b = Box::pin(sleep(ms(10)));
    assert!(poll_once(a.as_mut(), &waker.waker()).is_pending());
    assert!(poll_once(b.as_mut(), &waker.waker()).is_pending());
    assert_eq!(timer.pending(), 2);
    drop(a);
    assert_eq!(timer.pending(), 1);
    timer.advance(ms(10));
    assert_eq!(waker.wakes(), 1);
    drop(b); // fired: no lock, nothing to remove
    assert_eq!(timer.pending(), 0);
}

#[test]
fn the_latest_waker_is_woken() {
    let timer = Timer::paused();
    let (first, second) = (CountingWaker::new(), CountingWaker::new());
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_once(sleep.as_mut(), &first.waker()).is_pending());
    assert!(poll_once(sleep.as_mut(), &second.waker()).is_pending());
    timer.advance(ms(5));
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
}

#[test]
fn reset_to_a_later_deadline_keeps_the_waker() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(10)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    let later = timer.now() + ms(100);
    sleep.as_mut().reset(later);
    assert_eq!(sleep.deadline(), later);
    timer.advance(ms(10));
    assert_eq!(waker.wakes(), 0);
    timer.advance(ms(89));
    assert_eq!(waker.wakes(), 0);
    // Not polled since the reset: the waker of the first poll is still registered.
    timer.advance(ms(1));
    assert_eq!(waker.wakes(), 1);
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn reset_to_an_earlier_deadline_fires_earlier_and_unparks() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(1000)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    assert_eq!(timer.next_timeout(), Some(ms(960)), "level-1 slot of the 1000 ms timer");
    let unparks = timer.unparks();
    sleep.as_mut().reset(timer.now() + ms(20));
    assert_eq!(timer.unparks(), unparks + 1, "the parked driver must recompute");
    timer.advance(ms(20));
    assert_eq!(waker.wakes(), 1);
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn reset_to_a_past_deadline_completes_and_wakes() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(50)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    sleep.as_mut().reset(timer.now());
    assert_eq!(waker.wakes(), 1);
    assert_eq!(timer.pending(), 0);
    assert!(sleep.is_elapsed());
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn reset_after_completion_waits_again() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(5));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_ready());
    sleep.as_mut().reset(timer.now() + ms(5));
    assert!(!sleep.is_elapsed());
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(5));
    assert_eq!(waker.wakes(), 2);
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_ready());
}

#[test]
fn reset_of_a_fired_but_unpolled_sleep_registers_at_the_next_poll() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(5)); // fired, task woken, not polled yet
    sleep.as_mut().reset(timer.now() + ms(5));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(5));
    assert_eq!(waker.wakes(), 2);
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn next_timeout_and_unpark() {
    let timer = Timer::paused();
    assert_eq!(timer.next_timeout(), None);
    let mut far = pin!(sleep(ms(100)));
    assert!(poll_noop(far.as_mut()).is_pending());
    assert_eq!(timer.unparks(), 1, "first timer: the driver slept without a timeout");
    assert_eq!(timer.next_timeout(), Some(ms(64)), "the level-1 slot starts at 64 ms");
    // A later timer does not unpark; an earlier one does.
    let mut later = pin!(sleep(ms(200)));
    assert!(poll_noop(later.as_mut()).is_pending());
    assert_eq!(timer.unparks(), 1);
    let mut sooner = pin!(sleep(ms(3)));
    assert!(poll_noop(sooner.as_mut()).is_pending());
    assert_eq!(timer.unparks(), 2);
    let mut between = pin!(sleep(ms(10)));
    assert!(poll_noop(between.as_mut()).is_pending());
    assert_eq!(timer.unparks(), 2, "not earlier than the 3 ms timer");
    assert_eq!(timer.next_timeout(), Some(ms(3)));
    timer.advance(ms(3));
    assert!(poll_noop(sooner.as_mut()).is_ready());
    assert_eq!(timer.next_timeout(), Some(ms(7)));
    timer.advance(ms(100));
    // At 103 ms the 200 ms timer waits in the level-1 slot starting at 192 ms.
    assert_eq!(timer.next_timeout(), Some(ms(89)));
    timer.advance(ms(100));
    assert_eq!(timer.next_timeout(), None);
}

#[test]
fn next_timeout_is_zero_when_a_timer_is_due() {
    let timer = Timer::paused();
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_noop(sleep.as_mut()).is_pending());
    timer.advance(ms(0));
    timer.timer.advance(ms(8)); // clock moved, not processed
    assert_eq!(timer.next_timeout(), Some(Duration::ZERO));
}

#[test]
fn polls_consume_the_budget() {
    let timer = Timer::paused();
    let mut done = pin!(sleep(Duration::ZERO));
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_noop(sleep.as_mut()).is_pending());
    timer.advance(ms(5));
    rt_core::coop::with_budget(|| {
        // Each completed poll spends one unit (a pending one gives it back).
        for _ in 0..rt_core::coop::INITIAL_BUDGET {
            assert!(poll_noop(done.as_mut()).is_ready());
        }
        let waker = CountingWaker::new();
        assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending(), "budget spent");
        assert_eq!(waker.wakes(), 1, "a budget-limited poll wakes the task at once");
    });
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn instant_now_reads_the_paused_clock() {
    let timer = Timer::paused();
    let t0 = Instant::now();
    assert_eq!(t0, timer.now());
    std::thread::sleep(ms(2));
    assert_eq!(Instant::now(), t0);
    timer.advance(ms(1500));
    assert_eq!(Instant::now(), t0 + ms(1500));
    assert_eq!(t0.elapsed(), ms(1500));
}

#[test]
fn a_sleep_keeps_the_timer_it_was_created_with() {
    let timer = Timer::paused();
    let mut sleep = sleep(ms(5));
    drop(timer);
    let other = Timer::paused();
    // Polled while another timer is current: registers with its own.
    assert!(poll_noop(Pin::new(&mut sleep)).is_pending());
    assert_eq!(other.pending(), 0);
}

#[test]
fn real_clock_sleep_fires_after_the_deadline() {
    let timer = Timer::real();
    let waker = CountingWaker::new();
    let start = std::time::Instant::now();
    let mut sleep = pin!(sleep(ms(20)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    while waker.wakes() == 0 {
        let timeout = timer.next_timeout().expect("a timer is pending");
        std::thread::sleep(timeout);
        timer.process();
    }
    assert!(start.elapsed() >= ms(20));
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
#[should_panic(expected = "there is no timer running")]
fn polling_outside_a_runtime_panics() {
    let _ = poll_noop(pin!(sleep(ms(1))));
}

#[test]
fn far_deadlines_fire_when_reached() {
    let timer = Timer::paused();
    let year = Duration::from_secs(365 * 86_400);
    let waker = CountingWaker::new();
    let mut three_years = pin!(sleep(3 * year));
    let mut forever = pin!(sleep(Duration::MAX));
    assert!(poll_once(three_years.as_mut(), &waker.waker()).is_pending());
    assert!(poll_once(forever.as_mut(), &waker.waker()).is_pending());
    timer.advance(3 * year - ms(1));
    assert_eq!(waker.wakes(), 0);
    timer.advance(ms(1));
    assert_eq!(waker.wakes(), 1);
    assert!(forever.deadline() > timer.now() + 20 * year);
    assert_eq!(timer.pending(), 1);
}

#[test]
fn a_million_timers_fire() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleeps: Vec<Sleep> = (0..1_000_000u64).map(|i| sleep(ms(1 + i % 5000))).collect();
    for sleep in &mut sleeps {
        assert!(poll_once(Pin::new(sleep), &waker.waker()).is_pending());
    }
    assert_eq!(timer.pending(), 1_000_000);
    timer.advance(ms(2500));
    assert_eq!(waker.wakes(), 500_000);
    timer.advance(ms(2500));
    assert_eq!(waker.wakes(), 1_000_000);
    assert!(sleeps.iter_mut().all(|s| poll_noop(Pin::new(s)).is_ready()));
    assert_eq!(timer.pending(), 0);
}

#[test]
fn a_million_timers_inserted_and_cancelled() {
    let timer = Timer::paused();
    let waker = futures::task::noop_waker();
    let mut sleeps: Vec<Sleep> = (0..1_000_000u64).map(|i| sleep(ms(60_000 + i))).collect();
    for sleep in &mut sleeps {
        assert!(poll_once(Pin::new(sleep), &waker).is_pending());
    }
    assert_eq!(timer.pending(), 1_000_000);
    drop(sleeps);
    assert_eq!(timer.pending(), 0);
    timer.check_invariants();
}

#[test]
fn manual_timer_sleeps_need_no_context() {
    let timer = ManualTimer::new(true);
    let waker = CountingWaker::new();
    let mut sleep = pin!(timer.sleep(ms(3)));
    assert!(poll_once(sleep.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(3));
    timer.process();
    assert_eq!(waker.wakes(), 1);
    assert!(matches!(poll_noop(sleep.as_mut()), Poll::Ready(())));
}
