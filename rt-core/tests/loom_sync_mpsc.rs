//! Loom models of `mpsc`: concurrent senders into a channel of capacity 1, sends racing
//! `close`, a dropped permit or an aborted `PollSender` reservation handing its slot to
//! a waiting sender, the receiver's drop racing a blocked send, unbounded traffic, a
//! stalled sender walking a block the others moved past, `try_recv` racing a send, and
//! the wake-ups of `closed()` and of the last sender leaving.
//!
//! The models check that each message arrives exactly once, in its sender's order,
//! and that values handed back or dropped are dropped exactly once. A lost wake-up
//! leaves a `block_on` waiting forever, which loom reports as a deadlock. Blocks hold
//! two messages under loom, so models that send three or more cross block boundaries
//! (growing, releasing and recycling blocks).
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core
//! --test loom_sync_mpsc`.
#![cfg(loom)]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};

use loom::thread;
use rt_core::loom::sync::{Condvar, Mutex};
use rt_core::sync::mpsc::{self, PollSender};

/// Drives `future` on the current loom thread, waiting on a flag and a condition
/// variable between polls. Unlike a waker that unparks the thread, this one stays safe
/// to wake after `block_on` returned (the channel may keep it registered).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Signal {
        woken: Mutex<bool>,
        condvar: Condvar,
    }

    impl Wake for Signal {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            *self.woken.lock() = true;
            self.condvar.notify_one();
        }
    }

    let signal = std::sync::Arc::new(Signal {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let mut woken = signal.woken.lock();
        while !*woken {
            woken = signal.condvar.wait(woken);
        }
        *woken = false;
    }
}

/// A context whose waker does nothing.
fn noop_cx() -> Context<'static> {
    Context::from_waker(futures::task::noop_waker_ref())
}

/// A value that counts its drops (bookkeeping outside the model: `std` atomics).
struct Counted(std::sync::Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Two senders share a channel of capacity 1: one sends twice (waiting for the slot),
/// the other tries once without waiting. Every message sent arrives once, in its
/// sender's order, and the refused one is handed back.
#[test]
fn two_senders_capacity_one() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let tx2 = tx.clone();
        let a = thread::spawn(move || {
            block_on(tx.send((0, 0))).unwrap();
            block_on(tx.send((0, 1))).unwrap();
        });
        let b = thread::spawn(move || match tx2.try_send((1, 0)) {
            Ok(()) => true,
            Err(e) => {
                assert!(e.is_full());
                assert_eq!(e.into_inner(), (1, 0));
                false
            }
        });
        // `b` never waits, so joining it first cannot deadlock.
        let b_sent = usize::from(b.join().unwrap());
        let mut next = [0, 0];
        for _ in 0..2 + b_sent {
            let (sender, seq) = block_on(rx.recv()).unwrap();
            assert_eq!(next[sender], seq, "out of order or duplicated");
            next[sender] += 1;
        }
        a.join().unwrap();
        assert_eq!(next, [2, b_sent]);
        assert!(rx.try_recv().unwrap_err().is_disconnected(), "nothing more");
    });
}

/// One sender sends three messages through a channel of capacity 1, waiting for each
/// slot, across a block boundary: they arrive in order, then `None`.
#[test]
fn sender_waits_across_blocks() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let sender = thread::spawn(move || {
            for i in 0..3 {
                block_on(tx.send(i)).unwrap();
            }
        });
        for i in 0..3 {
            assert_eq!(block_on(rx.recv()), Some(i));
        }
        assert_eq!(block_on(rx.recv()), None);
        sender.join().unwrap();
    });
}

/// An unbounded send racing the receiver's `close`: the message is either received
/// (sent first) or handed back, never both or neither; `recv` then ends.
#[test]
fn unbounded_send_racing_close() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let sender = thread::spawn(move || {
            let first = tx.send(1).is_ok();
            let second = tx.send(2).is_ok();
            assert!(first || !second, "a send after a failed one succeeded");
            (first, second)
        });
        rx.close();
        let mut got = Vec::new();
        while let Some(v) = block_on(rx.recv()) {
            got.push(v);
        }
        let (first, second) = sender.join().unwrap();
        let expected: Vec<i32> = [(first, 1), (second, 2)]
            .into_iter()
            .filter(|(ok, _)| *ok)
            .map(|(_, v)| v)
            .collect();
        assert_eq!(got, expected);
    });
}

/// A bounded send racing `close` while a permit taken before the close is still out:
/// the permit's message is delivered, the racing send is received or refused, and
/// `recv` returns `None` only after both.
#[test]
fn bounded_send_racing_close_with_permit_out() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let permit = tx.clone().try_reserve_owned().unwrap();
        let sender = thread::spawn(move || block_on(tx.send(1)).is_ok());
        let holder = thread::spawn(move || drop(permit.send(2)));
        rx.close();
        let mut got = Vec::new();
        while let Some(v) = block_on(rx.recv()) {
            got.push(v);
        }
        let sent = sender.join().unwrap();
        holder.join().unwrap();
        got.sort_unstable();
        assert_eq!(got, if sent { vec![1, 2] } else { vec![2] });
    });
}

/// A permit dropped unused after `close` wakes the receiver waiting for it.
#[test]
fn dropped_permit_after_close_ends_recv() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let permit = tx.clone().try_reserve_owned().unwrap();
        rx.close();
        let holder = thread::spawn(move || drop(permit.release()));
        // `tx` stays alive: only the permit coming back can end `recv`.
        assert_eq!(block_on(rx.recv()), None);
        holder.join().unwrap();
        drop(tx);
    });
}

