//! The public clock controls: `pause`, `resume`, `advance`, and their panics.
#![cfg(not(loom))]

mod time_support;

use std::pin::pin;

use rt_core::time::manual::ManualTimer;
use rt_core::time::{self, sleep, Duration, Instant};
use time_support::{ms, poll_noop, poll_once, CountingWaker, Timer};

#[test]
fn pause_stops_instant_now_and_advance_moves_it() {
    let timer = Timer::real();
    time::pause();
    assert!(timer.is_paused());
    let t0 = Instant::now();
    std::thread::sleep(ms(3));
    assert_eq!(Instant::now(), t0);
    let mut advance = pin!(time::advance(ms(250)));
    assert!(poll_noop(advance.as_mut()).is_pending(), "advance yields once");
    assert_eq!(Instant::now(), t0 + ms(250));
    assert!(poll_noop(advance.as_mut()).is_ready());
    time::resume();
    assert!(!timer.is_paused());
    std::thread::sleep(ms(2));
    assert!(Instant::now() >= t0 + ms(252));
}

#[test]
fn advance_fires_the_timers_it_passes() {
    let _timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut short = pin!(sleep(ms(100)));
    let mut long = pin!(sleep(ms(300)));
    assert!(poll_once(short.as_mut(), &waker.waker()).is_pending());
    assert!(poll_once(long.as_mut(), &waker.waker()).is_pending());
    let mut advance = pin!(time::advance(ms(200)));
    assert!(poll_once(advance.as_mut(), &waker.waker()).is_pending());
    // The 100 ms timer fired and the yield woke the caller: two wakes.
    assert_eq!(waker.wakes(), 2);
    assert!(poll_noop(short.as_mut()).is_ready());
    assert!(poll_noop(long.as_mut()).is_pending());
    assert!(poll_once(advance.as_mut(), &waker.waker()).is_ready());
}

#[test]
fn a_sleep_in_a_paused_runtime_completes_without_real_waiting() {
    let _timer = Timer::paused();
    let start = std::time::Instant::now();
    futures::executor::block_on(async {
        let slow = sleep(Duration::from_secs(3600));
        time::advance(Duration::from_secs(3600)).await;
        slow.await;
    });
    assert!(start.elapsed() < Duration::from_secs(60));
}

#[test]
#[should_panic(expected = "not allowed on this runtime")]
fn pause_panics_when_the_runtime_does_not_allow_it() {
    let _timer = Timer::from(ManualTimer::with_options(false, false));
    time::pause();
}

#[test]
#[should_panic(expected = "already paused")]
fn pause_twice_panics() {
    let _timer = Timer::paused();
    time::pause();
}

#[test]
#[should_panic(expected = "not paused")]
fn advance_panics_on_a_running_clock() {
    let _timer = Timer::real();
    let _ = poll_noop(pin!(time::advance(ms(1))));
}

#[test]
#[should_panic(expected = "not paused")]
fn resume_panics_on_a_running_clock() {
    let _timer = Timer::real();
    time::resume();
}

#[test]
#[should_panic(expected = "there is no timer running: `time::pause`")]
fn pause_outside_a_runtime_panics() {
    time::pause();
}

#[test]
#[should_panic(expected = "there is no timer running: `time::advance`")]
fn advance_outside_a_runtime_panics() {
    let _ = poll_noop(pin!(time::advance(ms(1))));
}

#[test]
fn instant_now_outside_a_runtime_is_the_system_clock() {
    let before = std::time::Instant::now();
    let now = Instant::now().into_std();
    assert!(now >= before);
    // A runtime's paused clock only applies while it is current.
    let timer = Timer::paused();
    timer.advance(Duration::from_secs(10));
    let paused = Instant::now();
    drop(timer);
    assert!(Instant::now() < paused);
}
