//! Loom models of the handle / driver protocol, on the real types: `Builder::pair`
//! gives the handle and the driver future, which the models drive on loom threads (no
//! runtime; the endpoint states, the driver's signal, the waiter list and the discovery
//! channel all come from `rt-core`'s loom shim under `--cfg loom`).
//!
//! * a removal racing a request in flight on the removed endpoint: the request is
//!   answered and the service is dropped after it, once, whatever the interleaving
//!   (the in-flight count / `removed` flag handshake and the `attention` handshake
//!   between a claiming handle and the driver);
//! * the same with the removal sent between the claim and the call (single caller);
//! * a caller waiting for a ready endpoint while the driver readies it: the caller is
//!   woken (the waiter registration / `has_waiters` handshake).
//!
//! A lost wake-up leaves a `block_on` waiting forever, which loom reports as a
//! deadlock.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p
//! svc-balance --test loom_balance`.
#![cfg(loom)]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use loom::thread;
use rt_core::loom::sync::{Arc, Condvar, Mutex};
use rt_core::sync::mpsc;
use svc_balance::{Builder, Change};
use svc_trait::{Service, ServiceExt};

/// Drives `future` on the current loom thread, waiting on a flag and a condition
/// variable between polls.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Flag {
        woken: Mutex<bool>,
        condvar: Condvar,
    }

    impl Wake for Flag {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            *self.woken.lock() = true;
            self.condvar.notify_one();
        }
    }

    let flag = std::sync::Arc::new(Flag {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let mut woken = flag.woken.lock();
        while !*woken {
            woken = flag.condvar.wait(woken);
        }
        *woken = false;
    }
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    std::pin::Pin::new(future).poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// An always-ready endpoint that records its drop (a condvar lets a test wait for it).
struct Probe {
    drops: Arc<Drops>,
}

#[derive(Default)]
struct Drops {
    count: AtomicUsize,
    done: Mutex<bool>,
    condvar: Condvar,
}

impl Drops {
    fn wait(&self) {
        let mut done = self.done.lock();
        while !*done {
            done = self.condvar.wait(done);
        }
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        self.drops.count.fetch_add(1, SeqCst);
        *self.drops.done.lock() = true;
        self.drops.condvar.notify_all();
    }
}

impl Service<u32> for Probe {
    type Response = u32;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<u32, std::io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: u32) -> Self::Future {
        std::future::ready(Ok(req + 1))
    }
}

#[test]
fn a_removal_racing_a_request_drops_the_service_after_it() {
    loom::model(|| {
        let drops = Arc::new(Drops::default());
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(Change::Insert("a", Probe { drops: drops.clone() })).unwrap();
        // No fail-fast wait: a caller that finds the endpoint removed fails at once.
        let builder = Builder::new().fail_fast(Duration::ZERO);
        let (balance, mut driver) = builder.pair::<_, _, u32, _>(rx);
        assert!(poll_once(&mut driver).is_pending()); // inserts and readies "a"
        let keep = balance.clone(); // keeps the driver running after the caller is done
        let driver = thread::spawn(move || block_on(driver));

        let caller = thread::spawn(move || {
            let mut balance = balance;
            match block_on(balance.ready()) {
                Ok(balance) => assert_eq!(block_on(balance.call(1)).unwrap(), 2),
                Err(error) => assert!(error.is_no_endpoints(), "{error:?}"),
            }
        });
        tx.send(Change::Remove("a")).unwrap();
        caller.join().unwrap();
        drops.wait(); // the driver drops the service once the request completed
        assert_eq!(drops.count.load(SeqCst), 1);
        drop(keep);
        driver.join().unwrap();
    });
}

#[test]
fn a_waiting_caller_is_woken_when_the_driver_readies_an_endpoint() {
    loom::model(|| {
        let drops = Arc::new(Drops::default());
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(Change::Insert("a", Probe { drops: drops.clone() })).unwrap();
        let (balance, mut driver) = Builder::new().pair::<_, _, u32, _>(rx);
        assert!(poll_once(&mut driver).is_pending());
        let mut holder = balance.clone();
        // `holder` claims the only endpoint; the caller must wait for it.
        assert!(poll_once(&mut holder.ready()).is_ready());
        let driver = thread::spawn(move || block_on(driver));
        let caller = thread::spawn(move || block_on(balance.oneshot(5)).unwrap());
        holder.disarm(); // the endpoint goes back to the driver, which readies it
        assert_eq!(caller.join().unwrap(), 6);
        drop(holder);
        driver.join().unwrap();
    });
}

#[test]
fn a_removal_while_claimed_waits_for_the_request() {
    loom::model(|| {
        let drops = Arc::new(Drops::default());
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(Change::Insert("a", Probe { drops: drops.clone() })).unwrap();
        let builder = Builder::new().fail_fast(Duration::ZERO);
        let (balance, mut driver) = builder.pair::<_, _, u32, _>(rx);
        assert!(poll_once(&mut driver).is_pending());
        let driver = thread::spawn(move || block_on(driver));
        let mut balance = balance;
        let b = block_on(balance.ready()).unwrap();
        tx.send(Change::Remove("a")).unwrap();
        assert_eq!(block_on(b.call(1)).unwrap(), 2);
        drops.wait();
        drop(balance);
        driver.join().unwrap();
    });
}
