//! Loom models of `Semaphore`: contention for one permit, acquire racing close, a
//! cancelled acquire racing a release, FIFO service with partial assignment, and owned
//! permits moved between threads.
//!
//! Every model ends by checking that permits are conserved: once every permit is
//! dropped, `available_permits()` is back to the initial count plus what was added. A
//! lost wake-up leaves a `block_on` parked forever, which loom reports as a deadlock.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core
//! --test loom_sync_semaphore`.
#![cfg(loom)]

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use loom::thread;
use rt_core::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use rt_core::loom::sync::Arc;
use rt_core::sync::Semaphore;
use support::block_on;

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(&futures::task::noop_waker()))
}

#[test]
fn two_threads_one_permit() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let holders = Arc::new(AtomicUsize::new(0));
        let worker = {
            let (sem, holders) = (sem.clone(), holders.clone());
            thread::spawn(move || {
                let _permit = block_on(sem.acquire()).unwrap();
                assert_eq!(holders.fetch_add(1, SeqCst), 0, "two holders of one permit");
                holders.fetch_sub(1, SeqCst);
            })
        };
        {
            let _permit = block_on(sem.acquire()).unwrap();
            assert_eq!(holders.fetch_add(1, SeqCst), 0, "two holders of one permit");
            holders.fetch_sub(1, SeqCst);
        }
        worker.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn acquire_racing_close() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let closer = {
            let sem = sem.clone();
            thread::spawn(move || {
                sem.add_permits(1);
                sem.close();
            })
        };
        // Either the permit (added before close) or the error; never a hang.
        match block_on(sem.acquire()) {
            Ok(permit) => assert_eq!(permit.num_permits(), 1),
            Err(_) => assert!(sem.is_closed()),
        }
        closer.join().unwrap();
        assert!(sem.is_closed());
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn partially_served_acquire_racing_close() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let closer = {
            let sem = sem.clone();
            thread::spawn(move || sem.close())
        };
        // Fails at once, or after taking the one permit and queueing for the second.
        assert!(block_on(sem.acquire_many(2)).is_err());
        closer.join().unwrap();
        // Whatever was assigned to the failed waiter came back.
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn cancelled_acquire_racing_release() {
    loom::model(|| {
        // A `std` `Arc`: the owned permit API takes one (see `Semaphore`'s docs).
        let sem = std::sync::Arc::new(Semaphore::new(1));
        let held = sem.clone().try_acquire_owned().unwrap();
        let releaser = thread::spawn(move || drop(held));
        {
            // Queued (or served at once if the release came first), then dropped while
            // the release may be handing the permit to it.
            let mut acquire = pin!(sem.acquire());
            if let Poll::Ready(permit) = poll_once(acquire.as_mut()) {
                drop(permit.unwrap());
            }
        }
        releaser.join().unwrap();
        assert_eq!(sem.available_permits(), 1, "a permit was lost or leaked");
    });
}

#[test]
fn cancelled_acquire_racing_add_permits() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let adder = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        {
            let mut acquire = pin!(sem.acquire());
            if let Poll::Ready(permit) = poll_once(acquire.as_mut()) {
                drop(permit.unwrap());
            }
        }
        adder.join().unwrap();
        assert_eq!(sem.available_permits(), 1, "a permit was lost or leaked");
    });
}

#[test]
fn queued_acquire_polled_again_racing_add_permits() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let mut acquire = Box::pin(sem.acquire());
        assert!(poll_once(acquire.as_mut()).is_pending());
        let adder = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        // The re-poll swaps the waker while the adder may be taking it: the new waker
        // must be the one woken (or the permit seen), or `block_on` parks forever.
        let permit = block_on(acquire).unwrap();
        adder.join().unwrap();
        drop(permit);
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn cancelled_partial_acquire_racing_add_permits_hands_over() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let (mut big, mut small) = (Box::pin(sem.acquire_many(3)), Box::pin(sem.acquire()));
        assert!(poll_once(big.as_mut()).is_pending(), "takes 1 of 3, queues");
        assert!(poll_once(small.as_mut()).is_pending(), "queues behind");
        let adder = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        // Cancel the head while permits are being assigned to it: what it held goes on
        // to `small`.
        drop(big);
        adder.join().unwrap();
        let permit = block_on(small).expect("served by the head's permits");
        assert_eq!(sem.available_permits(), 1);
        drop(permit);
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn fifo_with_partial_assignment() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let (mut big, mut small) = (Box::pin(sem.acquire_many(2)), Box::pin(sem.acquire()));
        assert!(poll_once(big.as_mut()).is_pending());
        assert!(poll_once(small.as_mut()).is_pending());
        let adder = {
            let sem = sem.clone();
            thread::spawn(move || {
                sem.add_permits(1); // assigned to `big`, which still waits
                sem.add_permits(2); // completes `big`, then serves `small`
            })
        };
        // `big` is at the head: `small` can only be served after it.
        let (big_permit, small_permit) = block_on(async {
            let mut big_permit = None;
            let small_permit = std::future::poll_fn(|cx| {
                if big_permit.is_none() {
                    if let Poll::Ready(permit) = big.as_mut().poll(cx) {
                        big_permit = Some(permit.unwrap());
                    }
                }
                let ready = small.as_mut().poll(cx).map(Result::unwrap);
                if ready.is_ready() && big_permit.is_none() {
                    // `big` was served first, so polling it now must find it ready.
                    let Poll::Ready(permit) = poll_once(big.as_mut()) else {
                        panic!("the small request overtook the big one");
                    };
                    big_permit = Some(permit.unwrap());
                }
                ready
            })
            .await;
            (big_permit.unwrap(), small_permit)
        });
        adder.join().unwrap();
        assert_eq!((big_permit.num_permits(), small_permit.num_permits()), (2, 1));
        assert_eq!(sem.available_permits(), 0);
        drop((big_permit, small_permit));
        assert_eq!(sem.available_permits(), 3);
    });
}

#[test]
fn owned_permit_released_on_another_thread() {
    loom::model(|| {
        let sem = std::sync::Arc::new(Semaphore::new(1));
        let permit = sem.clone().try_acquire_owned().unwrap();
        let worker = thread::spawn(move || {
            assert_eq!(permit.num_permits(), 1);
            drop(permit);
        });
        let mine = block_on(sem.clone().acquire_owned()).unwrap();
        assert_eq!(sem.available_permits(), 0);
        drop(mine);
        worker.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}
