//! `Mutex`: a fair async mutex, a [`Semaphore`] with one permit guarding a cell.

use std::fmt;
use std::sync::Arc;

use super::{MutexGuard, OwnedMutexGuard, TryLockError};
use crate::loom::UnsafeCell;
use crate::sync::blocking::{assert_not_in_runtime, block_on};
use crate::sync::Semaphore;

/// An asynchronous mutual-exclusion lock, fair (first come, first served).
///
/// [`lock`](Mutex::lock) waits without blocking the thread; the returned
/// [`MutexGuard`] gives access to the data and unlocks when dropped. Unlike
/// `std::sync::Mutex`, a guard may be held across `.await` points and moved to
/// another thread (when `T: Send`). There is no poisoning: a panic while the lock is
/// held simply unlocks it.
///
/// The lock is a [`Semaphore`] with one permit, so it inherits its properties: waiters
/// are served in FIFO order with no barging, an uncontended lock or unlock is one
/// compare-and-swap, and a cancelled `lock()` never leaves the mutex locked.
///
/// If the data is only touched in short sections that never `.await`, a blocking
/// mutex (`std::sync::Mutex`, `parking_lot::Mutex`) is cheaper.
///
/// # Owned guards
///
/// [`lock_owned`](Mutex::lock_owned) and [`try_lock_owned`](Mutex::try_lock_owned) take
/// `self: Arc<Self>` with `std::sync::Arc` (as tokio does), so `mutex.clone().lock_owned()`
/// works and the guard is `'static`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use rt_core::sync::Mutex;
///
/// # futures::executor::block_on(async {
/// let count = Arc::new(Mutex::new(0));
/// let handles: Vec<_> = (0..4)
///     .map(|_| {
///         let count = count.clone();
///         std::thread::spawn(move || futures::executor::block_on(async {
///             *count.lock().await += 1;
///         }))
///     })
///     .collect();
/// for handle in handles {
///     handle.join().unwrap();
/// }
/// assert_eq!(*count.lock().await, 4);
/// # });
/// ```
pub struct Mutex<T: ?Sized> {
    s: Semaphore,
    c: UnsafeCell<T>,
}

