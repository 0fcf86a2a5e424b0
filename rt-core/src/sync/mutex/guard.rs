//! The borrowed guards: [`MutexGuard`] and the narrowed [`MappedMutexGuard`].

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use super::Mutex;
use crate::sync::Semaphore;

/// Access to the data of a locked [`Mutex`]; unlocks when dropped.
///
/// Made by [`Mutex::lock`], [`Mutex::try_lock`] and [`Mutex::blocking_lock`]. It may be
/// held across `.await` points, and is `Send` when `T: Send`.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let mutex = rt_core::sync::Mutex::new(String::from("a"));
/// let mut guard = mutex.lock().await;
/// guard.push('b');
/// assert_eq!(*guard, "ab");
/// # });
/// ```
#[must_use = "the mutex is unlocked as soon as the guard is dropped"]
#[clippy::has_significant_drop]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
}

// SAFETY: sharing the guard shares `&T` between threads: `T: Sync`; and the guard
// itself is only made on (and may move to, `T: Send`) any thread.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The caller holds the mutex's permit; the guard gives it back.
    pub(super) fn new(lock: &'a Mutex<T>) -> MutexGuard<'a, T> {
        MutexGuard { lock }
    }

    /// The mutex this guard locks.
    ///
    /// An associated function (`MutexGuard::mutex(&guard)`) so it cannot shadow a
    /// method of `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::{Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &mutex));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }

    /// Narrows the guard to a part of the data; the mutex stays locked until the
    /// returned guard is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::{Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new((1, 2));
    /// let mut second = MutexGuard::map(mutex.try_lock().unwrap(), |pair| &mut pair.1);
    /// *second += 1;
    /// drop(second);
    /// assert_eq!(*mutex.try_lock().unwrap(), (1, 3));
    /// ```
    pub fn map<U: ?Sized>(mut this: Self, f: impl FnOnce(&mut T) -> &mut U) -> MappedMutexGuard<'a, U> {
        let data: *mut U = f(&mut *this);
        MappedMutexGuard::new(this.into_semaphore(), data)
    }

    /// Like [`map`](MutexGuard::map), but `f` may decline, in which case the original
    /// guard is handed back.
    ///
    /// # Errors
    ///
    /// The original guard, when `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::{Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(vec![1, 2]);
    /// let guard = mutex.try_lock().unwrap();
    /// let guard = MutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    /// let first = MutexGuard::try_map(guard, |v| v.first_mut()).unwrap();
    /// assert_eq!(*first, 1);
    /// ```
    pub fn try_map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        match f(&mut *this) {
            Some(data) => {
                let data: *mut U = data;
                Ok(MappedMutexGuard::new(this.into_semaphore(), data))
            }
            None => Err(this),
        }
    }

    /// Gives up the guard without unlocking; the permit passes to the caller.
    fn into_semaphore(self) -> &'a Semaphore {
        let sem = self.lock.semaphore();
        std::mem::forget(self);
        sem
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock for as long as the reference can live.
        unsafe { &*self.lock.data() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the lock, and `&mut self` excludes other borrows of it.
        unsafe { &mut *self.lock.data_mut() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A [`MutexGuard`] narrowed to a part of the data by [`MutexGuard::map`]; unlocks the
/// mutex when dropped.
///
/// # Examples
///
/// ```
/// use rt_core::sync::{Mutex, MutexGuard};
///
/// let mutex = Mutex::new([0u8; 4]);
/// let mut head = MutexGuard::map(mutex.try_lock().unwrap(), |bytes| &mut bytes[..2]);
/// head.fill(7);
/// drop(head);
/// assert_eq!(*mutex.try_lock().unwrap(), [7, 7, 0, 0]);
/// ```
#[must_use = "the mutex is unlocked as soon as the guard is dropped"]
#[clippy::has_significant_drop]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    sem: &'a Semaphore,
    data: *mut T,
    _borrow: PhantomData<&'a mut T>,
}

// SAFETY: the guard is an exclusive borrow of a `T` inside a locked mutex: sending it
// sends `&mut T` (`T: Send`).
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: sharing the guard shares `&T` (`T: Sync`).
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    fn new(sem: &'a Semaphore, data: *mut T) -> MappedMutexGuard<'a, T> {
        MappedMutexGuard {
            sem,
            data,
            _borrow: PhantomData,
        }
    }

    /// Narrows the guard further.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(mutex.try_lock().unwrap(), |t| &mut t.0);
    /// let one = MappedMutexGuard::map(inner, |pair| &mut pair.0);
    /// assert_eq!(*one, 1);
    /// ```
    pub fn map<U: ?Sized>(mut this: Self, f: impl FnOnce(&mut T) -> &mut U) -> MappedMutexGuard<'a, U> {
        let data: *mut U = f(&mut *this);
        MappedMutexGuard::new(this.into_semaphore(), data)
    }

    /// Narrows the guard further, or hands it back when `f` returns `None`.
    ///
    /// # Errors
    ///
    /// The original guard, when `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new((vec![1], 2));
    /// let list = MutexGuard::map(mutex.try_lock().unwrap(), |t| &mut t.0);
    /// assert!(MappedMutexGuard::try_map(list, |v| v.get_mut(3)).is_err());
    /// ```
    pub fn try_map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        match f(&mut *this) {
            Some(data) => {
                let data: *mut U = data;
                Ok(MappedMutexGuard::new(this.into_semaphore(), data))
            }
            None => Err(this),
        }
    }

    fn into_semaphore(self) -> &'a Semaphore {
        let sem = self.sem;
        std::mem::forget(self);
        sem
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `data` points into the data of the mutex this guard keeps locked.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` excludes other borrows of the guard.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
