//! `timeout` / `timeout_at` on a hand-driven timer: both outcomes, the future is polled
//! first, the deadline still fires when the inner future spends the budget, and the
//! error converts to `io::Error`.
#![cfg(not(loom))]

mod time_support;

use std::future::{pending, ready, Future};
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use rt_core::sync::oneshot;
use rt_core::time::{timeout, timeout_at, Duration, Timeout};
use time_support::{ms, poll_noop, poll_once, CountingWaker, Timer};

#[test]
fn completes_with_the_future_when_it_is_first() {
    let timer = Timer::paused();
    let (tx, rx) = oneshot::channel::<u32>();
    let waker = CountingWaker::new();
    let mut timeout = Box::pin(timeout(ms(100), rx));
    assert!(poll_once(timeout.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(99));
    tx.send(7).unwrap();
    assert_eq!(waker.wakes(), 1);
    assert_eq!(poll_noop(timeout.as_mut()), Poll::Ready(Ok(Ok(7))));
    assert_eq!(timer.pending(), 1, "the timer is cancelled when the Timeout is dropped");
    drop(timeout);
    assert_eq!(timer.pending(), 0);
}

#[test]
fn fails_with_elapsed_when_the_deadline_is_first() {
    let timer = Timer::paused();
    let waker = CountingWaker::new();
    let mut timeout = pin!(timeout(ms(100), pending::<()>()));
    assert!(poll_once(timeout.as_mut(), &waker.waker()).is_pending());
    timer.advance(ms(99));
    assert_eq!(waker.wakes(), 0);
    timer.advance(ms(1));
    assert_eq!(waker.wakes(), 1);
    let err = match poll_noop(timeout.as_mut()) {
        Poll::Ready(Err(err)) => err,
        other => panic!("expected Elapsed, got {other:?}"),
    };
    assert!(!err.is_shutdown());
    assert_eq!(err.to_string(), "deadline has elapsed");
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
}

#[test]
fn a_ready_future_wins_even_with_a_zero_duration() {
    let _timer = Timer::paused();
    assert_eq!(poll_noop(pin!(timeout(Duration::ZERO, ready(5)))), Poll::Ready(Ok(5)));
    let mut pending = pin!(timeout(Duration::ZERO, pending::<()>()));
    assert!(matches!(poll_noop(pending.as_mut()), Poll::Ready(Err(e)) if !e.is_shutdown()));
}

#[test]
fn timeout_at_uses_the_instant() {
    let timer = Timer::paused();
    let deadline = timer.now() + ms(30);
    let mut timeout = pin!(timeout_at(deadline, pending::<()>()));
    assert!(poll_noop(timeout.as_mut()).is_pending());
    timer.advance(ms(29));
    assert!(poll_noop(timeout.as_mut()).is_pending());
    timer.advance(ms(1));
    assert!(matches!(poll_noop(timeout.as_mut()), Poll::Ready(Err(_))));
}

/// A future that spends one unit of budget per poll and never completes.
struct Greedy;

impl Future for Greedy {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Poll::Ready(restore) = rt_core::coop::poll_proceed(cx) {
            restore.made_progress();
        }
        Poll::Pending
    }
}

#[test]
fn the_deadline_fires_even_when_the_future_spends_the_budget() {
    let timer = Timer::paused();
    let mut timeout = pin!(timeout(ms(10), Greedy));
    assert!(poll_noop(timeout.as_mut()).is_pending());
    timer.advance(ms(10));
    rt_core::coop::with_budget(|| {
        // Leave exactly one unit: the inner future takes it.
        let mut spend = pin!(rt_core::time::sleep(Duration::ZERO));
        for _ in 1..rt_core::coop::INITIAL_BUDGET {
            assert!(poll_noop(spend.as_mut()).is_ready());
        }
        assert!(matches!(poll_noop(timeout.as_mut()), Poll::Ready(Err(_))));
    });
}

#[test]
fn accessors_reach_the_inner_future() {
    let _timer = Timer::paused();
    let mut limited: Timeout<std::future::Ready<u8>> = timeout(ms(1), ready(3));
    assert!(format!("{limited:?}").contains("Timeout"));
    assert!(format!("{:?}", limited.get_ref()).contains("Ready"));
    assert_eq!(poll_noop(Pin::new(limited.get_mut())), Poll::Ready(3));
    let inner = timeout(ms(1), ready(5)).into_inner();
    assert_eq!(futures::executor::block_on(inner), 5);
}

#[test]
fn into_future_arguments_are_accepted() {
    struct Later;
    impl std::future::IntoFuture for Later {
        type Output = u8;
        type IntoFuture = std::future::Ready<u8>;
        fn into_future(self) -> Self::IntoFuture {
            ready(9)
        }
    }
    let _timer = Timer::paused();
    assert_eq!(poll_noop(pin!(timeout(ms(1), Later))), Poll::Ready(Ok(9)));
}
