//! Unit tests of the semaphore protocol, driven by hand with counting wakers (they also
//! run under Miri, which checks the wait-list pointer work).

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::state::{CLOSED, WAITERS};
use super::{AcquireError, Semaphore};
use crate::sync::wait_list::WakeBatch;

#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn waker() -> (Arc<Wakes>, Waker) {
    let wakes = Arc::new(Wakes::default());
    (wakes.clone(), Waker::from(wakes))
}

fn poll<F: Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

fn flags(sem: &Semaphore) -> usize {
    sem.flags()
}

#[test]
fn fast_path_takes_and_returns_permits() {
    let sem = Semaphore::new(3);
    let (_, w) = waker();
    let mut a = pin!(sem.acquire_many(2));
    let Poll::Ready(Ok(permit)) = poll(a.as_mut(), &w) else {
        panic!("permits were free")
    };
    assert_eq!(sem.available_permits(), 1);
    drop(permit);
    assert_eq!(sem.available_permits(), 3);
    assert_eq!(flags(&sem), 0);
}

#[test]
fn waiters_are_served_in_fifo_order() {
    let sem = Semaphore::new(1);
    let held = sem.try_acquire().unwrap();
    let (wakes, w) = waker();
    let mut a = pin!(sem.acquire());
    let mut b = pin!(sem.acquire());
    assert!(poll(a.as_mut(), &w).is_pending());
    assert!(poll(b.as_mut(), &w).is_pending());
    assert_eq!(flags(&sem), WAITERS);
    assert!(sem.try_acquire().unwrap_err().is_no_permits());

    drop(held);
    assert_eq!(wakes.0.load(SeqCst), 1);
    assert!(poll(b.as_mut(), &w).is_pending(), "b is behind a");
    let Poll::Ready(Ok(pa)) = poll(a.as_mut(), &w) else {
        panic!("a was served")
    };
    drop(pa);
    assert_eq!(wakes.0.load(SeqCst), 2);
    let Poll::Ready(Ok(pb)) = poll(b.as_mut(), &w) else {
        panic!("b was served")
    };
    assert_eq!(flags(&sem), 0, "the list is empty again");
    drop(pb);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn large_request_keeps_its_place_and_collects_permits() {
    let sem = Semaphore::new(1);
    let (_, w) = waker();
    let mut big = pin!(sem.acquire_many(3));
    let mut small = pin!(sem.acquire());
    assert!(
        poll(big.as_mut(), &w).is_pending(),
        "takes the 1 permit and waits for 2"
    );
    assert_eq!(sem.available_permits(), 0);
    assert!(poll(small.as_mut(), &w).is_pending(), "no barging past the big request");
    sem.add_permits(1);
    assert!(poll(small.as_mut(), &w).is_pending());
    assert!(poll(big.as_mut(), &w).is_pending(), "2 of 3 assigned");
    sem.add_permits(2);
    let Poll::Ready(Ok(permit)) = poll(big.as_mut(), &w) else {
        panic!("3 of 3")
    };
    assert_eq!(permit.num_permits(), 3);
    let Poll::Ready(Ok(one)) = poll(small.as_mut(), &w) else {
        panic!("the extra permit")
    };
    drop((permit, one));
    assert_eq!(sem.available_permits(), 4);
}

#[test]
fn cancelled_partial_waiter_passes_its_permits_on() {
    let sem = Semaphore::new(2);
    let (wakes, w) = waker();
    let mut big = Box::pin(sem.acquire_many(5));
    let mut small = pin!(sem.acquire_many(2));
    assert!(poll(big.as_mut(), &w).is_pending());
    assert!(poll(small.as_mut(), &w).is_pending());
    drop(big);
    assert_eq!(wakes.0.load(SeqCst), 1, "the 2 assigned permits served `small`");
    let Poll::Ready(Ok(permit)) = poll(small.as_mut(), &w) else {
        panic!("served")
    };
    drop(permit);
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(flags(&sem), 0);
}

#[test]
fn cancelled_served_waiter_returns_everything() {
    let sem = Semaphore::new(0);
    let (_, w) = waker();
    let mut a = Box::pin(sem.acquire_many(2));
    assert!(poll(a.as_mut(), &w).is_pending());
    sem.add_permits(3);
    // Served but never polled again: dropping it gives both permits back.
    drop(a);
    assert_eq!(sem.available_permits(), 3);
    assert_eq!(flags(&sem), 0);
}

#[test]
fn cancelled_middle_waiter_leaves_the_others_queued() {
    let sem = Semaphore::new(0);
    let (_, w) = waker();
    let mut a = pin!(sem.acquire());
    let mut b = Box::pin(sem.acquire());
    let mut c = pin!(sem.acquire());
    assert!(poll(a.as_mut(), &w).is_pending());
    assert!(poll(b.as_mut(), &w).is_pending());
    assert!(poll(c.as_mut(), &w).is_pending());
    drop(b);
    sem.add_permits(2);
    assert!(poll(a.as_mut(), &w).is_ready());
    assert!(poll(c.as_mut(), &w).is_ready());
    assert_eq!(sem.available_permits(), 2);
}

#[test]
fn close_fails_waiters_and_returns_partial_permits() {
    let sem = Semaphore::new(1);
    let (wakes, w) = waker();
    let mut big = pin!(sem.acquire_many(2));
    let mut other = pin!(sem.acquire());
    assert!(poll(big.as_mut(), &w).is_pending());
    assert!(poll(other.as_mut(), &w).is_pending());
    sem.close();
    assert_eq!(wakes.0.load(SeqCst), 2);
    assert_eq!(flags(&sem), CLOSED);
    assert_eq!(
        poll(big.as_mut(), &w).map(|r| r.err()),
        Poll::Ready(Some(AcquireError::closed()))
    );
    assert!(matches!(poll(other.as_mut(), &w), Poll::Ready(Err(_))));
    assert_eq!(sem.available_permits(), 1, "the partially assigned permit came back");
    let mut late = pin!(sem.acquire());
    assert!(matches!(poll(late.as_mut(), &w), Poll::Ready(Err(_))));
}

#[test]
fn a_release_serves_more_waiters_than_one_wake_batch() {
    let n = WakeBatch::CAPACITY * 2 + 3;
    let sem = Semaphore::new(0);
    let (wakes, w) = waker();
    let mut futures: Vec<_> = (0..n).map(|_| Box::pin(sem.acquire())).collect();
    for f in &mut futures {
        assert!(poll(f.as_mut(), &w).is_pending());
    }
    sem.add_permits(n + 1);
    assert_eq!(wakes.0.load(SeqCst), n);
    let permits: Vec<_> = futures.iter_mut().map(|f| poll(f.as_mut(), &w)).collect();
    assert!(permits.iter().all(|p| matches!(p, Poll::Ready(Ok(_)))));
    assert_eq!(sem.available_permits(), 1);
    drop(permits);
    assert_eq!(sem.available_permits(), n + 1);
}

#[test]
fn close_wakes_more_waiters_than_one_wake_batch() {
    let n = WakeBatch::CAPACITY + 1;
    let sem = Semaphore::new(0);
    let (wakes, w) = waker();
    let mut futures: Vec<_> = (0..n).map(|_| Box::pin(sem.acquire())).collect();
    for f in &mut futures {
        assert!(poll(f.as_mut(), &w).is_pending());
    }
    sem.close();
    assert_eq!(wakes.0.load(SeqCst), n);
    assert!(futures
        .iter_mut()
        .all(|f| matches!(poll(f.as_mut(), &w), Poll::Ready(Err(_)))));
}

#[test]
fn repoll_with_a_new_waker_replaces_it() {
    let sem = Semaphore::new(0);
    let (first, w1) = waker();
    let (second, w2) = waker();
    let mut a = pin!(sem.acquire());
    assert!(poll(a.as_mut(), &w1).is_pending());
    assert!(poll(a.as_mut(), &w2).is_pending());
    sem.add_permits(1);
    assert_eq!((first.0.load(SeqCst), second.0.load(SeqCst)), (0, 1));
}

#[test]
#[cfg_attr(miri, ignore = "leaks two futures on purpose, which Miri reports as an error")]
fn a_leaked_waiter_keeps_what_it_was_given() {
    let sem = Semaphore::new(0);
    let (_, w) = waker();
    let mut leaked = Box::pin(sem.acquire_many(2));
    assert!(poll(leaked.as_mut(), &w).is_pending());
    std::mem::forget(leaked);
    let mut next = pin!(sem.acquire());
    assert!(poll(next.as_mut(), &w).is_pending());
    sem.add_permits(3);
    // (The permit is dropped at once.)
    assert!(poll(next.as_mut(), &w).is_ready(), "served after the leaked head");
    assert_eq!(
        sem.available_permits(),
        1,
        "like a forgotten permit, the leaked 2 are gone"
    );
    let mut other = Box::pin(sem.acquire_many(5));
    assert!(poll(other.as_mut(), &w).is_pending());
    std::mem::forget(other);
    // Dropping the semaphore with a leaked node still linked is fine.
}

#[test]
fn zero_permits_are_ready_at_once() {
    let sem = Semaphore::new(0);
    let (_, w) = waker();
    let mut a = pin!(sem.acquire_many(0));
    let Poll::Ready(Ok(permit)) = poll(a.as_mut(), &w) else {
        panic!("nothing to wait for")
    };
    assert_eq!(permit.num_permits(), 0);
}

#[test]
#[should_panic(expected = "polled after completion")]
fn polling_after_completion_panics() {
    let sem = Semaphore::new(1);
    let (_, w) = waker();
    let mut a = pin!(sem.acquire());
    let _permit = poll(a.as_mut(), &w);
    let _ = poll(a.as_mut(), &w);
}

#[test]
#[should_panic(expected = "would overflow MAX_PERMITS")]
fn adding_past_max_permits_panics() {
    let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    sem.add_permits(1);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "contends on parking_lot, whose parking path casts integers to pointers (rejected by strict provenance); the loom models cover these races"
)]
fn threads_contend_for_permits() {
    const THREADS: usize = 3;
    const ROUNDS: usize = if cfg!(miri) { 20 } else { 2_000 };
    let sem = Arc::new(Semaphore::new(2));
    let inside = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (sem, inside) = (sem.clone(), inside.clone());
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    let permit = futures::executor::block_on(sem.acquire()).unwrap();
                    assert!(inside.fetch_add(1, SeqCst) < 2, "more holders than permits");
                    inside.fetch_sub(1, SeqCst);
                    drop(permit);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(sem.available_permits(), 2);
    assert_eq!(flags(&sem), 0);
}
