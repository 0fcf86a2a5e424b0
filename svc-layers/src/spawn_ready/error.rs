//! [`SpawnReadyError`] and [`Cancelled`]: the errors of [`SpawnReady`](super::SpawnReady).

use std::error::Error;
use std::fmt;

use svc_trait::BoxError;

/// The background task driving readiness ended without handing the service back: the
/// runtime shut down (dropping the task), or the inner `poll_ready` panicked.
///
/// The service is gone with the task; the [`SpawnReady`](super::SpawnReady) has failed
/// for good. Polling it again after any failure on the background task (this one, or an
/// inner readiness error, after which the service was dropped there) reports this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled(());

impl Cancelled {
    pub(crate) const fn new() -> Cancelled {
        Cancelled(())
    }
}

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("background readiness task cancelled")
    }
}

impl Error for Cancelled {}

/// The error of a [`SpawnReady`](super::SpawnReady) service: the inner service failed
/// with an `E` (in `poll_ready`, possibly on the background task, or in its response),
/// or the background task was [`Cancelled`].
///
/// [`into_box_error`](SpawnReadyError::into_box_error) flattens into a [`BoxError`] (the
/// inner error as it is, or a boxed `Cancelled`); when `E: Error + Send + Sync +
/// 'static`, `BoxError::from` boxes the whole `SpawnReadyError<E>`.
pub struct SpawnReadyError<E> {
    kind: Kind<E>,
}

enum Kind<E> {
    Cancelled(Cancelled),
    Inner(E),
}

impl<E> SpawnReadyError<E> {
    /// The background task was lost.
    pub(crate) const fn cancelled() -> Self {
        SpawnReadyError {
            kind: Kind::Cancelled(Cancelled::new()),
        }
    }

    /// A failure of the inner service.
    pub(crate) const fn inner_error(error: E) -> Self {
        SpawnReadyError {
            kind: Kind::Inner(error),
        }
    }

    /// Whether the background task ended without handing the service back (runtime
    /// shutdown, or a panic in the inner `poll_ready`).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.kind, Kind::Cancelled(_))
    }

    /// Whether the inner service failed (readiness or response).
    pub fn is_inner(&self) -> bool {
        matches!(self.kind, Kind::Inner(_))
    }

    /// The inner service's error, if that is what happened.
    pub fn inner(&self) -> Option<&E> {
        match &self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Cancelled(_) => None,
        }
    }

    /// The inner service's error, if that is what happened.
    pub fn into_inner(self) -> Option<E> {
        match self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Cancelled(_) => None,
        }
    }

    /// Flattens into a [`BoxError`]: the inner error, boxed as it is, or a boxed
    /// [`Cancelled`].
    pub fn into_box_error(self) -> BoxError
    where
        E: Into<BoxError>,
    {
        match self.kind {
            Kind::Inner(e) => e.into(),
            Kind::Cancelled(cancelled) => Box::new(cancelled),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for SpawnReadyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Cancelled(_) => f.debug_tuple("SpawnReadyError::Cancelled").finish(),
            Kind::Inner(e) => f.debug_tuple("SpawnReadyError::Inner").field(e).finish(),
        }
    }
}

impl<E> fmt::Display for SpawnReadyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Cancelled(_) => f.write_str("background readiness task cancelled"),
            Kind::Inner(_) => f.write_str("inner service failed"),
        }
    }
}

impl<E: Error + 'static> Error for SpawnReadyError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            Kind::Cancelled(cancelled) => Some(cancelled),
            Kind::Inner(e) => Some(e),
        }
    }
}
