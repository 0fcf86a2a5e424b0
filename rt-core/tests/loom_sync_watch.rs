//! Loom models of `sync::watch`: a send racing the registration of `changed`, the sender's
//! drop racing `changed`, two receivers following `send_modify`, and receivers' drops
//! racing `Sender::closed`.
//!
//! Each waiting side runs under this file's `block_on`, which blocks the loom thread on a
//! condition variable that only its waker signals: a lost wake-up shows up as a
//! deadlock.
//!
//! Not `support::block_on`: it wakes by `unpark`ing the thread, and under loom an
//! `unpark` also resumes a thread blocked in `JoinHandle::join` or on a lock. A watch
//! receiver may legitimately be woken after its `block_on` returned (its waker stays in
//! the channel until the next send), and loom then aborts with `assertion failed:
//! state.notified` inside `join`. (`loom::future::block_on` would do, but needs loom's
//! `futures` feature.)
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core --test loom_sync_watch`.
#![cfg(loom)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Wake, Waker};

use loom::thread;
use rt_core::loom::sync::{Condvar, Mutex};
use rt_core::sync::watch;

/// Drives `future` on the current loom thread, blocking it until the future's waker
/// fires.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Signal {
        woken: Mutex<bool>,
        cond: Condvar,
    }
    impl Wake for Signal {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            *self.woken.lock() = true;
            self.cond.notify_one();
        }
    }
    let signal = std::sync::Arc::new(Signal {
        woken: Mutex::new(false),
        cond: Condvar::new(),
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
            woken = signal.cond.wait(woken);
        }
        *woken = false;
    }
}

/// Two sends race a receiver that waits until it sees the second: every send that the
/// receiver has not seen wakes it, and it ends on the latest value.
#[test]
fn send_racing_changed_registration() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
            tx // keep the channel open: only the sends wake the receiver
        });
        block_on(async {
            while *rx.borrow_and_update() != 2 {
                rx.changed().await.unwrap();
            }
        });
        let tx = sender.join().unwrap();
        assert_eq!(rx.has_changed(), Ok(false));
        drop(tx);
        assert!(rx.has_changed().is_err());
    });
}

/// The sender is dropped without sending while the receiver waits: `changed` returns
/// the error instead of hanging.
#[test]
fn sender_drop_racing_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || drop(tx));
        assert!(block_on(rx.changed()).is_err());
        assert_eq!(*rx.borrow(), 0);
        sender.join().unwrap();
    });
}

/// The sender sends once and is dropped while the receiver waits: the unseen value is
/// delivered first (`Ok`), then the closed channel (`Err`).
#[test]
fn send_then_drop_racing_changed() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
        });
        block_on(async {
            rx.changed().await.unwrap();
            assert_eq!(*rx.borrow_and_update(), 1);
            assert!(rx.changed().await.is_err());
        });
        sender.join().unwrap();
    });
}

/// Two receivers on their own threads wait for two `send_modify`s. Under loom a send
/// wakes one waiter per lock acquisition, so this also covers a receiver registering
/// between the batches of one `wake_all`.
#[test]
fn two_receivers_follow_send_modify() {
    loom::model(|| {
        let (tx, rx) = watch::channel(0);
        let waiters: Vec<_> = [rx.clone(), rx]
            .into_iter()
            .map(|mut rx| {
                thread::spawn(move || {
                    block_on(async {
                        let value = rx.wait_for(|n| *n == 2).await.unwrap();
                        assert_eq!(*value, 2);
                    });
                    rx
                })
            })
            .collect();
        tx.send_modify(|n| *n += 1);
        tx.send_modify(|n| *n += 1);
        for waiter in waiters {
            let rx = waiter.join().unwrap();
            assert_eq!(rx.has_changed(), Ok(false));
        }
    });
}

/// Two receivers are dropped on two threads while the sender waits in `closed`: the last
/// drop wakes it, and afterwards `send` fails.
#[test]
fn receiver_drops_racing_closed() {
    loom::model(|| {
        let (tx, rx) = watch::channel(0);
        let droppers: Vec<_> = [rx.clone(), rx]
            .into_iter()
            .map(|rx| thread::spawn(move || drop(rx)))
            .collect();
        block_on(tx.closed());
        assert!(tx.is_closed());
        assert_eq!(tx.send(1).unwrap_err().into_inner(), 1);
        for dropper in droppers {
            dropper.join().unwrap();
        }
    });
}

/// A `changed` future is polled (registering its waker), dropped, and then awaited again
/// while a send races: the cancelled registration neither loses the change nor breaks
/// the next wait.
#[test]
fn cancelled_changed_then_wait_racing_send() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        {
            let waker = futures::task::noop_waker();
            let mut cx = Context::from_waker(&waker);
            let mut changed = Box::pin(rx.changed());
            let _ = changed.as_mut().poll(&mut cx);
        }
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx
        });
        block_on(async {
            while *rx.borrow_and_update() != 1 {
                rx.changed().await.unwrap();
            }
        });
        drop(sender.join().unwrap());
    });
}
