//! Unit tests of the mutex, driven by hand (they also run under Miri, which checks the
//! guards' pointer work).

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll};

use super::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard};

fn poll<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(&futures::task::noop_waker()))
}

#[test]
fn lock_unlock_and_contention_by_hand() {
    let mutex = Mutex::new(0);
    let mut first = pin!(mutex.lock());
    let Poll::Ready(mut guard) = poll(first.as_mut()) else {
        panic!("unlocked")
    };
    *guard += 1;
    let mut second = pin!(mutex.lock());
    assert!(poll(second.as_mut()).is_pending());
    assert!(mutex.try_lock().is_err());
    drop(guard);
    assert!(mutex.try_lock().is_err(), "the lock went to the waiter, no barging");
    let Poll::Ready(guard) = poll(second.as_mut()) else {
        panic!("handed over")
    };
    assert_eq!(*guard, 1);
}

#[test]
fn a_cancelled_lock_passes_the_lock_on() {
    let mutex = Mutex::new(());
    let guard = mutex.try_lock().unwrap();
    let mut a = Box::pin(mutex.lock());
    let mut b = pin!(mutex.lock());
    assert!(poll(a.as_mut()).is_pending());
    assert!(poll(b.as_mut()).is_pending());
    drop(guard); // handed to `a`...
    drop(a); // ...which gives up: `b` gets it.
    assert!(poll(b.as_mut()).is_ready());
}

#[test]
fn owned_guard_moves_across_threads() {
    let mutex = Arc::new(Mutex::new(String::new()));
    let mut guard = mutex.clone().try_lock_owned().unwrap();
    assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &mutex));
    std::thread::spawn(move || guard.push_str("moved")).join().unwrap();
    assert_eq!(*mutex.try_lock().unwrap(), "moved");
}

#[test]
fn mapped_guards_keep_the_lock() {
    let mutex = Mutex::new((1, vec![2, 3]));
    let list = MutexGuard::map(mutex.try_lock().unwrap(), |t| &mut t.1);
    let mut last = MappedMutexGuard::try_map(list, |v| v.last_mut()).unwrap();
    *last = 4;
    assert!(mutex.try_lock().is_err());
    drop(last);
    assert_eq!(*mutex.try_lock().unwrap(), (1, vec![2, 4]));
    let guard = mutex.try_lock().unwrap();
    let guard = MutexGuard::try_map(guard, |t| t.1.get_mut(9)).unwrap_err();
    assert_eq!(guard.0, 1);
}

#[test]
fn into_inner_and_get_mut_drop_the_value_once() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let mut mutex = Mutex::new(Counted(drops.clone()));
    *mutex.get_mut() = Counted(drops.clone());
    assert_eq!(drops.load(SeqCst), 1);
    let inner = mutex.into_inner();
    assert_eq!(drops.load(SeqCst), 1);
    drop(inner);
    assert_eq!(drops.load(SeqCst), 2);
    drop(Mutex::new(Counted(drops.clone())));
    assert_eq!(drops.load(SeqCst), 3);
}

#[test]
fn unsized_data() {
    let mutex: Arc<Mutex<[u8]>> = Arc::new(Mutex::new([1, 2, 3]));
    mutex.try_lock().unwrap()[0] = 9;
    assert_eq!(&*mutex.clone().try_lock_owned().unwrap(), &[9, 2, 3]);
}

#[test]
fn debug_shows_the_data_or_locked() {
    let mutex = Mutex::new(5);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: 5 }");
    let guard = mutex.try_lock().unwrap();
    assert_eq!(format!("{mutex:?} {guard:?} {guard}"), "Mutex { data: <locked> } 5 5");
}

#[test]
#[cfg_attr(
    miri,
    ignore = "may contend on parking_lot, whose parking path casts integers to pointers (rejected by strict provenance)"
)]
fn blocking_lock_waits_for_an_async_holder() {
    let mutex = Arc::new(Mutex::new(0));
    let guard = mutex.clone().try_lock_owned().unwrap();
    let waiter = {
        let mutex = mutex.clone();
        std::thread::spawn(move || {
            *mutex.blocking_lock() += 1;
        })
    };
    drop(guard);
    waiter.join().unwrap();
    assert_eq!(*mutex.blocking_lock(), 1);
}

#[test]
#[should_panic(expected = "called from inside a runtime")]
fn blocking_lock_inside_a_runtime_panics() {
    let _entered = crate::context::try_enter_runtime().expect("not in a runtime yet");
    let mutex = Mutex::new(0);
    let _ = mutex.blocking_lock();
}

#[test]
#[cfg_attr(
    miri,
    ignore = "contends on parking_lot, whose parking path casts integers to pointers (rejected by strict provenance); the loom models cover these races"
)]
fn threads_increment_a_counter() {
    const THREADS: usize = 3;
    const ROUNDS: usize = if cfg!(miri) { 20 } else { 2_000 };
    let mutex = Arc::new(Mutex::new(0usize));
    let handles: Vec<_> = (0..THREADS)
        .map(|i| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    if i == 0 {
                        *mutex.blocking_lock() += 1;
                    } else {
                        futures::executor::block_on(async { *mutex.lock().await += 1 });
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(*mutex.try_lock().unwrap(), THREADS * ROUNDS);
}

#[test]
fn send_and_sync_like_tokio() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<Mutex<std::cell::Cell<u8>>>();
    sync::<Mutex<std::cell::Cell<u8>>>();
    send::<MutexGuard<'_, std::cell::Cell<u8>>>();
    send::<OwnedMutexGuard<std::cell::Cell<u8>>>();
    sync::<MutexGuard<'_, u8>>();
    sync::<OwnedMutexGuard<u8>>();
    send::<MappedMutexGuard<'_, u8>>();
    sync::<MappedMutexGuard<'_, u8>>();
    let mutex = Mutex::new(0u8);
    let lock = mutex.lock();
    fn send_val<T: Send>(_: &T) {}
    send_val(&lock);
}
