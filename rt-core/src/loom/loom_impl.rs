//! The loom side of the shim.

pub mod sync {
    pub use loom::sync::Arc;
    pub use std::sync::Weak;
    use std::time::Duration;

    /// A condition variable with the std shape over loom's (a timed wait returns at once
    /// as timed out: loom has no clock).
    #[derive(Debug, Default)]
    pub struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Self(loom::sync::Condvar::new())
        }

        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap_or_else(|e| e.into_inner())
        }

        pub fn wait_timeout<'a, T>(&self, guard: MutexGuard<'a, T>, _timeout: Duration) -> (MutexGuard<'a, T>, bool) {
            (guard, true)
        }

        pub fn notify_one(&self) -> bool {
            self.0.notify_one();
            true
        }

        pub fn notify_all(&self) -> usize {
            self.0.notify_all();
            0
        }
    }

    /// A `parking_lot`-shaped mutex over loom's (no poisoning in the API).
    #[derive(Debug)]
    pub struct Mutex<T>(loom::sync::Mutex<T>);

    pub type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub fn new(value: T) -> Self {
            Self(loom::sync::Mutex::new(value))
        }

        pub fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }

        pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            self.0.try_lock().ok()
        }
    }

    impl<T: Default> Default for Mutex<T> {
        fn default() -> Self {
            Self::new(T::default())
        }
    }

    pub mod atomic {
        pub use loom::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
    }
}

pub mod thread {
    pub use loom::thread::{current, park, spawn, yield_now, Builder, JoinHandle, Thread};
    pub use std::thread::{panicking, sleep};
}

pub mod hint {
    pub use loom::hint::spin_loop;
}

pub use loom::cell::UnsafeCell;

/// Whether a model is being explored.
pub const IS_LOOM: bool = true;
