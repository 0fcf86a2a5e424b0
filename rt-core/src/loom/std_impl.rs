//! The standard-library side of the shim.

pub mod sync {
    pub use parking_lot::{Mutex, MutexGuard};
    pub use std::sync::{Arc, Weak};
    use std::time::Duration;

    /// A condition variable with the std shape (guard in, guard out) over `parking_lot`.
    #[derive(Debug, Default)]
    pub struct Condvar(parking_lot::Condvar);

    impl Condvar {
        pub const fn new() -> Self {
            Self(parking_lot::Condvar::new())
        }

        pub fn wait<'a, T>(&self, mut guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(&mut guard);
            guard
        }

        /// Waits at most `timeout`; the flag says whether it timed out.
        pub fn wait_timeout<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let timed_out = self.0.wait_for(&mut guard, timeout).timed_out();
            (guard, timed_out)
        }

        pub fn notify_one(&self) -> bool {
            self.0.notify_one()
        }

        pub fn notify_all(&self) -> usize {
            self.0.notify_all()
        }
    }

    pub mod atomic {
        pub use std::sync::atomic::{fence, AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering};
    }
}

pub mod thread {
    pub use std::thread::{current, panicking, park, sleep, spawn, yield_now, Builder, JoinHandle, Thread};
}

pub mod hint {
    pub use std::hint::spin_loop;
}

/// A cell with loom's closure-based access API, compiled to a plain `UnsafeCell`.
#[derive(Debug, Default)]
pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    pub const fn new(value: T) -> Self {
        Self(std::cell::UnsafeCell::new(value))
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    #[inline(always)]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    #[inline(always)]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

/// Whether a model is being explored (always false outside loom).
pub const IS_LOOM: bool = false;
