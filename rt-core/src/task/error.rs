//! `JoinError`: why a task did not produce its output.

use std::any::Any;
use std::fmt;
use std::io;

use super::id::Id;

/// A task ended without an output: it was cancelled (aborted, or its runtime shut
/// down) or it panicked.
///
/// Opaque: ask it with [`is_cancelled`](JoinError::is_cancelled) /
/// [`is_panic`](JoinError::is_panic), take the panic payload with
/// [`into_panic`](JoinError::into_panic) (to resume it with
/// [`std::panic::resume_unwind`]), or turn it into an [`io::Error`] with `?`.
pub struct JoinError {
    id: Id,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(SyncWrapper),
}

/// The panic payload, made `Sync` by never handing out `&` access to it.
struct SyncWrapper(Box<dyn Any + Send + 'static>);

// SAFETY: through a shared reference the payload is only asked for its type id (a
// constant of its vtable, no access to the value) and downcast to `&str` / `String`,
// which are `Sync` themselves; everything else reaches it by value (`into_panic`). So
// sharing `&JoinError` across threads never touches a `!Sync` value concurrently.
unsafe impl Sync for SyncWrapper {}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(SyncWrapper(payload)),
        }
    }

    /// Whether the task was cancelled (aborted or shut down with its runtime).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.id
    }

    /// The panic payload.
    ///
    /// # Panics
    ///
    /// When the task was cancelled rather than panicking; use
    /// [`try_into_panic`](JoinError::try_into_panic) to check.
    ///
    /// # Examples
    ///
    /// ```ignore
    /// if let Err(e) = handle.await {
    ///     if e.is_panic() {
    ///         std::panic::resume_unwind(e.into_panic());
    ///     }
    /// }
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic().expect("`JoinError` reason is not a panic")
    }

    /// The panic payload, or the error back when the task was cancelled.
    ///
    /// # Errors
    ///
    /// Returns `self` when the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.0),
            Repr::Cancelled => Err(self),
        }
    }

    fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            // Only `Sync` payload types are read through `&self` (see `SyncWrapper`).
            Repr::Panic(SyncWrapper(payload)) => {
                if let Some(s) = payload.downcast_ref::<&'static str>() {
                    Some(s)
                } else {
                    payload.downcast_ref::<String>().map(String::as_str)
                }
            }
            Repr::Cancelled => None,
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "task {} was cancelled", self.id),
            (Repr::Panic(_), Some(msg)) => write!(f, "task {} panicked with message {msg:?}", self.id),
            (Repr::Panic(_), None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => write!(f, "JoinError::Cancelled({:?})", self.id),
            (Repr::Panic(_), Some(msg)) => write!(f, "JoinError::Panic({:?}, {msg:?}, ...)", self.id),
            (Repr::Panic(_), None) => write!(f, "JoinError::Panic({:?}, ...)", self.id),
        }
    }
}

impl std::error::Error for JoinError {}

/// Both a cancelled and a panicked task become `ErrorKind::Other`, with the
/// `JoinError` as the source. (Not `Interrupted`: helpers such as `read_exact` retry
/// on `Interrupted`, and a task cancelled by shutdown never comes back.)
impl From<JoinError> for io::Error {
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err)
    }
}
