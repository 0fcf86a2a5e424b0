//! The permits: [`SemaphorePermit`] (borrows the semaphore) and
//! [`OwnedSemaphorePermit`] (holds an `Arc` of it). Dropping either gives its permits
//! back.

use std::fmt;
use std::sync::Arc;

use super::Semaphore;

/// Permits borrowed from a [`Semaphore`], given back when dropped.
///
/// # Examples
///
/// ```
/// let sem = rt_core::sync::Semaphore::new(3);
/// let mut permit = sem.try_acquire_many(2).unwrap();
/// let one = permit.split(1).unwrap();
/// assert_eq!((permit.num_permits(), one.num_permits()), (1, 1));
/// permit.merge(one);
/// assert_eq!(permit.num_permits(), 2);
/// drop(permit);
/// assert_eq!(sem.available_permits(), 3);
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
#[clippy::has_significant_drop]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: u32,
}

impl<'a> SemaphorePermit<'a> {
    pub(super) fn new(sem: &'a Semaphore, permits: u32) -> SemaphorePermit<'a> {
        SemaphorePermit { sem, permits }
    }

    /// Drops the permit without giving its permits back: the semaphore has that many
    /// fewer for good.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(2);
    /// sem.try_acquire().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// The number of permits held.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(2);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Moves the permits of `other` into `self`.
    ///
    /// # Panics
    ///
    /// When the two permits come from different semaphores, or the sum overflows `u32`.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(2);
    /// let mut a = sem.try_acquire().unwrap();
    /// a.merge(sem.try_acquire().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: SemaphorePermit<'a>) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphores"
        );
        self.permits = self
            .permits
            .checked_add(other.permits)
            .expect("permit count overflows u32");
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit; `None` (and nothing changes) when fewer
    /// than `n` are held.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(3);
    /// let mut permit = sem.try_acquire_many(3).unwrap();
    /// assert!(permit.split(4).is_none());
    /// assert_eq!(permit.split(2).unwrap().num_permits(), 2);
    /// assert_eq!(permit.num_permits(), 1);
    /// ```
    pub fn split(&mut self, n: usize) -> Option<SemaphorePermit<'a>> {
        let n = u32::try_from(n).ok().filter(|n| *n <= self.permits)?;
        self.permits -= n;
        Some(SemaphorePermit {
            sem: self.sem,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.release(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("sem", self.sem)
            .field("permits", &self.permits)
            .finish()
    }
}

/// Permits of a [`Semaphore`] held through an `Arc`, so the permit is `'static` and can
/// move to another task or thread; given back when dropped.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
///
/// let sem = Arc::new(rt_core::sync::Semaphore::new(1));
/// let permit = sem.clone().try_acquire_owned().unwrap();
/// std::thread::spawn(move || {
///     assert_eq!(permit.num_permits(), 1);
/// })
/// .join()
/// .unwrap();
/// assert_eq!(sem.available_permits(), 1);
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
#[clippy::has_significant_drop]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    pub(super) fn new(sem: Arc<Semaphore>, permits: u32) -> OwnedSemaphorePermit {
        OwnedSemaphorePermit { sem, permits }
    }

    /// Drops the permit without giving its permits back.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(1));
    /// sem.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// The number of permits held.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(2));
    /// assert_eq!(sem.try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Moves the permits of `other` into `self`.
    ///
    /// # Panics
    ///
    /// When the two permits come from different semaphores, or the sum overflows `u32`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(2));
    /// let mut a = sem.clone().try_acquire_owned().unwrap();
    /// a.merge(sem.clone().try_acquire_owned().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: OwnedSemaphorePermit) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphores"
        );
        self.permits = self
            .permits
            .checked_add(other.permits)
            .expect("permit count overflows u32");
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit; `None` (and nothing changes) when fewer
    /// than `n` are held.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(2));
    /// let mut permit = sem.try_acquire_many_owned(2).unwrap();
    /// let half = permit.split(1).unwrap();
    /// assert_eq!((permit.num_permits(), half.num_permits()), (1, 1));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<OwnedSemaphorePermit> {
        let n = u32::try_from(n).ok().filter(|n| *n <= self.permits)?;
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            sem: self.sem.clone(),
            permits: n,
        })
    }

    /// The semaphore the permits belong to.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(permit.semaphore(), &sem));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.release(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("sem", &self.sem)
            .field("permits", &self.permits)
            .finish()
    }
}
