//! Loom models of the async `Mutex`: two threads incrementing a counter under the lock
//! (loom checks every access to the data for races), a cancelled `lock()` racing the
//! unlock, and an owned guard dropped on another thread.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core
//! --test loom_sync_mutex`.
#![cfg(loom)]

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use loom::thread;
use rt_core::loom::sync::Arc;
use rt_core::sync::Mutex;
use support::block_on;

#[test]
fn two_threads_increment_a_counter() {
    loom::model(|| {
        let counter = Arc::new(Mutex::new(0));
        let worker = {
            let counter = counter.clone();
            thread::spawn(move || {
                let mut guard = block_on(counter.lock());
                *guard += 1;
            })
        };
        {
            let mut guard = block_on(counter.lock());
            *guard += 1;
        }
        worker.join().unwrap();
        assert_eq!(*counter.try_lock().unwrap(), 2);
    });
}

#[test]
fn cancelled_lock_racing_unlock() {
    loom::model(|| {
        let mutex = std::sync::Arc::new(Mutex::new(0));
        let guard = mutex.clone().try_lock_owned().unwrap();
        let unlocker = thread::spawn(move || drop(guard));
        {
            let mut lock = pin!(mutex.lock());
            let waker = futures::task::noop_waker();
            if let Poll::Ready(mut guard) = lock.as_mut().poll(&mut Context::from_waker(&waker)) {
                *guard += 1;
            }
        }
        unlocker.join().unwrap();
        // Never left locked by the cancelled `lock()`.
        assert!(mutex.try_lock().is_ok());
    });
}

#[test]
fn owned_guard_unlocked_on_another_thread() {
    loom::model(|| {
        let mutex = std::sync::Arc::new(Mutex::new(0));
        let mut guard = mutex.clone().try_lock_owned().unwrap();
        let worker = thread::spawn(move || {
            *guard += 1;
            drop(guard);
        });
        let value = *block_on(mutex.lock());
        assert_eq!(value, 1, "the lock came with the worker's write");
        worker.join().unwrap();
    });
}
