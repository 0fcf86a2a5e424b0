//! `interval` / `interval_at` on a hand-driven timer: the first tick, a steady period,
//! the three missed-tick behaviours (the table in `MissedTickBehavior`'s docs), the
//! resets, and the zero-period panic.
#![cfg(not(loom))]

mod time_support;

use std::pin::pin;
use std::task::{Context, Poll};

use rt_core::time::{interval, interval_at, Duration, Instant, Interval, MissedTickBehavior};
use time_support::{ms, poll_noop, CountingWaker, Timer};

fn assert_send_sync_unpin<T: Send + Sync + Unpin>() {}

/// Polls one tick; `Some(offset from t0)` if it was ready.
fn tick(interval: &mut Interval, t0: Instant) -> Option<Duration> {
    match poll_noop(pin!(interval.tick())) {
        Poll::Ready(at) => Some(at - t0),
        Poll::Pending => None,
    }
}

#[test]
fn interval_is_send_sync_and_unpin() {
    assert_send_sync_unpin::<Interval>();
}

#[test]
fn first_tick_is_immediate_then_one_per_period() {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval(ms(10));
    assert_eq!(ticks.period(), ms(10));
    assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Burst);
    assert_eq!(tick(&mut ticks, t0), Some(ms(0)));
    for n in 1..=20 {
        assert_eq!(tick(&mut ticks, t0), None);
        timer.advance(ms(9));
        assert_eq!(tick(&mut ticks, t0), None);
        timer.advance(ms(1));
        assert_eq!(tick(&mut ticks, t0), Some(ms(10 * n)));
    }
}

#[test]
fn interval_at_starts_at_the_given_instant() {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval_at(t0 + ms(25), ms(10));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(25));
    assert_eq!(tick(&mut ticks, t0), Some(ms(25)));
    timer.advance(ms(10));
    assert_eq!(tick(&mut ticks, t0), Some(ms(35)));
}

/// Ticks at 0 and 50 on time, then the tick due at 100 is observed at 230.
fn stalled(behavior: MissedTickBehavior) -> (Timer, Interval, Instant) {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval(ms(50));
    ticks.set_missed_tick_behavior(behavior);
    assert_eq!(ticks.missed_tick_behavior(), behavior);
    assert_eq!(tick(&mut ticks, t0), Some(ms(0)));
    timer.advance(ms(50));
    assert_eq!(tick(&mut ticks, t0), Some(ms(50)));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(180));
    assert_eq!(
        tick(&mut ticks, t0),
        Some(ms(100)),
        "the late tick reports its schedule"
    );
    (timer, ticks, t0)
}

#[test]
fn burst_catches_up_at_once() {
    let (timer, mut ticks, t0) = stalled(MissedTickBehavior::Burst);
    assert_eq!(tick(&mut ticks, t0), Some(ms(150)));
    assert_eq!(tick(&mut ticks, t0), Some(ms(200)));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(20));
    assert_eq!(tick(&mut ticks, t0), Some(ms(250)));
    timer.advance(ms(50));
    assert_eq!(tick(&mut ticks, t0), Some(ms(300)));
}

#[test]
fn delay_restarts_from_the_late_tick() {
    let (timer, mut ticks, t0) = stalled(MissedTickBehavior::Delay);
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(49));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(1));
    assert_eq!(tick(&mut ticks, t0), Some(ms(280)));
    timer.advance(ms(50));
    assert_eq!(tick(&mut ticks, t0), Some(ms(330)));
}

#[test]
fn skip_keeps_the_original_schedule() {
    let (timer, mut ticks, t0) = stalled(MissedTickBehavior::Skip);
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(19));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(1));
    assert_eq!(tick(&mut ticks, t0), Some(ms(250)));
    timer.advance(ms(50));
    assert_eq!(tick(&mut ticks, t0), Some(ms(300)));
}

#[test]
fn lateness_within_the_tolerance_keeps_the_schedule() {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval(ms(50));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    assert_eq!(tick(&mut ticks, t0), Some(ms(0)));
    timer.advance(ms(54)); // 4 ms late: not a missed tick
    assert_eq!(tick(&mut ticks, t0), Some(ms(50)));
    timer.advance(ms(46));
    assert_eq!(tick(&mut ticks, t0), Some(ms(100)));
}

#[test]
fn resets_move_the_next_tick() {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval(ms(100));
    assert_eq!(tick(&mut ticks, t0), Some(ms(0)));
    timer.advance(ms(30));
    ticks.reset(); // next at 130
    timer.advance(ms(99));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(1));
    assert_eq!(tick(&mut ticks, t0), Some(ms(130)));

    ticks.reset_immediately();
    assert_eq!(tick(&mut ticks, t0), Some(ms(130)));
    assert_eq!(tick(&mut ticks, t0), None);

    ticks.reset_after(ms(7));
    timer.advance(ms(7));
    assert_eq!(tick(&mut ticks, t0), Some(ms(137)));

    ticks.reset_at(t0 + ms(500));
    timer.advance(ms(300));
    assert_eq!(tick(&mut ticks, t0), None);
    timer.advance(ms(63));
    assert_eq!(tick(&mut ticks, t0), Some(ms(500)));
}

#[test]
fn a_dropped_tick_future_loses_no_tick() {
    let timer = Timer::paused();
    let t0 = timer.now();
    let mut ticks = interval(ms(10));
    assert_eq!(tick(&mut ticks, t0), Some(ms(0)));
    assert_eq!(tick(&mut ticks, t0), None); // future dropped while pending
    timer.advance(ms(10));
    assert_eq!(tick(&mut ticks, t0), Some(ms(10)));
}

#[test]
fn poll_tick_wakes_the_latest_waker() {
    let timer = Timer::paused();
    let mut ticks = interval(ms(10));
    let (first, second) = (CountingWaker::new(), CountingWaker::new());
    assert!(ticks.poll_tick(&mut Context::from_waker(&first.waker())).is_ready());
    assert!(ticks.poll_tick(&mut Context::from_waker(&first.waker())).is_pending());
    assert!(ticks.poll_tick(&mut Context::from_waker(&second.waker())).is_pending());
    timer.advance(ms(10));
    assert_eq!((first.wakes(), second.wakes()), (0, 1));
}

#[test]
#[should_panic(expected = "`period` must be non-zero")]
fn a_zero_period_panics() {
    let _ = interval(Duration::ZERO);
}

#[test]
#[should_panic(expected = "`period` must be non-zero")]
fn a_zero_period_panics_in_interval_at() {
    let _ = interval_at(Instant::now(), Duration::ZERO);
}
