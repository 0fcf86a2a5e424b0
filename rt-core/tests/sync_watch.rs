//! Integration tests of `sync::watch`: errors, closing rules, borrowing and seen-tracking,
//! waking, coalescing, the coop budget, and threads.

use std::error::Error;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use futures::executor::block_on;
use rt_core::sync::watch::{self, Receiver, RecvError, Ref, SendError, Sender};

/// A waker that counts its wakes.
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}

fn wakes(count: &Count) -> usize {
    count.0.load(SeqCst)
}

fn poll_once<F: Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

fn assert_send_sync<T: Send + Sync>(_: &T) {}
fn assert_send<T: Send>(_: &T) {}

#[test]
fn handles_and_futures_are_send() {
    let (tx, mut rx) = watch::channel(0u32);
    assert_send_sync(&tx);
    assert_send_sync(&rx);
    assert_send(&tx.closed());
    assert_send(&rx.changed());
    assert_send(&rx.wait_for(|_| true));
    // Not `Sync`: a `Cell` is fine in a watch channel, since borrows are exclusive.
    let (tx, rx) = watch::channel(std::cell::Cell::new(0));
    assert_send_sync(&tx);
    assert_send_sync(&rx);
}

#[test]
fn send_error_holds_the_value() {
    let (tx, rx) = watch::channel(String::from("kept"));
    drop(rx);
    let err: SendError<String> = tx.send(String::from("refused")).unwrap_err();
    assert_eq!(err.get_ref(), "refused");
    assert_eq!(err.to_string(), "sending on a closed watch channel");
    assert_eq!(format!("{err:?}"), "SendError { .. }");
    let boxed: Box<dyn Error> = Box::new(err.clone());
    assert!(boxed.source().is_none());
    assert_eq!(err.into_inner(), "refused");
    // A failed send leaves the value alone.
    assert_eq!(*tx.borrow(), "kept");
}

#[test]
fn send_error_is_debug_without_a_debug_value() {
    struct Opaque;
    let (tx, rx) = watch::channel(Opaque);
    drop(rx);
    assert_eq!(format!("{:?}", tx.send(Opaque).unwrap_err()), "SendError { .. }");
}

#[test]
fn recv_error_display_and_equality() {
    let (tx, mut rx) = watch::channel(());
    drop(tx);
    let err: RecvError = block_on(rx.changed()).unwrap_err();
    assert_eq!(err.to_string(), "the watch sender was dropped");
    assert_eq!(format!("{err:?}"), "RecvError");
    assert_eq!(Err(err), rx.has_changed());
    let _: &dyn Error = &err;
}

#[test]
fn sender_drop_delivers_the_unseen_value_then_errors() {
    let (tx, mut rx) = watch::channel(1);
    tx.send(2).unwrap();
    drop(tx);
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(block_on(rx.changed()), Ok(()));
    assert_eq!(*rx.borrow(), 2);
    assert_eq!(
        block_on(rx.changed()),
        Err(RecvError::clone(&rx.has_changed().unwrap_err()))
    );
    assert!(rx.has_changed().is_err());
    // The last value stays readable.
    assert_eq!(*rx.borrow_and_update(), 2);
}

#[test]
fn sender_drop_wakes_a_waiting_receiver() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    let mut changed = pin!(rx.changed());
    assert!(poll_once(changed.as_mut(), &waker).is_pending());
    drop(tx);
    assert_eq!(wakes(&count), 1);
    assert_eq!(
        poll_once(changed.as_mut(), &waker),
        Poll::Ready(Err(RecvError::clone(&recv_error())))
    );
}

fn recv_error() -> RecvError {
    let (tx, mut rx) = watch::channel(());
    drop(tx);
    block_on(rx.changed()).unwrap_err()
}

#[test]
fn send_replace_and_modify_work_without_receivers() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send_replace(2), 1);
    tx.send_modify(|n| *n *= 10);
    assert!(tx.send_if_modified(|n| {
        *n += 1;
        true
    }));
    assert_eq!(*tx.borrow(), 21);
    // `subscribe` revives the channel; the new receiver has seen the current value.
    let rx = tx.subscribe();
    assert!(!tx.is_closed());
    assert_eq!(rx.has_changed(), Ok(false));
    assert_eq!(*rx.borrow(), 21);
    tx.send(22).unwrap();
    assert_eq!(rx.has_changed(), Ok(true));
}

