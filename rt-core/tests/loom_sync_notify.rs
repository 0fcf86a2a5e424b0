//! Loom models of `Notify`: no lost wake-up when `notify_one` races a registration,
//! `enable` before a notification, `notify_waiters` racing registrations and drops, and
//! a dropped future passing its notification on.
//!
//! A lost wake-up leaves `block_on` parked, which loom reports as a deadlock. After each
//! model, `no_permit_left` / `one_permit_left` check the permit flag, so a notification
//! delivered twice, or stored when it should not be, fails too. Each model records which
//! way its race went and asserts that loom explored every way (`model_covering`).
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core --test loom_sync_notify`.
#![cfg(loom)]

mod sync_support2;

use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};

use rt_core::loom::sync::Arc;
use rt_core::sync::Notify;
use sync_support2::{block_on, block_on_first, model_covering, poll_noop, spawn};

/// Asserts that no permit is stored: a fresh future stays pending.
fn no_permit_left(notify: &Notify) {
    assert!(
        poll_noop(pin!(notify.notified())).is_pending(),
        "a permit was left behind"
    );
}

/// Asserts that exactly one permit is stored (and takes it).
fn one_permit_left(notify: &Notify) {
    assert!(poll_noop(pin!(notify.notified())).is_ready(), "the permit was lost");
    no_permit_left(notify);
}

fn first_poll(ready: bool) -> &'static str {
    if ready {
        "ready at once"
    } else {
        "woken"
    }
}

/// Runs `f(notify)` on a new model thread.
fn spawn_with(notify: &Arc<Notify>, f: fn(&Notify)) -> loom::thread::JoinHandle<()> {
    let notify = notify.clone();
    spawn(move || f(&notify))
}

/// Calls `notify_one` on a new model thread, which then raises the returned flag.
///
/// The flag is test bookkeeping (a `std` atomic, invisible to loom): when the spawner
/// sees it raised, `notify_one` has returned. Observing the notification through the
/// future instead (`enable`) would consume it.
fn notify_one_flagged(notify: &Arc<Notify>) -> (loom::thread::JoinHandle<()>, std::sync::Arc<AtomicBool>) {
    let done = std::sync::Arc::new(AtomicBool::new(false));
    let (notify, flag) = (notify.clone(), done.clone());
    let handle = spawn(move || {
        notify.notify_one();
        flag.store(true, SeqCst);
    });
    (handle, done)
}

/// `notify_one` racing the first poll of a `Notified`: the waiter completes (woken, or
/// by taking the permit) and nothing is left over.
#[test]
fn notify_one_racing_registration() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let notifier = spawn_with(&notify, Notify::notify_one);
        let ((), at_once) = block_on_first(notify.notified());
        outcomes.record(first_poll(at_once));
        notifier.join().unwrap();
        no_permit_left(&notify);
    });
}

/// `enable`, then a `notify_one` from another thread, then the poll: the notification
/// went to the enabled future (no permit is stored).
#[test]
fn enable_then_notify_then_poll() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut notified = pin!(notify.notified());
        assert!(!notified.as_mut().enable());
        let notifier = spawn_with(&notify, Notify::notify_one);
        let ((), at_once) = block_on_first(notified);
        outcomes.record(first_poll(at_once));
        notifier.join().unwrap();
        no_permit_left(&notify);
    });
}

/// `notify_waiters` racing the registration of a future created before it (which must
/// complete) and of one created concurrently (which may or may not; dropping it must
/// leave the lists consistent).
#[test]
fn notify_waiters_racing_registration() {
    let expected = &[
        "before: ready at once",
        "before: woken",
        "during: ready",
        "during: pending",
    ];
    model_covering(expected, |outcomes| {
        let notify = Arc::new(Notify::new());
        let before = notify.notified();
        let notifier = spawn_with(&notify, Notify::notify_waiters);
        let mut during = Box::pin(notify.notified());
        let during_ready = poll_noop(during.as_mut()).is_ready();
        outcomes.record(if during_ready {
            "during: ready"
        } else {
            "during: pending"
        });
        let ((), at_once) = block_on_first(before);
        outcomes.record(if at_once {
            "before: ready at once"
        } else {
            "before: woken"
        });
        drop(during);
        notifier.join().unwrap();
        no_permit_left(&notify);
    });
}

/// `notify_waiters` with four registered waiters (two wake batches under loom) while
/// the last one is dropped and the third polled, possibly while they wait in the
/// draining list between batches: every survivor completes, the lists stay consistent,
/// and no permit is stored.
#[test]
fn notify_waiters_racing_drop_and_poll() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut waiters: Vec<_> = (0..4).map(|_| Box::pin(notify.notified())).collect();
        for waiter in &mut waiters {
            assert!(!waiter.as_mut().enable());
        }
        let notifier = spawn_with(&notify, Notify::notify_waiters);
        drop(waiters.pop());
        let ((), at_once) = block_on_first(waiters.pop().unwrap());
        outcomes.record(first_poll(at_once));
        for waiter in waiters {
            block_on(waiter);
        }
        notifier.join().unwrap();
        no_permit_left(&notify);
    });
}

/// A future chosen by `notify_one` and dropped before observing it passes the
/// notification on: the other waiter completes, and no permit is left. ("passed on":
/// `notify_one` had returned before the drop, so it chose `first`.)
#[test]
fn dropped_notified_passes_it_on() {
    model_covering(&["passed on", "dropped first"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut first = Box::pin(notify.notified());
        let mut second = pin!(notify.notified());
        assert!(!first.as_mut().enable());
        assert!(!second.as_mut().enable());
        let (notifier, done) = notify_one_flagged(&notify);
        outcomes.record(if done.load(SeqCst) {
            "passed on"
        } else {
            "dropped first"
        });
        drop(first);
        block_on(second);
        notifier.join().unwrap();
        no_permit_left(&notify);
    });
}

/// With nobody else waiting, a dropped notified future turns its notification back
/// into the stored permit.
#[test]
fn dropped_notified_restores_the_permit() {
    model_covering(&["passed on", "dropped first"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut only = Box::pin(notify.notified());
        assert!(!only.as_mut().enable());
        let (notifier, done) = notify_one_flagged(&notify);
        outcomes.record(if done.load(SeqCst) {
            "passed on"
        } else {
            "dropped first"
        });
        drop(only);
        notifier.join().unwrap();
        one_permit_left(&notify);
    });
}

/// Two `notify_one` calls from two threads and two waiters: both waiters complete.
#[test]
fn two_notify_one_two_waiters() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut a = pin!(notify.notified());
        let mut b = pin!(notify.notified());
        assert!(!a.as_mut().enable() && !b.as_mut().enable());
        let notifiers = [
            spawn_with(&notify, Notify::notify_one),
            spawn_with(&notify, Notify::notify_one),
        ];
        let ((), at_once) = block_on_first(a);
        outcomes.record(first_poll(at_once));
        block_on(b);
        for notifier in notifiers {
            notifier.join().unwrap();
        }
        no_permit_left(&notify);
    });
}

/// `notify_one` racing `notify_waiters` with one waiter: the waiter completes; the
/// permit is stored exactly when `notify_one` came after the broadcast took the waiter.
#[test]
fn notify_one_racing_notify_waiters() {
    model_covering(&["permit", "no permit"], |outcomes| {
        let notify = Arc::new(Notify::new());
        let mut waiter = pin!(notify.notified());
        assert!(!waiter.as_mut().enable());
        let one = spawn_with(&notify, Notify::notify_one);
        notify.notify_waiters();
        block_on(waiter);
        one.join().unwrap();
        let permit = poll_noop(pin!(notify.notified())).is_ready();
        outcomes.record(if permit { "permit" } else { "no permit" });
        no_permit_left(&notify);
    });
}
