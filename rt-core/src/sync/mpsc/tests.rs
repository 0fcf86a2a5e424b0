//! Unit tests of the channel internals: drop accounting, block recycling, permits and
//! the poll-based reservation. They run under Miri (with strict provenance); the
//! threaded ones that may take the semaphore's lock are skipped there (see
//! `threaded_bounded`).

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::block::BLOCK_CAP;
use super::*;

/// A value that counts its drops.
#[derive(Debug)]
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counted() -> (Arc<AtomicUsize>, impl Fn() -> Counted) {
    let drops = Arc::new(AtomicUsize::new(0));
    let make = {
        let drops = drops.clone();
        move || Counted(drops.clone())
    };
    (drops, make)
}

/// A waker that counts its wakes.
struct WakeCount(AtomicUsize);

impl Wake for WakeCount {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn waker() -> (Arc<WakeCount>, Waker) {
    let count = Arc::new(WakeCount(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}

fn poll<F: Future>(future: std::pin::Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

#[test]
fn unbounded_fifo_over_many_blocks() {
    let (tx, mut rx) = unbounded_channel();
    for round in 0..4 {
        for i in 0..BLOCK_CAP * 5 + round {
            tx.send(i).unwrap();
        }
        for i in 0..BLOCK_CAP * 5 + round {
            assert_eq!(rx.try_recv().unwrap(), i);
        }
        assert!(rx.try_recv().unwrap_err().is_empty());
    }
}

#[test]
fn receiver_drop_drops_buffered_values_once() {
    let (drops, make) = counted();
    let (tx, rx) = unbounded_channel();
    for _ in 0..BLOCK_CAP + 3 {
        tx.send(make()).unwrap();
    }
    drop(rx);
    assert_eq!(drops.load(SeqCst), BLOCK_CAP + 3);
    let err = tx.send(make()).unwrap_err();
    assert_eq!(drops.load(SeqCst), BLOCK_CAP + 3, "handed back, not dropped");
    drop(err);
    drop(tx);
    assert_eq!(drops.load(SeqCst), BLOCK_CAP + 4);
}

#[test]
fn channel_drop_drops_unreceived_values() {
    let (drops, make) = counted();
    let (tx, mut rx) = channel(BLOCK_CAP * 3);
    for _ in 0..BLOCK_CAP * 2 {
        tx.try_send(make()).unwrap();
    }
    drop(rx.try_recv().unwrap());
    drop(tx);
    assert_eq!(drops.load(SeqCst), 1);
    drop(rx);
    assert_eq!(drops.load(SeqCst), BLOCK_CAP * 2);
}

#[test]
fn recv_wakes_on_send_and_on_last_sender_drop() {
    let (count, waker) = waker();
    let (tx, mut rx) = channel::<u32>(2);
    {
        let mut recv = pin!(rx.recv());
        assert!(poll(recv.as_mut(), &waker).is_pending());
        tx.try_send(1).unwrap();
        assert_eq!(count.0.load(SeqCst), 1);
        assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(Some(1)));
    }
    let mut recv = pin!(rx.recv());
    assert!(poll(recv.as_mut(), &waker).is_pending());
    let tx2 = tx.clone();
    drop(tx);
    assert_eq!(count.0.load(SeqCst), 1, "a sender is left");
    drop(tx2);
    assert_eq!(count.0.load(SeqCst), 2);
    assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(None));
}

#[test]
fn permits_account_for_capacity() {
    let (tx, mut rx) = channel::<u32>(3);
    let a = tx.try_reserve().unwrap();
    let many = tx.try_reserve_many(2).unwrap();
    assert_eq!(tx.capacity(), 0);
    assert!(tx.try_send(9).unwrap_err().is_full());
    drop(many);
    assert_eq!(tx.capacity(), 2);
    a.send(1);
    assert_eq!(tx.capacity(), 2, "the message holds the slot");
    assert_eq!(rx.try_recv().unwrap(), 1);
    assert_eq!(tx.capacity(), 3);
    let owned = tx.clone().try_reserve_owned().unwrap();
    assert_eq!(tx.capacity(), 2);
    drop(owned.release());
    assert_eq!(tx.capacity(), 3);
}

#[test]
fn abandoned_send_frees_its_place() {
    let (count, waker) = waker();
    let (tx, mut rx) = channel::<u32>(1);
    tx.try_send(0).unwrap();
    {
        let mut blocked = pin!(tx.send(1));
        assert!(poll(blocked.as_mut(), &waker).is_pending());
    }
    let mut second = pin!(tx.send(2));
    assert!(poll(second.as_mut(), &waker).is_pending());
    assert_eq!(rx.try_recv().unwrap(), 0);
    assert_eq!(count.0.load(SeqCst), 1, "the live waiter got the slot");
    assert_eq!(poll(second.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv().unwrap(), 2);
}

#[test]
fn bounded_close_waits_for_outstanding_permits() {
    let (count, waker) = waker();
    let (tx, mut rx) = channel::<u32>(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    assert!(tx.try_send(1).unwrap_err().is_closed());
    let mut recv = pin!(rx.recv());
    assert!(poll(recv.as_mut(), &waker).is_pending(), "a permit may still send");
    drop(permit);
    assert_eq!(count.0.load(SeqCst), 1);
    assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(None));
}

#[test]
fn bounded_close_delivers_permit_sends() {
    let (tx, mut rx) = channel::<u32>(2);
    let permit = tx.try_reserve().unwrap();
    rx.close();
    permit.send(5);
    assert_eq!(rx.try_recv().unwrap(), 5);
    assert!(rx.try_recv().unwrap_err().is_disconnected());
}

#[test]
fn poll_sender_reuses_its_node_and_aborts() {
    let (count, waker) = waker();
    let (tx, mut rx) = channel::<u32>(1);
    let mut sender = PollSender::new(tx);
    let mut cx = Context::from_waker(&waker);
    for i in 0..3 {
        assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
        sender.send_item(i).unwrap();
        // Full: wait in the queue (the boxed node is reused on each round).
        assert!(sender.poll_reserve(&mut cx).is_pending());
        assert_eq!(rx.try_recv().unwrap(), i);
        assert_eq!(count.0.load(SeqCst), i as usize + 1);
        assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
        assert!(sender.abort_send());
    }
    // Aborting while queued unlinks the node; aborting a reservation frees the slot.
    let other = sender.clone();
    assert_eq!(sender.poll_reserve(&mut cx), Poll::Ready(Ok(())));
    let mut waiting = other;
    assert!(waiting.poll_reserve(&mut cx).is_pending());
    assert!(waiting.abort_send());
    assert!(sender.abort_send());
    assert_eq!(sender.get_ref().unwrap().capacity(), 1);
    drop(waiting);
    drop(sender);
    assert!(rx.try_recv().unwrap_err().is_disconnected());
}

#[test]
fn poll_sender_drop_while_queued_unlinks() {
    let (_count, waker) = waker();
    let (tx, mut rx) = channel::<u32>(1);
    tx.try_send(0).unwrap();
    let mut sender = PollSender::new(tx.clone());
    assert!(sender.poll_reserve(&mut Context::from_waker(&waker)).is_pending());
    drop(sender);
    assert_eq!(rx.try_recv().unwrap(), 0);
    tx.try_send(1).unwrap();
}

#[test]
fn closed_future_wakes_on_receiver_drop() {
    let (count, waker) = waker();
    let (tx, rx) = unbounded_channel::<u32>();
    let mut a = pin!(tx.closed());
    let mut b = pin!(tx.closed());
    assert!(poll(a.as_mut(), &waker).is_pending());
    assert!(poll(b.as_mut(), &waker).is_pending());
    drop(rx);
    assert_eq!(count.0.load(SeqCst), 2);
    assert_eq!(poll(a.as_mut(), &waker), Poll::Ready(()));
    assert_eq!(poll(b.as_mut(), &waker), Poll::Ready(()));
    // A dropped pending future unlinks itself.
    let (tx, _rx) = channel::<u32>(1);
    let mut c = pin!(tx.closed());
    assert!(poll(c.as_mut(), &waker).is_pending());
}

#[test]
fn threaded_unbounded() {
    // No lock on this path, so it runs under Miri too (small counts there).
    let per_sender = if cfg!(miri) { 40 } else { 10_000 };
    let (tx, mut rx) = unbounded_channel();
    let senders: Vec<_> = (0..2)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..per_sender {
                    tx.send((s, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0; 2];
    while let Some((s, i)) = rx.blocking_recv() {
        assert_eq!(next[s], i, "per-sender order");
        next[s] += 1;
    }
    assert_eq!(next, [per_sender; 2]);
    for sender in senders {
        sender.join().unwrap();
    }
}

#[test]
#[cfg_attr(miri, ignore = "parking_lot's contended lock path fails strict provenance")]
fn threaded_bounded() {
    let (tx, mut rx) = channel(4);
    let senders: Vec<_> = (0..3)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..20_000 {
                    tx.blocking_send((s, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = [0; 3];
    let mut buffer = Vec::new();
    while rx.blocking_recv_many(&mut buffer, 7) > 0 {
        for (s, i) in buffer.drain(..) {
            assert_eq!(next[s], i, "per-sender order");
            next[s] += 1;
        }
    }
    assert_eq!(next, [20_000; 3]);
    for sender in senders {
        sender.join().unwrap();
    }
}
