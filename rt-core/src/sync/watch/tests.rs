//! Unit tests of the channel's internals (slot reuse, version arithmetic), small enough
//! to run under Miri, which checks the waker handling and the threads for UB.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::shared::{State, Version, CLOSED, STEP};
use super::{channel, Receiver};

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

fn poll_changed(rx: &mut Receiver<u32>, waker: &Waker) -> Poll<Result<(), super::RecvError>> {
    pin!(rx.changed()).poll(&mut Context::from_waker(waker))
}

/// A sender, a `closed` future and a `wait_for` future driven by hand: the waiter
/// slots of both sets are taken, woken and released.
#[test]
fn closed_and_wait_for_by_hand() {
    let (tx, mut rx) = channel(0u32);
    let (count, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    {
        let mut closed = pin!(tx.closed());
        assert!(closed.as_mut().poll(&mut cx).is_pending());
        {
            let mut wait = pin!(rx.wait_for(|n| *n == 2));
            assert!(wait.as_mut().poll(&mut cx).is_pending());
            tx.send(1).unwrap();
            assert!(wait.as_mut().poll(&mut cx).is_pending());
            tx.send(2).unwrap();
            assert!(matches!(wait.as_mut().poll(&mut cx), Poll::Ready(Ok(ref v)) if **v == 2));
        }
        assert_eq!(tx.shared.closed.slots(), (1, 0));
        drop(rx);
        assert!(closed.as_mut().poll(&mut cx).is_ready());
    }
    // Two sends and the last receiver's drop.
    assert_eq!(count.0.load(SeqCst), 3);
    // The `closed` future gave its slot back when dropped.
    assert_eq!(tx.shared.closed.slots(), (1, 1));
    assert_eq!(tx.shared.changed.slots(), (1, 1));
}

#[test]
fn state_packs_version_and_closed_bit() {
    let state = State((3 * STEP) | CLOSED);
    assert!(state.is_closed());
    assert_eq!(state.version(), State(3 * STEP).version());
    assert!(!State(3 * STEP).is_closed());
    // The sentinel differs from every real version, closed or not.
    assert_ne!(Version::UNSEEN, State(0).version());
    assert_ne!(Version::UNSEEN, State(CLOSED).version());
}

#[test]
fn a_receiver_takes_one_slot_and_gives_it_back() {
    let (tx, mut rx) = channel(0u32);
    let (count, waker) = counting_waker();
    for i in 1..=3 {
        assert!(poll_changed(&mut rx, &waker).is_pending());
        tx.send(i).unwrap();
        assert_eq!(poll_changed(&mut rx, &waker), Poll::Ready(Ok(())));
    }
    assert_eq!(count.0.load(SeqCst), 3);
    assert_eq!(tx.shared.changed.slots(), (1, 0));
    let mut clone = rx.clone();
    drop(rx);
    assert_eq!(tx.shared.changed.slots(), (1, 1));
    // The clone reuses the freed slot.
    assert!(poll_changed(&mut clone, &waker).is_pending());
    assert_eq!(tx.shared.changed.slots(), (1, 0));
    drop(tx);
    assert_eq!(
        poll_changed(&mut clone, &waker),
        Poll::Ready(Err(super::RecvError::new()))
    );
}

#[test]
#[cfg_attr(
    miri,
    ignore = "parking_lot's contended lock path casts integers to pointers, which -Zmiri-strict-provenance rejects"
)]
fn waiting_receivers_on_threads() {
    let (tx, rx) = channel(0u32);
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let mut rx = rx.clone();
            std::thread::spawn(move || {
                futures::executor::block_on(async move { *rx.wait_for(|n| *n == 20).await.unwrap() })
            })
        })
        .collect();
    drop(rx);
    for i in 1..=20 {
        tx.send_modify(|n| *n = i);
    }
    for reader in readers {
        assert_eq!(reader.join().unwrap(), 20);
    }
    futures::executor::block_on(tx.closed());
}
