//! The owned guard: [`OwnedMutexGuard`].

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::Mutex;

/// Access to the data of a locked [`Mutex`] through an `Arc`, so the guard is
/// `'static`; unlocks when dropped.
///
/// Made by [`Mutex::lock_owned`], [`Mutex::try_lock_owned`] and
/// [`Mutex::blocking_lock_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// let mutex = Arc::new(rt_core::sync::Mutex::new(1));
/// let mut guard = mutex.clone().try_lock_owned().unwrap();
/// std::thread::spawn(move || *guard = 2).join().unwrap();
/// assert_eq!(*mutex.try_lock().unwrap(), 2);
/// ```
#[must_use = "the mutex is unlocked as soon as the guard is dropped"]
#[clippy::has_significant_drop]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
}

// SAFETY: sharing the guard shares `&T` between threads (`T: Sync`); the guard may also
// be sent, which needs `T: Send`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The caller holds the mutex's permit; the guard gives it back.
    pub(super) fn new(lock: Arc<Mutex<T>>) -> OwnedMutexGuard<T> {
        OwnedMutexGuard { lock }
    }

    /// The mutex this guard locks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use rt_core::sync::{Mutex, OwnedMutexGuard};
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &mutex));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock for as long as the reference can live.
        unsafe { &*self.lock.data() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` excludes other borrows of it.
        unsafe { &mut *self.lock.data_mut() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
