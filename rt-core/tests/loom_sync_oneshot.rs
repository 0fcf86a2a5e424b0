//! Loom models of `oneshot`: every pair of racing operations on the two halves, checking
//! that the value is delivered or handed back, dropped exactly once, and that a waiting
//! side is always woken (a lost wake-up leaves `block_on` parked: loom reports a
//! deadlock).
//!
//! Each model records which way each race went and asserts afterwards that loom
//! explored every way (`model_covering`); see `sync_support2::spawn` for the loom
//! limitation this guards against.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core --test loom_sync_oneshot`.
#![cfg(loom)]

mod sync_support2;

use std::pin::pin;
use std::sync::atomic::Ordering::SeqCst;
use std::task::Poll;

use rt_core::sync::oneshot::{self, error::TryRecvError};
use sync_support2::{block_on_first, model_covering, poll_noop, spawn, Counted};

fn first_poll(ready: bool) -> &'static str {
    if ready {
        "ready at once"
    } else {
        "woken"
    }
}

/// Send racing the receiver's drop: the value is dropped exactly once, by the receiver
/// (sent first) or by the sender's caller (`send` gave it back).
#[test]
fn send_racing_receiver_drop() {
    model_covering(&["sent", "refused"], |outcomes| {
        let (tx, rx) = oneshot::channel();
        let (value, drops) = Counted::new(1);
        let sender = spawn(move || tx.send(value).is_ok());
        drop(rx);
        outcomes.record(if sender.join().unwrap() { "sent" } else { "refused" });
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// Send racing a receiver that polls (registering its waker) and parks: it always gets
/// the value.
#[test]
fn send_racing_recv() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let (tx, rx) = oneshot::channel();
        let (value, drops) = Counted::new(7);
        let sender = spawn(move || tx.send(value).map_err(|_| ()).unwrap());
        let (got, at_once) = block_on_first(rx);
        outcomes.record(first_poll(at_once));
        assert_eq!(got.unwrap().value, 7);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// The receiver changes its waker (a second poll from a different "task") while the
/// value is sent: the new waker is the one woken.
#[test]
fn send_racing_waker_change() {
    model_covering(&["first poll", "second poll", "woken"], |outcomes| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = spawn(move || tx.send(3).unwrap());
        let mut rx = pin!(rx);
        match poll_noop(rx.as_mut()) {
            Poll::Ready(got) => {
                outcomes.record("first poll");
                assert_eq!(got, Ok(3));
            }
            Poll::Pending => {
                let (got, at_once) = block_on_first(rx);
                outcomes.record(if at_once { "second poll" } else { "woken" });
                assert_eq!(got, Ok(3));
            }
        }
        sender.join().unwrap();
    });
}

/// Dropping the sender without sending wakes a waiting receiver with an error.
#[test]
fn sender_drop_racing_recv() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let (tx, rx) = oneshot::channel::<u32>();
        let dropper = spawn(move || drop(tx));
        let (got, at_once) = block_on_first(rx);
        outcomes.record(first_poll(at_once));
        assert!(got.is_err());
        dropper.join().unwrap();
    });
}

/// `closed()` racing the receiver's drop: the waiting sender is woken.
#[test]
fn closed_racing_receiver_drop() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let (mut tx, rx) = oneshot::channel::<u32>();
        let dropper = spawn(move || drop(rx));
        let ((), at_once) = block_on_first(tx.closed());
        outcomes.record(first_poll(at_once));
        assert!(tx.is_closed());
        assert_eq!(tx.send(1), Err(1));
        dropper.join().unwrap();
    });
}

/// `closed()` registers, then re-registers with a new waker, while the receiver closes.
#[test]
fn closed_waker_change_racing_close() {
    model_covering(&["first poll", "second poll", "woken"], |outcomes| {
        let (mut tx, mut rx) = oneshot::channel::<u32>();
        let closer = spawn(move || {
            rx.close();
            rx
        });
        let first = poll_noop(pin!(tx.closed())).is_ready();
        if first {
            outcomes.record("first poll");
        } else {
            let ((), at_once) = block_on_first(tx.closed());
            outcomes.record(if at_once { "second poll" } else { "woken" });
        }
        assert!(tx.is_closed());
        drop(closer.join().unwrap());
    });
}

/// `try_recv` racing a send: `Empty` or the value, never `Closed`; the value arrives
/// exactly once.
#[test]
fn try_recv_racing_send() {
    model_covering(&["empty", "value"], |outcomes| {
        let (tx, mut rx) = oneshot::channel();
        let (value, drops) = Counted::new(5);
        let sender = spawn(move || tx.send(value).map_err(|_| ()).unwrap());
        let got = match rx.try_recv() {
            Ok(got) => {
                outcomes.record("value");
                got
            }
            Err(e) => {
                outcomes.record("empty");
                assert_eq!(e, TryRecvError::Empty);
                sender.join().unwrap();
                rx.try_recv().expect("sent and joined")
            }
        };
        assert_eq!(got.value, 5);
        assert_eq!(rx.try_recv().unwrap_err(), TryRecvError::Closed);
        drop(got);
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// `close` racing a send: either the send succeeds and the value is still received after
/// the close, or the send hands it back. Dropped once either way.
#[test]
fn close_racing_send() {
    model_covering(&["sent", "refused"], |outcomes| {
        let (tx, mut rx) = oneshot::channel();
        let (value, drops) = Counted::new(9);
        let sender = spawn(move || tx.send(value).is_ok());
        rx.close();
        let received = rx.try_recv();
        if sender.join().unwrap() {
            outcomes.record("sent");
            // The send came before the close: its value is still there.
            assert_eq!(received.expect("value sent before the close").value, 9);
        } else {
            outcomes.record("refused");
            assert_eq!(received.unwrap_err(), TryRecvError::Closed);
        }
        drop(rx);
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// A receiver that registered a waker is dropped while the sender sends: the value is
/// dropped once and the stored waker freed (loom checks for leaks).
#[test]
fn registered_receiver_drop_racing_send() {
    model_covering(&["sent", "refused"], |outcomes| {
        let (tx, rx) = oneshot::channel();
        let (value, drops) = Counted::new(2);
        let mut rx = Box::pin(rx);
        let sender = spawn(move || tx.send(value).is_ok());
        let early = poll_noop(rx.as_mut());
        drop(rx);
        outcomes.record(if sender.join().unwrap() { "sent" } else { "refused" });
        drop(early);
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// `blocking_recv` on a loom thread racing the send (it parks with the crate's own
/// thread-parking waker).
#[test]
fn blocking_recv_racing_send() {
    model_covering(&[], |_| {
        let (tx, rx) = oneshot::channel::<u32>();
        let sender = spawn(move || tx.send(4).unwrap());
        assert_eq!(rx.blocking_recv(), Ok(4));
        sender.join().unwrap();
    });
}
