//! The async `Mutex`: blocking and `try_*` variants, FIFO order, owned guards on
//! threads, mapped guards, and the plumbing traits.
#![cfg(not(loom))]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use futures::executor::block_on;
use rt_core::sync::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

fn logging_waker(id: usize, log: &Arc<std::sync::Mutex<Vec<usize>>>) -> Waker {
    struct Log(usize, Arc<std::sync::Mutex<Vec<usize>>>);
    impl Wake for Log {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }
    Waker::from(Arc::new(Log(id, log.clone())))
}

/// Returns `Pending` once, waking itself first.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if std::mem::replace(&mut yielded, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

#[test]
fn types_are_send_and_sync_like_tokio() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    type NotSync = std::cell::Cell<u32>;
    send::<Mutex<NotSync>>();
    sync::<Mutex<NotSync>>();
    send::<MutexGuard<'_, NotSync>>();
    send::<OwnedMutexGuard<NotSync>>();
    sync::<MutexGuard<'_, u32>>();
    sync::<OwnedMutexGuard<u32>>();
    send::<MappedMutexGuard<'_, u32>>();
    sync::<TryLockError>();
    // The lock futures can move between threads with the task that awaits them.
    fn send_future<F: Future + Send>(_: F) {}
    let mutex = Arc::new(Mutex::new(0u32));
    send_future(mutex.lock());
    send_future(mutex.clone().lock_owned());
}

#[test]
fn try_lock_variants_and_error() {
    let mutex = Arc::new(Mutex::new(1));
    let guard = mutex.try_lock().unwrap();
    let err = mutex.try_lock().unwrap_err();
    assert_eq!(err.to_string(), "mutex already locked");
    assert_eq!(format!("{err:?}"), "TryLockError");
    let _: &dyn std::error::Error = &err;
    assert!(mutex.clone().try_lock_owned().is_err());
    drop(guard);
    let owned = mutex.clone().try_lock_owned().unwrap();
    assert!(mutex.try_lock().is_err());
    drop(owned);
    assert_eq!(*mutex.try_lock().unwrap(), 1);
}

#[test]
fn lockers_are_served_in_fifo_order() {
    let mutex = Mutex::new(Vec::new());
    let guard = mutex.try_lock().unwrap();
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut lockers: Vec<_> = (0..4).map(|_| Box::pin(mutex.lock())).collect();
    for (i, locker) in lockers.iter_mut().enumerate() {
        assert!(poll(locker, &logging_waker(i, &log)).is_pending());
    }
    drop(guard);
    for (i, locker) in lockers.iter_mut().enumerate() {
        assert_eq!(log.lock().unwrap().last(), Some(&i), "woken in order");
        let Poll::Ready(mut guard) = poll(locker, &futures::task::noop_waker()) else {
            panic!("handed over")
        };
        guard.push(i);
        assert!(mutex.try_lock().is_err(), "no barging while others wait");
    }
    drop(lockers);
    assert_eq!(*mutex.try_lock().unwrap(), [0, 1, 2, 3]);
}

#[test]
fn blocking_lock_from_plain_threads() {
    let mutex = Arc::new(Mutex::new(0));
    let held = block_on(mutex.clone().lock_owned());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                *mutex.blocking_lock() += 1;
                *mutex.clone().blocking_lock_owned() += 1;
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(10));
    drop(held);
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*mutex.blocking_lock(), 8);
}

#[test]
fn blocking_lock_inside_a_runtime_panics() {
    let mutex = Arc::new(Mutex::new(0));
    let panic = std::thread::spawn({
        let mutex = mutex.clone();
        move || {
            let _runtime = rt_core::context::try_enter_runtime().expect("a fresh thread");
            let _ = mutex.blocking_lock();
        }
    })
    .join()
    .unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message.contains("`Mutex::blocking_lock` called from inside a runtime"),
        "{message}"
    );
    assert!(mutex.try_lock().is_ok(), "the lock was not taken");
}

#[test]
fn guard_held_across_await_points() {
    let mutex = Mutex::new(0);
    block_on(async {
        let mut guard = mutex.lock().await;
        let other = async { *mutex.lock().await += 10 };
        let mine = async {
            *guard += 1;
            yield_now().await; // with the lock held
            *guard += 1;
            drop(guard);
        };
        futures::join!(mine, other);
    });
    assert_eq!(mutex.into_inner(), 12);
}

#[test]
fn threads_increment_a_shared_counter() {
    const THREADS: usize = 6;
    const ROUNDS: usize = 2_000;
    let mutex = Arc::new(Mutex::new(0usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    match i % 3 {
                        0 => *mutex.blocking_lock() += 1,
                        1 => block_on(async { *mutex.lock().await += 1 }),
                        _ => block_on(async { *mutex.clone().lock_owned().await += 1 }),
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*mutex.blocking_lock(), THREADS * ROUNDS);
}

#[test]
fn owned_guard_unlocks_from_another_thread() {
    let mutex = Arc::new(Mutex::new(String::from("a")));
    let mut guard = block_on(mutex.clone().lock_owned());
    let writer = std::thread::spawn(move || {
        guard.push('b');
        assert_eq!(
            OwnedMutexGuard::mutex(&guard).try_lock().unwrap_err().to_string(),
            "mutex already locked"
        );
    });
    writer.join().unwrap();
    assert_eq!(*block_on(mutex.lock()), "ab");
}

#[test]
fn mapped_guard() {
    let mutex = Mutex::new((0, [1, 2]));
    let mut second = MutexGuard::map(block_on(mutex.lock()), |t| &mut t.1[1]);
    *second = 5;
    assert_eq!(format!("{second:?} {second}"), "5 5");
    assert!(mutex.try_lock().is_err());
    drop(second);
    assert_eq!(*mutex.try_lock().unwrap(), (0, [1, 5]));
}

#[test]
fn constructors_and_accessors() {
    static GLOBAL: Mutex<u32> = Mutex::const_new(7);
    assert_eq!(*GLOBAL.blocking_lock(), 7);
    let mut mutex: Mutex<Vec<u8>> = Mutex::default();
    mutex.get_mut().push(1);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: [1] }");
    let guard = mutex.try_lock().unwrap();
    assert!(std::ptr::eq(MutexGuard::mutex(&guard), &mutex));
    assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked> }");
    drop(guard);
    assert_eq!(mutex.into_inner(), [1]);
    assert_eq!(Mutex::from(3).into_inner(), 3);
}

#[test]
fn a_panic_while_locked_unlocks() {
    let mutex = Arc::new(Mutex::new(0));
    let result = std::thread::spawn({
        let mutex = mutex.clone();
        move || {
            let _guard = mutex.blocking_lock();
            panic!("boom");
        }
    })
    .join();
    assert!(result.is_err());
    assert!(mutex.try_lock().is_ok(), "no poisoning: the lock is free again");
}