// SAFETY: the semaphore's single permit gives one guard at a time access to the data,
// possibly on another thread, so sharing the mutex hands `T` over: `T: Send` suffices.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}
// SAFETY: moving the mutex moves the `T` (and an idle semaphore).
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mutex = rt_core::sync::Mutex::new(5);
    /// assert_eq!(*mutex.try_lock().unwrap(), 5);
    /// ```
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            s: Semaphore::new(1),
            c: UnsafeCell::new(value),
        }
    }

    /// An unlocked mutex holding `value`, usable in a `static`.
    ///
    /// Not available under `--cfg loom` (loom's primitives cannot be built in a
    /// constant).
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::Mutex;
    ///
    /// static NAMES: Mutex<Vec<&str>> = Mutex::const_new(Vec::new());
    /// NAMES.blocking_lock().push("a");
    /// assert_eq!(NAMES.blocking_lock().len(), 1);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Mutex<T> {
        Mutex {
            s: Semaphore::const_new(1),
            c: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the data.
    ///
    /// # Examples
    ///
    /// ```
    /// let mutex = rt_core::sync::Mutex::new(vec![1]);
    /// assert_eq!(mutex.into_inner(), [1]);
    /// ```
    pub fn into_inner(self) -> T {
        let Mutex { s: _, c } = self;
        #[cfg(loom)]
        return c.into_inner();
        #[cfg(not(loom))]
        {
            // The shim's cell has no `into_inner`: move the value out and skip the
            // cell's drop so it is not dropped twice.
            let c = std::mem::ManuallyDrop::new(c);
            // SAFETY: we own the cell; its value is read once and never dropped in place.
            c.with_mut(|value| unsafe { std::ptr::read(value) })
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Locks the mutex, waiting for it in FIFO order.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense that dropping the future never leaves the mutex locked
    /// or loses the lock: if it was about to be handed over, it passes to the next
    /// waiter. The future loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let mutex = rt_core::sync::Mutex::new(1);
    /// *mutex.lock().await += 1;
    /// assert_eq!(*mutex.lock().await, 2);
    /// # });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        MutexGuard::new(self)
    }

    /// Locks the mutex, returning a guard that owns an `Arc` of it.
    ///
    /// # Cancel safety
    ///
    /// As for [`lock`](Mutex::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let mutex = Arc::new(rt_core::sync::Mutex::new(1));
    /// let mut guard = mutex.clone().lock_owned().await;
    /// std::thread::spawn(move || *guard += 1).join().unwrap();
    /// assert_eq!(*mutex.lock().await, 2);
    /// # });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        OwnedMutexGuard::new(self)
    }

    /// Locks the mutex from a thread that is not running async code, blocking it until
    /// the lock is acquired.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime (a worker thread, or inside `block_on`):
    /// blocking there could deadlock the runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let mutex = Arc::new(rt_core::sync::Mutex::new(0));
    /// let worker = {
    ///     let mutex = mutex.clone();
    ///     std::thread::spawn(move || *mutex.blocking_lock() += 1)
    /// };
    /// worker.join().unwrap();
    /// assert_eq!(*mutex.blocking_lock(), 1);
    /// ```
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        assert_not_in_runtime("Mutex::blocking_lock");
        block_on(self.lock())
    }

    /// Like [`blocking_lock`](Mutex::blocking_lock), returning an owned guard.
    ///
    /// # Panics
    ///
    /// When called from inside a runtime.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let mutex = Arc::new(rt_core::sync::Mutex::new(0));
    /// *mutex.clone().blocking_lock_owned() += 1;
    /// assert_eq!(*mutex.blocking_lock(), 1);
    /// ```
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        assert_not_in_runtime("Mutex::blocking_lock_owned");
        block_on(self.lock_owned())
    }

    /// Locks the mutex if it is unlocked and nobody waits for it.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the mutex is locked (or another task waits for it).
    ///
    /// # Examples
    ///
    /// ```
    /// let mutex = rt_core::sync::Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(mutex.try_lock().is_err());
    /// drop(guard);
    /// assert!(mutex.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.s.try_acquire_raw(1) {
            Ok(()) => Ok(MutexGuard::new(self)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_lock`](Mutex::try_lock), returning an owned guard.
    ///
    /// # Errors
    ///
    /// [`TryLockError`] when the mutex is locked (or another task waits for it).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let mutex = Arc::new(rt_core::sync::Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(mutex.clone().try_lock_owned().is_err());
    /// # drop(guard);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.s.try_acquire_raw(1) {
            Ok(()) => Ok(OwnedMutexGuard::new(self)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// A mutable reference to the data: `&mut self` proves nobody holds the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut mutex = rt_core::sync::Mutex::new(1);
    /// *mutex.get_mut() = 2;
    /// assert_eq!(mutex.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard (they borrow the mutex) and every
        // other access.
        self.c.with_mut(|value| unsafe { &mut *value })
    }

    /// Waits for the permit and keeps it: the guard created next gives it back.
    async fn acquire(&self) {
        match self.s.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => unreachable!("a mutex's semaphore is never closed"),
        }
    }

    /// The semaphore behind the lock (for the mapped guard, which unlocks through it).
    pub(super) fn semaphore(&self) -> &Semaphore {
        &self.s
    }

    /// Unlocks: called by the guards' `Drop`.
    pub(super) fn unlock(&self) {
        self.s.release(1);
    }

    /// The data, for reading; the caller holds the lock while it uses the pointer.
    pub(super) fn data(&self) -> *const T {
        self.c.with(|value| value)
    }

    /// The data, for writing; the caller holds the lock while it uses the pointer.
    pub(super) fn data_mut(&self) -> *mut T {
        self.c.with_mut(|value| value)
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}
