//! Loom models of `mpsc`'s receiver drop racing a send, while another sender keeps the
//! channel alive: a message is either handed back to its sender or dropped by the
//! receiver's drop, never left in the channel until the last sender goes. (Before the
//! receiver's drop waited for messages still being written, a send whose index was
//! claimed before the close but written after the drain stayed there: a reply channel
//! inside it then never closed, and `svc-buffer`'s callers could wait forever.)
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core
//! --test loom_sync_mpsc_rx_drop`.
#![cfg(loom)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use loom::thread;
use rt_core::sync::mpsc;

/// A value that counts its drops (bookkeeping outside the model: `std` atomics).
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A bounded `try_send` racing the receiver's drop.
#[test]
fn bounded_send_racing_receiver_drop() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel(1);
        let keep_alive = tx.clone();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(tx.try_send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1, "the message outlived the receiver");
        drop(keep_alive);
    });
}

/// A send through a permit reserved before the receiver's drop.
#[test]
fn reserved_send_racing_receiver_drop() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel(1);
        let permit = tx.clone().try_reserve_owned().unwrap();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(permit.send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1, "the message outlived the receiver");
        drop(tx);
    });
}

/// An unbounded send racing the receiver's drop.
#[test]
fn unbounded_send_racing_receiver_drop() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::unbounded_channel();
        let keep_alive = tx.clone();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || drop(tx.send(value)));
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1, "the message outlived the receiver");
        drop(keep_alive);
    });
}