#[test]
fn receiver_count_follows_clones_subscribes_and_drops() {
    let (tx, rx) = watch::channel(());
    assert_eq!(tx.receiver_count(), 1);
    let rx2 = rx.clone();
    let rx3 = tx.subscribe();
    assert_eq!(tx.receiver_count(), 3);
    drop(rx);
    drop(rx2);
    assert!(!tx.is_closed());
    drop(rx3);
    assert_eq!(tx.receiver_count(), 0);
    assert!(tx.is_closed());
}

#[test]
fn closed_waits_for_the_last_receiver() {
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    let (count, waker) = counting_waker();
    let mut closed = pin!(tx.closed());
    assert!(poll_once(closed.as_mut(), &waker).is_pending());
    drop(rx);
    assert_eq!(wakes(&count), 0);
    assert!(poll_once(closed.as_mut(), &waker).is_pending());
    drop(rx2);
    assert_eq!(wakes(&count), 1);
    assert!(poll_once(closed.as_mut(), &waker).is_ready());
    // Already closed: ready at once.
    assert!(poll_once(pin!(tx.closed()), &waker).is_ready());
}

#[test]
fn dropped_closed_future_is_not_woken() {
    let (tx, rx) = watch::channel(());
    let (count, waker) = counting_waker();
    {
        let mut closed = pin!(tx.closed());
        assert!(poll_once(closed.as_mut(), &waker).is_pending());
    }
    drop(rx);
    assert_eq!(wakes(&count), 0);
    // The waker was released with the future: only the test holds it.
    assert_eq!(Arc::strong_count(&count), 2);
}

#[test]
fn borrow_does_not_mark_seen_but_borrow_and_update_does() {
    let (tx, mut rx) = watch::channel(1);
    assert!(!rx.borrow().has_changed());
    tx.send(2).unwrap();
    {
        let value: Ref<'_, i32> = rx.borrow();
        assert_eq!((*value, value.has_changed()), (2, true));
    }
    assert_eq!(rx.has_changed(), Ok(true));
    {
        let value = rx.borrow_and_update();
        assert_eq!((*value, value.has_changed()), (2, true));
    }
    assert_eq!(rx.has_changed(), Ok(false));
    let value = rx.borrow_and_update();
    assert_eq!((*value, value.has_changed()), (2, false));
    assert_eq!(format!("{value:?}"), "Ref { value: 2, has_changed: false }");
}

#[test]
fn mark_changed_and_mark_unchanged() {
    let (tx, mut rx) = watch::channel(1);
    rx.mark_changed();
    assert_eq!(rx.has_changed(), Ok(true));
    assert!(rx.borrow().has_changed());
    block_on(rx.changed()).unwrap();
    assert_eq!(rx.has_changed(), Ok(false));

    tx.send(2).unwrap();
    rx.mark_unchanged();
    assert_eq!(rx.has_changed(), Ok(false));

    // After the sender is gone, `mark_changed` still yields one more `Ok`.
    drop(tx);
    assert!(rx.has_changed().is_err());
    rx.mark_changed();
    assert_eq!(block_on(rx.changed()), Ok(()));
    assert!(block_on(rx.changed()).is_err());
}

#[test]
fn clone_starts_with_the_same_seen_version() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(1).unwrap();
    let unseen = rx.clone();
    assert_eq!(unseen.has_changed(), Ok(true));
    rx.mark_unchanged();
    let seen = rx.clone();
    assert_eq!(seen.has_changed(), Ok(false));
    assert!(seen.same_channel(&unseen));
    let (_other_tx, other) = watch::channel(0);
    assert!(!seen.same_channel(&other));
}

#[test]
fn send_if_modified_false_notifies_nobody() {
    let (tx, mut rx) = watch::channel(5);
    let (count, waker) = counting_waker();
    {
        let mut changed = pin!(rx.changed());
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
        assert!(!tx.send_if_modified(|n| {
            *n = 6; // changed, but not announced
            false
        }));
        assert_eq!(wakes(&count), 0);
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
    }
    assert_eq!(*rx.borrow(), 6);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn panic_in_send_modify_notifies_nobody_and_keeps_the_partial_change() {
    let (tx, rx) = watch::channel(vec![1]);
    let tx = std::panic::AssertUnwindSafe(tx);
    let result = std::panic::catch_unwind(|| {
        tx.send_modify(|list| {
            list.push(2);
            panic!("boom");
        })
    });
    assert!(result.is_err());
    assert_eq!(rx.has_changed(), Ok(false));
    assert_eq!(*rx.borrow(), [1, 2]);
    // The lock was released: the channel still works.
    tx.send(vec![3]).unwrap();
    assert_eq!(rx.has_changed(), Ok(true));
}

#[test]
fn each_send_wakes_a_waiting_receiver_once() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    for i in 1..=3 {
        let mut changed = pin!(rx.changed());
        // Polled twice with the same waker: stored once.
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
        tx.send(i).unwrap();
        assert_eq!(wakes(&count), i);
        assert_eq!(poll_once(changed.as_mut(), &waker), Poll::Ready(Ok(())));
    }
    // Nobody waits now: a send wakes nothing.
    tx.send(4).unwrap();
    assert_eq!(wakes(&count), 3);
}

