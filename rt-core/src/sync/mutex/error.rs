//! The mutex's error: [`TryLockError`].

use std::fmt;

/// The mutex was already locked: returned by [`try_lock`](super::Mutex::try_lock) and
/// [`try_lock_owned`](super::Mutex::try_lock_owned).
///
/// # Examples
///
/// ```
/// let mutex = rt_core::sync::Mutex::new(1);
/// let _guard = mutex.try_lock().unwrap();
/// let err = mutex.try_lock().unwrap_err();
/// assert_eq!(err.to_string(), "mutex already locked");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TryLockError(pub(super) ());

impl fmt::Debug for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TryLockError")
    }
}

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("mutex already locked")
    }
}

impl std::error::Error for TryLockError {}