/// A dropped permit hands its slot to a sender waiting for it.
#[test]
fn dropped_permit_serves_waiting_sender() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let permit_tx = tx.clone();
        let permit = permit_tx.try_reserve().unwrap();
        let sender = thread::spawn(move || block_on(tx.send(7)).unwrap());
        drop(permit);
        assert_eq!(block_on(rx.recv()), Some(7));
        sender.join().unwrap();
        assert_eq!(permit_tx.capacity(), 1);
    });
}

/// The receiver's drop racing a sender blocked on a full channel (after the receiver
/// took one message, which may free the slot first): the send either succeeds or gets
/// its value back, and every value is dropped exactly once.
#[test]
fn receiver_drop_racing_blocked_send() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(Counted(drops.clone())).unwrap();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || match block_on(tx.send(value)) {
            Ok(()) => true,
            Err(err) => {
                drop(err.into_inner());
                false
            }
        });
        drop(rx.try_recv().unwrap());
        drop(rx);
        let _sent = sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 2, "a value lost or dropped twice");
    });
}

/// A `PollSender` queued for a slot aborts while another sender waits behind it: the
/// slot freed for it goes to the other sender.
#[test]
fn poll_sender_abort_racing_sender() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        tx.try_send(0).unwrap();
        let mut poll_sender = PollSender::new(tx.clone());
        assert!(
            poll_sender.poll_reserve(&mut noop_cx()).is_pending(),
            "the channel is full"
        );
        let sender = thread::spawn(move || block_on(tx.send(1)).unwrap());
        assert_eq!(block_on(rx.recv()), Some(0));
        assert!(poll_sender.abort_send());
        assert_eq!(block_on(rx.recv()), Some(1));
        sender.join().unwrap();
        drop(poll_sender);
        assert_eq!(block_on(rx.recv()), None);
    });
}

/// A `PollSender` holding a reservation aborts while another sender waits: the waiting
/// sender gets the slot.
#[test]
fn poll_sender_abort_reserved_serves_waiter() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let mut poll_sender = PollSender::new(tx.clone());
        assert_eq!(poll_sender.poll_reserve(&mut noop_cx()), Poll::Ready(Ok(())));
        let sender = thread::spawn(move || block_on(tx.send(1)).unwrap());
        assert!(poll_sender.abort_send());
        assert_eq!(block_on(rx.recv()), Some(1));
        sender.join().unwrap();
    });
}

/// Unbounded traffic from two threads (three messages, across a block boundary): all
/// arrive, in per-sender order, then `None`.
#[test]
fn unbounded_two_threads() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        let a = thread::spawn(move || {
            tx.send((0, 0)).unwrap();
            tx.send((0, 1)).unwrap();
        });
        let b = thread::spawn(move || tx2.send((1, 0)).unwrap());
        let mut next = [0, 0];
        while let Some((sender, seq)) = block_on(rx.recv()) {
            assert_eq!(next[sender], seq);
            next[sender] += 1;
        }
        assert_eq!(next, [2, 1]);
        a.join().unwrap();
        b.join().unwrap();
    });
}

/// A sender that claimed an index and is still walking the block list while others
/// fill later blocks: the block it walks through is not recycled under it (the
/// receiver waits for the block's release index), so its message arrives.
#[test]
fn stalled_sender_keeps_block_alive() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        // Fill the first block; the next claims walk from it.
        tx.send(0).unwrap();
        tx.send(1).unwrap();
        let tx2 = tx.clone();
        let stalled = thread::spawn(move || tx2.send(10).unwrap());
        // Claims past the next block move the list's tail hint past the first block.
        tx.send(20).unwrap();
        tx.send(21).unwrap();
        drop(tx);
        let mut got = Vec::new();
        while let Some(v) = block_on(rx.recv()) {
            got.push(v);
        }
        stalled.join().unwrap();
        assert_eq!(&got[..2], [0, 1]);
        got.sort_unstable();
        assert_eq!(got, [0, 1, 10, 20, 21]);
    });
}

/// `try_recv` racing a send: it returns the message or `Empty`, never loses it, and a
/// message whose send is half done is waited for (not reported as missing).
#[test]
fn try_recv_racing_send() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let sender = thread::spawn(move || tx.send(1).unwrap());
        let first = rx.try_recv();
        let got = match first {
            Ok(v) => v,
            Err(e) => {
                assert!(e.is_empty());
                block_on(rx.recv()).unwrap()
            }
        };
        assert_eq!(got, 1);
        sender.join().unwrap();
        assert!(rx.try_recv().unwrap_err().is_disconnected());
    });
}

/// A sender waiting in `closed()` is woken by the receiver's drop, which also drops the
/// buffered messages exactly once.
#[test]
fn closed_wakes_on_receiver_drop() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(Counted(drops.clone())).unwrap();
        let waiter = {
            let tx = tx.clone();
            thread::spawn(move || {
                block_on(tx.closed());
                assert!(tx.is_closed());
            })
        };
        drop(rx);
        waiter.join().unwrap();
        assert!(tx.send(Counted(drops.clone())).is_err());
        assert_eq!(drops.load(SeqCst), 2);
    });
}

/// The last sender leaving (from another thread) wakes a receiver waiting on an empty
/// channel.
#[test]
fn last_sender_drop_wakes_receiver() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let tx2 = tx.clone();
        let dropper = thread::spawn(move || drop(tx2));
        drop(tx);
        assert_eq!(block_on(rx.recv()), None);
        dropper.join().unwrap();
    });
}
