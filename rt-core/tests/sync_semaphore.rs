//! `Semaphore`: error values, closing rules, FIFO order, the `try_*` variants, permit
//! bookkeeping and owned permits on threads.
#![cfg(not(loom))]

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures::executor::block_on;
use rt_core::sync::semaphore::{Acquire, AcquireOwned};
use rt_core::sync::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};

/// A waker that records its id in a shared log when woken.
fn logging_waker(id: usize, log: &Arc<Mutex<Vec<usize>>>) -> Waker {
    struct Log(usize, Arc<Mutex<Vec<usize>>>);
    impl Wake for Log {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    Waker::from(Arc::new(Log(id, log.clone())))
}

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

fn noop() -> Waker {
    futures::task::noop_waker()
}

#[test]
fn types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Semaphore>();
    send_sync::<SemaphorePermit<'_>>();
    send_sync::<OwnedSemaphorePermit>();
    send_sync::<Acquire<'_>>();
    send_sync::<AcquireOwned>();
    send_sync::<AcquireError>();
    send_sync::<TryAcquireError>();
}

#[test]
fn error_values() {
    let sem = Semaphore::new(0);
    let no_permits = sem.try_acquire().unwrap_err();
    assert!(no_permits.is_no_permits() && !no_permits.is_closed());
    assert_eq!(no_permits.to_string(), "no permits available");
    assert_eq!(format!("{no_permits:?}"), "TryAcquireError(NoPermits)");

    sem.close();
    let closed = sem.try_acquire().unwrap_err();
    assert!(closed.is_closed() && !closed.is_no_permits());
    assert_eq!(closed.to_string(), "semaphore closed");

    let err = block_on(sem.acquire()).unwrap_err();
    assert_eq!(err.to_string(), "semaphore closed");
    assert_eq!(format!("{err:?}"), "AcquireError(Closed)");
    assert!(err.source().is_none());
    assert!(TryAcquireError::from(err.clone()).is_closed());
    let boxed: Box<dyn Error + Send + Sync> = Box::new(err);
    assert_eq!(boxed.to_string(), "semaphore closed");
}

#[test]
fn close_fails_waiters_and_later_acquires_but_keeps_held_permits() {
    let sem = Arc::new(Semaphore::new(2));
    let held = sem.try_acquire_many(2).unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut waiters: Vec<_> = (0..3).map(|_| Box::pin(sem.acquire())).collect();
    for (i, w) in waiters.iter_mut().enumerate() {
        assert!(poll(w, &logging_waker(i, &log)).is_pending());
    }
    sem.close();
    assert!(sem.is_closed());
    assert_eq!(*log.lock().unwrap(), [0, 1, 2], "every waiter woken, in order");
    for w in &mut waiters {
        assert!(matches!(poll(w, &noop()), Poll::Ready(Err(_))));
    }
    // Held permits stay valid and come back; they cannot be acquired any more.
    assert_eq!(held.num_permits(), 2);
    drop(held);
    assert_eq!(sem.available_permits(), 2);
    assert!(sem.try_acquire().unwrap_err().is_closed());
    assert!(block_on(sem.acquire_many(0)).is_err(), "even zero permits");
    assert!(block_on(sem.clone().acquire_owned()).is_err());
    assert!(sem.clone().try_acquire_owned().unwrap_err().is_closed());
    sem.add_permits(1);
    assert_eq!(sem.available_permits(), 3, "added permits are still counted");
    sem.close();
    assert!(sem.is_closed(), "closing twice is fine");
}

#[test]
fn waiters_are_woken_in_fifo_order() {
    let sem = Semaphore::new(0);
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut waiters: Vec<_> = (0..5).map(|_| Box::pin(sem.acquire())).collect();
    for (i, w) in waiters.iter_mut().enumerate() {
        assert!(poll(w, &logging_waker(i, &log)).is_pending());
    }
    for expected in 1..=5 {
        sem.add_permits(1);
        assert_eq!(log.lock().unwrap().len(), expected);
    }
    assert_eq!(*log.lock().unwrap(), [0, 1, 2, 3, 4]);
    let permits: Vec<_> = waiters.iter_mut().map(|w| poll(w, &noop())).collect();
    assert!(permits.iter().all(|p| matches!(p, Poll::Ready(Ok(_)))));
}

#[test]
fn a_large_request_is_not_starved_by_small_ones() {
    let sem = Semaphore::new(3);
    let small_holder = sem.try_acquire_many(2).unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut big = Box::pin(sem.acquire_many(3));
    assert!(poll(&mut big, &logging_waker(0, &log)).is_pending());
    // One permit is free, but the big request waits: no barging.
    assert!(sem.try_acquire().unwrap_err().is_no_permits());
    let mut small = Box::pin(sem.acquire());
    assert!(poll(&mut small, &logging_waker(1, &log)).is_pending());
    drop(small_holder);
    assert_eq!(*log.lock().unwrap(), [0]);
    let Poll::Ready(Ok(big_permit)) = poll(&mut big, &noop()) else {
        panic!("3 of 3")
    };
    assert!(poll(&mut small, &noop()).is_pending());
    drop(big_permit);
    assert!(poll(&mut small, &noop()).is_ready());
}

