//! Shutting the timer down: pending sleeps complete, later ones complete at once, and
//! `Timeout` reports the shutdown as an error, never as its future's success.
#![cfg(not(loom))]

mod time_support;

use std::future::pending;
use std::pin::{pin, Pin};
use std::task::Poll;

use rt_core::time::{interval, sleep, timeout, Sleep};
use time_support::{ms, poll_noop, poll_once, CountingWaker, Timer};

#[test]
fn pending_sleeps_are_woken_and_complete() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut sleeps: Vec<Sleep> = (1..=100).map(|i| sleep(ms(i * 1000))).collect();
    for sleep in &mut sleeps {
        assert!(poll_once(Pin::new(sleep), &waker.waker()).is_pending());
    }
    timer.shutdown();
    assert_eq!(waker.wakes(), 100);
    assert_eq!(timer.pending(), 0);
    for sleep in &mut sleeps {
        assert!(sleep.is_elapsed());
        assert!(poll_noop(Pin::new(sleep)).is_ready());
    }
    timer.check_invariants();
}

#[test]
fn sleeps_after_shutdown_complete_at_once() {
    let timer = Timer::paused();
    timer.shutdown();
    let mut sleep = pin!(sleep(ms(1000)));
    assert!(sleep.is_elapsed());
    assert!(poll_noop(sleep.as_mut()).is_ready());
    assert_eq!(timer.pending(), 0);
    // Reset and poll again: still nothing waits.
    sleep.as_mut().reset(timer.now() + ms(50));
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn timeout_reports_the_shutdown() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut waiting = pin!(timeout(ms(1000), pending::<()>()));
    assert!(poll_once(waiting.as_mut(), &waker.waker()).is_pending());
    timer.shutdown();
    assert_eq!(waker.wakes(), 1);
    match poll_noop(waiting.as_mut()) {
        Poll::Ready(Err(err)) => {
            assert!(err.is_shutdown());
            assert!(err.to_string().contains("shut down"));
            assert_eq!(std::io::Error::from(err).kind(), std::io::ErrorKind::TimedOut);
        }
        other => panic!("expected a shutdown error, got {other:?}"),
    }
    // Created after the shutdown: the same error at the first poll.
    match poll_noop(pin!(timeout(ms(1000), pending::<()>()))) {
        Poll::Ready(Err(err)) => assert!(err.is_shutdown()),
        other => panic!("expected a shutdown error, got {other:?}"),
    }
    // A future that is ready still wins.
    assert_eq!(
        poll_noop(pin!(timeout(ms(1000), std::future::ready(1)))),
        Poll::Ready(Ok(1))
    );
}

#[test]
fn a_timeout_whose_deadline_passed_before_shutdown_is_not_a_shutdown() {
    let timer = Timer::paused();
    let mut waiting = pin!(timeout(ms(10), pending::<()>()));
    assert!(poll_noop(waiting.as_mut()).is_pending());
    timer.advance(ms(10));
    timer.shutdown();
    match poll_noop(waiting.as_mut()) {
        Poll::Ready(Err(err)) => assert!(!err.is_shutdown()),
        other => panic!("expected Elapsed, got {other:?}"),
    }
}

#[test]
fn process_and_next_timeout_after_shutdown_are_no_ops() {
    let timer = Timer::paused();
    let mut sleep = pin!(sleep(ms(5)));
    assert!(poll_noop(sleep.as_mut()).is_pending());
    timer.shutdown();
    timer.shutdown(); // idempotent
    timer.advance(ms(10));
    assert_eq!(timer.next_timeout(), None);
    assert!(poll_noop(sleep.as_mut()).is_ready());
}

#[test]
fn intervals_do_not_hang_after_shutdown() {
    let timer = Timer::paused();
    let mut ticks = interval(ms(10));
    assert!(poll_noop(pin!(ticks.tick())).is_ready());
    assert!(poll_noop(pin!(ticks.tick())).is_pending());
    timer.shutdown();
    assert!(poll_noop(pin!(ticks.tick())).is_ready());
    assert!(poll_noop(pin!(ticks.tick())).is_ready());
}