#[test]
fn a_send_wakes_every_waiting_receiver() {
    let (tx, rx) = watch::channel(0);
    let mut receivers: Vec<Receiver<i32>> = (0..100).map(|_| rx.clone()).collect();
    let (count, waker) = counting_waker();
    let mut futures: Vec<_> = receivers.iter_mut().map(|rx| Box::pin(rx.changed())).collect();
    for changed in &mut futures {
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
    }
    tx.send(1).unwrap();
    assert_eq!(wakes(&count), 100);
    for changed in &mut futures {
        assert_eq!(poll_once(changed.as_mut(), &waker), Poll::Ready(Ok(())));
    }
}

#[test]
fn a_new_waker_replaces_the_old_one() {
    let (tx, mut rx) = watch::channel(0);
    let (old, old_waker) = counting_waker();
    let (new, new_waker) = counting_waker();
    let mut changed = pin!(rx.changed());
    assert!(poll_once(changed.as_mut(), &old_waker).is_pending());
    assert!(poll_once(changed.as_mut(), &new_waker).is_pending());
    tx.send(1).unwrap();
    assert_eq!((wakes(&old), wakes(&new)), (0, 1));
}

#[test]
fn changed_is_cancel_safe() {
    let (tx, mut rx) = watch::channel(0);
    let (_, waker) = counting_waker();
    {
        let mut changed = pin!(rx.changed());
        assert!(poll_once(changed.as_mut(), &waker).is_pending());
    }
    tx.send(1).unwrap();
    // The dropped future did not consume the change.
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(poll_once(pin!(rx.changed()), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn a_dropped_receiver_releases_its_waker() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    assert!(poll_once(pin!(rx.changed()), &waker).is_pending());
    drop(waker);
    assert_eq!(Arc::strong_count(&count), 2);
    drop(rx);
    assert_eq!(Arc::strong_count(&count), 1);
    assert!(tx.send(1).is_err());
}

#[test]
fn many_updates_coalesce() {
    let (tx, mut rx) = watch::channel(0);
    for i in 1..=1_000 {
        tx.send(i).unwrap();
    }
    block_on(rx.changed()).unwrap();
    assert_eq!(*rx.borrow(), 1_000);
    assert_eq!(rx.has_changed(), Ok(false));
    let (_, waker) = counting_waker();
    assert!(poll_once(pin!(rx.changed()), &waker).is_pending());
}

#[test]
fn wait_for_checks_the_current_value_first() {
    let (_tx, mut rx) = watch::channel(3);
    let value = block_on(rx.wait_for(|n| *n == 3)).unwrap();
    // Already seen (the initial value), and returned without waiting.
    assert_eq!((*value, value.has_changed()), (3, false));
}

#[test]
fn wait_for_skips_values_until_the_predicate_holds() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    let mut calls = Vec::new();
    {
        let mut wait = pin!(rx.wait_for(|n| {
            calls.push(*n);
            *n >= 2
        }));
        assert!(poll_once(wait.as_mut(), &waker).is_pending());
        tx.send(1).unwrap();
        assert!(poll_once(wait.as_mut(), &waker).is_pending());
        tx.send(2).unwrap();
        assert_eq!(wakes(&count), 2);
        match poll_once(wait.as_mut(), &waker) {
            Poll::Ready(Ok(value)) => assert_eq!((*value, value.has_changed()), (2, true)),
            other => panic!("expected the value, got {:?}", other.map(|r| r.map(|v| *v))),
        }
    }
    assert_eq!(calls, [0, 1, 2]);
    assert_eq!(rx.has_changed(), Ok(false));
}

#[test]
fn wait_for_after_close() {
    let (tx, mut rx) = watch::channel(0);
    tx.send(7).unwrap();
    drop(tx);
    // The unseen last value is still checked.
    assert_eq!(*block_on(rx.wait_for(|n| *n == 7)).unwrap(), 7);
    // It satisfies the predicate even once seen.
    assert_eq!(*block_on(rx.wait_for(|n| *n == 7)).unwrap(), 7);
    // A predicate the last value fails can never hold.
    let mut calls = 0;
    let result = block_on(rx.wait_for(|_| {
        calls += 1;
        false
    }));
    assert!(result.is_err());
    assert_eq!(calls, 1);
}

#[test]
fn changed_spends_coop_budget() {
    let (tx, mut rx) = watch::channel(0);
    let (count, waker) = counting_waker();
    rt_core::coop::with_budget(|| {
        for i in 1..=u32::from(rt_core::coop::INITIAL_BUDGET) {
            tx.send(i).unwrap();
            assert_eq!(poll_once(pin!(rx.changed()), &waker), Poll::Ready(Ok(())));
        }
        tx.send(0).unwrap();
        // Out of budget: pending although a change is there, and the task is woken to
        // run again later.
        assert!(poll_once(pin!(rx.changed()), &waker).is_pending());
        assert_eq!(wakes(&count), 1);
        assert_eq!(rx.has_changed(), Ok(true));
    });
    // A fresh budget (or none, outside a task): ready.
    assert_eq!(poll_once(pin!(rx.changed()), &waker), Poll::Ready(Ok(())));
}

#[test]
fn pending_changed_gives_its_budget_back() {
    let (_tx, mut rx) = watch::channel(0);
    let (_, waker) = counting_waker();
    rt_core::coop::with_budget(|| {
        for _ in 0..1_000 {
            assert!(poll_once(pin!(rx.changed()), &waker).is_pending());
        }
        assert!(rt_core::coop::has_budget_remaining());
    });
}

#[test]
fn debug_does_not_lock_the_value() {
    let (tx, rx) = watch::channel(0);
    let _held = rx.borrow();
    assert!(format!("{tx:?}").starts_with("Sender"));
    assert!(format!("{rx:?}").starts_with("Receiver"));
}

#[test]
#[cfg_attr(
    miri,
    ignore = "parking_lot's contended lock path casts integers to pointers, which -Zmiri-strict-provenance rejects"
)]
fn receivers_on_threads_see_the_last_value() {
    const SENDS: u64 = if cfg!(miri) { 200 } else { 10_000 };
    let (tx, rx) = watch::channel(0u64);
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let mut rx = rx.clone();
            thread::spawn(move || {
                block_on(async move {
                    let mut last = 0;
                    let mut changes = 0u64;
                    while rx.changed().await.is_ok() {
                        let value = *rx.borrow_and_update();
                        assert!(value > last, "values go forward: {value} after {last}");
                        last = value;
                        changes += 1;
                    }
                    (last, changes)
                })
            })
        })
        .collect();
    drop(rx);
    let sender = thread::spawn(move || {
        for i in 1..=SENDS {
            tx.send(i).unwrap();
        }
    });
    sender.join().unwrap();
    for reader in readers {
        let (last, changes) = reader.join().unwrap();
        assert_eq!(last, SENDS);
        assert!(changes <= SENDS);
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "parking_lot's contended lock path casts integers to pointers, which -Zmiri-strict-provenance rejects"
)]
fn closed_across_threads() {
    let (tx, rx) = watch::channel(());
    let receivers: Vec<_> = (0..8).map(|_| rx.clone()).collect();
    drop(rx);
    let droppers: Vec<_> = receivers
        .into_iter()
        .map(|rx| thread::spawn(move || drop(rx)))
        .collect();
    block_on(tx.closed());
    assert!(tx.is_closed());
    for dropper in droppers {
        dropper.join().unwrap();
    }
}

#[test]
#[cfg_attr(
    miri,
    ignore = "parking_lot's contended lock path casts integers to pointers, which -Zmiri-strict-provenance rejects"
)]
fn wait_for_across_threads() {
    let (tx, mut rx) = watch::channel(0);
    let tx: Arc<Sender<i32>> = Arc::new(tx);
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for _ in 0..250 {
                    tx.send_modify(|n| *n += 1);
                }
            })
        })
        .collect();
    assert_eq!(*block_on(rx.wait_for(|n| *n == 1_000)).unwrap(), 1_000);
    for sender in senders {
        sender.join().unwrap();
    }
}
