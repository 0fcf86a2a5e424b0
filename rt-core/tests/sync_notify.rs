//! `Notify`: permit storage, FIFO/LIFO order, `notify_waiters` semantics, `enable`,
//! passing a notification on from a dropped future, waker updates, and cross-thread
//! round trips.
#![cfg(not(loom))]

mod sync_support2;

use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::Poll;

use futures::executor::block_on;
use rt_core::sync::{Notified, Notify};
use sync_support2::{poll_noop, poll_once, CountingWaker};

fn assert_send_sync<T: Send + Sync>() {}

/// Boxed and enabled (queued for `notify_one`).
fn enabled(notify: &Notify) -> Pin<Box<Notified<'_>>> {
    let mut notified = Box::pin(notify.notified());
    assert!(!notified.as_mut().enable());
    notified
}

fn is_ready(notified: &mut Pin<Box<Notified<'_>>>) -> bool {
    poll_noop(notified.as_mut()).is_ready()
}

/// Whether a permit is stored (a fresh future completes at once). Consumes it.
fn take_permit(notify: &Notify) -> bool {
    poll_noop(pin!(notify.notified())).is_ready()
}

#[test]
fn notify_and_notified_are_send_and_sync() {
    assert_send_sync::<Notify>();
    assert_send_sync::<Notified<'static>>();
}

#[test]
fn permit_is_stored_and_does_not_accumulate() {
    let notify = Notify::new();
    assert!(!take_permit(&notify));
    notify.notify_one();
    notify.notify_one();
    notify.notify_last();
    assert!(take_permit(&notify));
    assert!(!take_permit(&notify), "three notifications stored one permit");
}

#[test]
fn notify_one_wakes_in_fifo_order() {
    let notify = Notify::new();
    let mut waiters: Vec<_> = (0..3).map(|_| enabled(&notify)).collect();
    for woken in 0..3 {
        notify.notify_one();
        let ready: Vec<bool> = waiters.iter_mut().map(is_ready).collect();
        assert_eq!(ready.iter().filter(|r| **r).count(), woken + 1);
        assert!(ready[..=woken].iter().all(|r| *r), "oldest first: {ready:?}");
    }
    assert!(!take_permit(&notify));
}

#[test]
fn notify_last_wakes_the_newest() {
    let notify = Notify::new();
    let mut a = enabled(&notify);
    let mut b = enabled(&notify);
    notify.notify_last();
    assert!(!is_ready(&mut a));
    assert!(is_ready(&mut b));
}

#[test]
fn notify_waiters_wakes_everyone_registered_and_stores_no_permit() {
    let notify = Notify::new();
    let wakers: Vec<_> = (0..40).map(|_| CountingWaker::new()).collect();
    let mut polled: Vec<_> = wakers
        .iter()
        .map(|w| {
            let mut notified = Box::pin(notify.notified());
            assert!(poll_once(notified.as_mut(), &w.waker()).is_pending());
            notified
        })
        .collect();
    let mut never_polled = Box::pin(notify.notified());
    notify.notify_waiters();
    assert!(
        wakers.iter().all(|w| w.wakes() == 1),
        "every registered waiter woken once"
    );
    assert!(polled.iter_mut().all(is_ready));
    assert!(is_ready(&mut never_polled), "created before the call: completes too");
    assert!(!take_permit(&notify), "notify_waiters stores no permit");
}

#[test]
fn futures_created_after_notify_waiters_wait() {
    let notify = Notify::new();
    notify.notify_waiters();
    let mut after = Box::pin(notify.notified());
    assert!(!is_ready(&mut after));
    notify.notify_waiters();
    assert!(is_ready(&mut after));
}

#[test]
fn notify_waiters_leaves_a_stored_permit_alone() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_waiters();
    assert!(take_permit(&notify));
    assert!(!take_permit(&notify));
}

#[test]
fn enable_registers_before_the_first_poll() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    assert!(!notified.as_mut().enable());
    assert!(!notified.as_mut().enable(), "enabling twice is harmless");
    notify.notify_one();
    assert!(!take_permit(&notify), "the notification went to the enabled future");
    assert!(notified.as_mut().enable());
    assert!(poll_noop(notified).is_ready());
}

#[test]
fn enable_takes_a_stored_permit() {
    let notify = Notify::new();
    notify.notify_one();
    let mut notified = pin!(notify.notified());
    assert!(notified.as_mut().enable());
    assert!(!take_permit(&notify));
}

#[test]
fn dropped_notified_passes_notify_one_on() {
    let notify = Notify::new();
    let first = enabled(&notify);
    let mut second = enabled(&notify);
    notify.notify_one();
    drop(first);
    assert!(is_ready(&mut second));
    assert!(!take_permit(&notify));
}

#[test]
fn dropped_notified_restores_the_permit_when_alone() {
    let notify = Notify::new();
    let only = enabled(&notify);
    notify.notify_one();
    drop(only);
    assert!(take_permit(&notify));
}

#[test]
fn dropped_notified_does_not_pass_on_notify_waiters() {
    let notify = Notify::new();
    let first = enabled(&notify);
    notify.notify_waiters();
    let mut later = enabled(&notify);
    drop(first);
    assert!(!is_ready(&mut later));
    assert!(!take_permit(&notify));
}

#[test]
fn dropped_waiting_future_leaves_the_queue() {
    let notify = Notify::new();
    let mut a = enabled(&notify);
    let b = enabled(&notify);
    let mut c = enabled(&notify);
    drop(b);
    notify.notify_one();
    notify.notify_one();
    assert!(is_ready(&mut a) && is_ready(&mut c));
    drop((a, c));
    notify.notify_one();
    assert!(take_permit(&notify), "the queue is empty again: the permit is stored");
}

#[test]
fn only_the_latest_waker_is_woken() {
    let notify = Notify::new();
    let mut notified = pin!(notify.notified());
    let (old, new) = (CountingWaker::new(), CountingWaker::new());
    assert!(poll_once(notified.as_mut(), &old.waker()).is_pending());
    assert!(poll_once(notified.as_mut(), &new.waker()).is_pending());
    notify.notify_one();
    assert_eq!((old.wakes(), new.wakes()), (0, 1));
    assert_eq!(poll_noop(notified), Poll::Ready(()));
}

#[test]
fn static_notify_with_const_new() {
    static NOTIFY: Notify = Notify::const_new();
    NOTIFY.notify_one();
    block_on(NOTIFY.notified());
}

#[test]
fn round_trips_across_two_threads() {
    const ROUNDS: usize = if cfg!(miri) { 50 } else { 10_000 };
    let pair = Arc::new((Notify::new(), Notify::new()));
    let ponger = {
        let pair = pair.clone();
        std::thread::spawn(move || {
            for _ in 0..ROUNDS {
                block_on(pair.0.notified());
                pair.1.notify_one();
            }
        })
    };
    for _ in 0..ROUNDS {
        pair.0.notify_one();
        block_on(pair.1.notified());
    }
    ponger.join().unwrap();
    assert!(!take_permit(&pair.0) && !take_permit(&pair.1));
}

#[test]
fn notify_waiters_from_another_thread_wakes_blocked_waiters() {
    let notify = Arc::new(Notify::new());
    let started = Arc::new(std::sync::Barrier::new(5));
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let (notify, started) = (notify.clone(), started.clone());
            std::thread::spawn(move || {
                let notified = notify.notified();
                started.wait();
                block_on(notified);
            })
        })
        .collect();
    started.wait();
    notify.notify_waiters();
    for waiter in waiters {
        waiter.join().unwrap();
    }
}
