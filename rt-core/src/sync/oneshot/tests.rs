//! Unit tests of the slot protocol, small enough for Miri: every path that touches a
//! slot through `unsafe`, single-threaded and across threads.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{channel, error::TryRecvError};

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counted() -> (Counted, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    (Counted(drops.clone()), drops)
}

fn noop() -> Waker {
    futures::task::noop_waker()
}

#[test]
fn value_drops_once_on_every_path() {
    // Received.
    let (tx, rx) = channel();
    let (value, drops) = counted();
    tx.send(value).map_err(drop).unwrap();
    drop(futures::executor::block_on(rx));
    assert_eq!(drops.load(SeqCst), 1);
    // Left in the channel when the receiver goes.
    let (tx, rx) = channel();
    let (value, drops) = counted();
    tx.send(value).map_err(drop).unwrap();
    drop(rx);
    assert_eq!(drops.load(SeqCst), 1);
    // Handed back by a failed send.
    let (tx, rx) = channel();
    let (value, drops) = counted();
    drop(rx);
    drop(tx.send(value).unwrap_err());
    assert_eq!(drops.load(SeqCst), 1);
    // Sent, then the receiver closed and dropped.
    let (tx, mut rx) = channel();
    let (value, drops) = counted();
    tx.send(value).map_err(drop).unwrap();
    rx.close();
    drop(rx);
    assert_eq!(drops.load(SeqCst), 1);
}

#[test]
fn wakers_are_replaced_and_freed() {
    let (mut tx, rx) = channel::<u8>();
    let mut rx = pin!(rx);
    let first = futures::task::noop_waker();
    let (counter, second) = counting_waker();
    assert!(rx.as_mut().poll(&mut Context::from_waker(&first)).is_pending());
    assert!(rx.as_mut().poll(&mut Context::from_waker(&second)).is_pending());
    assert!(tx.poll_closed(&mut Context::from_waker(&first)).is_pending());
    assert!(tx.poll_closed(&mut Context::from_waker(&second)).is_pending());
    tx.send(1).unwrap();
    assert_eq!(counter.load(SeqCst), 1);
    assert_eq!(rx.poll(&mut Context::from_waker(&noop())), Poll::Ready(Ok(1)));
}

fn counting_waker() -> (Arc<AtomicUsize>, Waker) {
    struct Count(Arc<AtomicUsize>);
    impl std::task::Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let count = Arc::new(AtomicUsize::new(0));
    (count.clone(), Waker::from(Arc::new(Count(count))))
}

#[test]
fn send_and_receive_across_threads() {
    for round in 0..20 {
        let (tx, rx) = channel();
        let (value, drops) = counted();
        let sender = std::thread::spawn(move || tx.send(value).is_ok());
        if round % 2 == 0 {
            drop(rx.blocking_recv().ok());
        } else {
            drop(rx);
        }
        let _ = sender.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    }
}

#[test]
fn closed_across_threads() {
    let (mut tx, mut rx) = channel::<u8>();
    let closer = std::thread::spawn(move || {
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        rx.close();
        rx
    });
    futures::executor::block_on(tx.closed());
    assert!(tx.is_closed());
    drop(closer.join().unwrap());
}
