//! Unit tests of the intrusive list and the notification hand-off, small enough for
//! Miri: linking, unlinking from either end and the middle, batches of
//! `notify_waiters`, and drops racing notifications across threads.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{Notified, Notify, WAKE_BATCH};

fn poll(notified: Pin<&mut Notified<'_>>) -> Poll<()> {
    notified.poll(&mut Context::from_waker(&futures::task::noop_waker()))
}

fn enabled(notify: &Notify) -> Pin<Box<Notified<'_>>> {
    let mut notified = Box::pin(notify.notified());
    assert!(!notified.as_mut().enable());
    notified
}

#[test]
fn unlink_from_front_middle_and_back() {
    let notify = Notify::new();
    let mut waiters: Vec<_> = (0..5).map(|_| Some(enabled(&notify))).collect();
    // Drop the middle, the front and the back.
    for i in [2, 0, 4] {
        waiters[i] = None;
    }
    notify.notify_last(); // 3
    notify.notify_one(); // 1
    let ready: Vec<bool> = waiters
        .iter_mut()
        .map(|w| w.as_mut().is_some_and(|w| poll(w.as_mut()).is_ready()))
        .collect();
    assert_eq!(ready, [false, true, false, true, false]);
    drop(waiters);
    notify.notify_one();
    assert!(
        poll(pin!(notify.notified())).is_ready(),
        "list empty again: permit stored"
    );
}

#[test]
fn notify_waiters_over_several_batches() {
    let notify = Notify::new();
    let mut waiters: Vec<_> = (0..2 * WAKE_BATCH + 3).map(|_| enabled(&notify)).collect();
    notify.notify_waiters();
    assert!(waiters.iter_mut().all(|w| poll(w.as_mut()).is_ready()));
    assert!(poll(pin!(notify.notified())).is_pending());
}

#[test]
fn forwarded_notification_after_list_changes() {
    let notify = Notify::new();
    let a = enabled(&notify);
    let mut b = enabled(&notify);
    notify.notify_one(); // to a
    let mut c = enabled(&notify);
    drop(a); // forwarded to b
    assert!(poll(b.as_mut()).is_ready());
    assert!(poll(c.as_mut()).is_pending());
    notify.notify_one();
    assert!(poll(c.as_mut()).is_ready());
}

#[test]
fn drops_racing_notifications_across_threads() {
    let notify = Arc::new(Notify::new());
    for round in 0..20 {
        let mut waiters: Vec<_> = (0..4).map(|_| enabled(&notify)).collect();
        let notifier = {
            let notify = notify.clone();
            std::thread::spawn(move || {
                if round % 2 == 0 {
                    notify.notify_waiters();
                } else {
                    notify.notify_one();
                    notify.notify_one();
                }
            })
        };
        waiters.truncate(2);
        notifier.join().unwrap();
        // The two oldest waiters were never dropped, so both notification kinds reach them
        // (FIFO), and a `notify_one` that picked a dropped waiter was passed on.
        let done = waiters
            .iter_mut()
            .map(|w| poll(w.as_mut()))
            .filter(Poll::is_ready)
            .count();
        assert_eq!(done, 2, "round {round}");
        assert!(
            poll(pin!(notify.notified())).is_pending(),
            "round {round}: no permit left"
        );
        drop(waiters);
    }
}