#[test]
fn partial_assignments_are_not_available_and_come_back_on_cancel() {
    let sem = Semaphore::new(2);
    let mut big = Box::pin(sem.acquire_many(5));
    assert!(poll(&mut big, &noop()).is_pending());
    assert_eq!(sem.available_permits(), 0);
    sem.add_permits(2);
    assert_eq!(sem.available_permits(), 0, "4 of 5 assigned to the waiter");
    drop(big);
    assert_eq!(sem.available_permits(), 4);
    assert!(sem.try_acquire_many(4).is_ok());
}

#[test]
fn try_variants() {
    let sem = Arc::new(Semaphore::new(3));
    let two = sem.try_acquire_many(2).unwrap();
    assert!(sem.try_acquire_many(2).unwrap_err().is_no_permits());
    let owned = sem.clone().try_acquire_many_owned(1).unwrap();
    assert!(sem.clone().try_acquire_owned().unwrap_err().is_no_permits());
    assert_eq!(sem.try_acquire_many(0).unwrap().num_permits(), 0);
    drop((two, owned));
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn forget_merge_split_and_forget_permits() {
    let sem = Arc::new(Semaphore::new(6));
    let mut a = sem.try_acquire_many(2).unwrap();
    a.merge(sem.try_acquire().unwrap());
    assert_eq!(a.num_permits(), 3);
    let b = a.split(2).unwrap();
    assert!(a.split(2).is_none());
    assert_eq!((a.num_permits(), b.num_permits()), (1, 2));
    b.forget();
    drop(a);
    assert_eq!(sem.available_permits(), 4);

    let mut owned = sem.clone().try_acquire_many_owned(2).unwrap();
    let half = owned.split(1).unwrap();
    assert!(Arc::ptr_eq(half.semaphore(), &sem));
    owned.merge(half);
    assert_eq!(owned.num_permits(), 2);
    owned.forget();
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(sem.forget_permits(5), 2);
    assert_eq!(sem.available_permits(), 0);
}

#[test]
#[should_panic(expected = "different semaphores")]
fn merging_permits_of_two_semaphores_panics() {
    let (a, b) = (Semaphore::new(1), Semaphore::new(1));
    let mut pa = a.try_acquire().unwrap();
    pa.merge(b.try_acquire().unwrap());
}

#[test]
#[should_panic(expected = "MAX_PERMITS")]
fn more_than_max_permits_panics() {
    let _ = Semaphore::new(Semaphore::MAX_PERMITS + 1);
}

#[test]
fn const_new_in_a_static() {
    static SEM: Semaphore = Semaphore::const_new(2);
    let permit = block_on(SEM.acquire()).unwrap();
    assert_eq!(SEM.available_permits(), 1);
    drop(permit);
    assert_eq!(SEM.available_permits(), 2);
}

#[test]
fn owned_permits_limit_threads() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 500;
    let sem = Arc::new(Semaphore::new(3));
    let inside = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (sem, inside) = (sem.clone(), inside.clone());
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    let permit = block_on(sem.clone().acquire_owned()).unwrap();
                    assert!(inside.fetch_add(1, SeqCst) < 3, "more holders than permits");
                    inside.fetch_sub(1, SeqCst);
                    // Released on another thread now and then.
                    std::thread::spawn(move || drop(permit)).join().unwrap();
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn cancelled_acquires_under_contention_conserve_permits() {
    const THREADS: usize = 4;
    const ROUNDS: usize = 2_000;
    let sem = Arc::new(Semaphore::new(2));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let sem = sem.clone();
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    if (i + round) % 2 == 0 {
                        // Queue, then give up (possibly after being assigned permits).
                        let mut acquire = Box::pin(sem.acquire_many(2));
                        let _ = poll(&mut acquire, &noop());
                        std::thread::yield_now();
                    } else {
                        drop(block_on(sem.acquire()).unwrap());
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn debug_output() {
    let sem = Semaphore::new(2);
    assert_eq!(
        format!("{sem:?}"),
        "Semaphore { permits: 2, closed: false, waiters: false }"
    );
    let permit = sem.try_acquire().unwrap();
    assert!(format!("{permit:?}").starts_with("SemaphorePermit { sem: Semaphore { permits: 1"));
    let acquire = sem.acquire_many(4);
    assert!(format!("{acquire:?}").contains("permits: 4"));
}
