//! The semaphore's errors: [`AcquireError`] and [`TryAcquireError`].

use std::fmt;

/// The semaphore was closed: returned by the waiting acquires.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let sem = rt_core::sync::Semaphore::new(0);
/// sem.close();
/// let err = sem.acquire().await.unwrap_err();
/// assert_eq!(err.to_string(), "semaphore closed");
/// # });
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct AcquireError(());

impl AcquireError {
    pub(crate) fn closed() -> AcquireError {
        AcquireError(())
    }
}

impl fmt::Debug for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AcquireError(Closed)")
    }
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why a `try_acquire*` call failed: the semaphore is closed, or too few permits are
/// available (or someone is already waiting for them).
///
/// # Examples
///
/// ```
/// let sem = rt_core::sync::Semaphore::new(0);
/// let err = sem.try_acquire().unwrap_err();
/// assert!(err.is_no_permits() && !err.is_closed());
/// assert_eq!(err.to_string(), "no permits available");
/// sem.close();
/// assert!(sem.try_acquire().unwrap_err().is_closed());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct TryAcquireError {
    closed: bool,
}

impl TryAcquireError {
    pub(crate) fn closed() -> TryAcquireError {
        TryAcquireError { closed: true }
    }

    pub(crate) fn no_permits() -> TryAcquireError {
        TryAcquireError { closed: false }
    }

    /// Whether the semaphore is closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the semaphore is open but had too few free permits.
    pub fn is_no_permits(&self) -> bool {
        !self.closed
    }
}

impl fmt::Debug for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.closed {
            "TryAcquireError(Closed)"
        } else {
            "TryAcquireError(NoPermits)"
        })
    }
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.closed {
            "semaphore closed"
        } else {
            "no permits available"
        })
    }
}

impl std::error::Error for TryAcquireError {}

impl From<AcquireError> for TryAcquireError {
    fn from(_: AcquireError) -> TryAcquireError {
        TryAcquireError::closed()
    }
}
