//! [`TimeoutError`] and [`Elapsed`]: the errors of [`Timeout`](super::Timeout).

use std::error::Error;
use std::fmt;

use svc_trait::BoxError;

/// The request did not complete before its deadline.
///
/// This is the [`source`](Error::source) of a [`TimeoutError`] whose
/// [`is_elapsed`](TimeoutError::is_elapsed) is `true`, and what
/// [`TimeoutError::into_box_error`] boxes for an elapsed request, so a boxed error can be
/// recognised with `err.is::<Elapsed>()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    /// The condition, for [`TimeoutError::elapsed`].
    pub(crate) const fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline elapsed")
    }
}

impl Error for Elapsed {}

/// The error of a [`Timeout`](super::Timeout) service: the request timed out, or the
/// inner service failed with an `E`.
///
/// The inner error is kept typed: [`inner`](TimeoutError::inner) and
/// [`into_inner`](TimeoutError::into_inner) give it back, and
/// [`source`](Error::source) points at it (or at [`Elapsed`]).
///
/// # The `BoxError` path
///
/// - [`into_box_error`](TimeoutError::into_box_error) flattens: it returns the inner error
///   boxed as it is, or a boxed [`Elapsed`] (the way tower's `Timeout` reports errors).
///   It works whenever `E: Into<BoxError>`, including `E = BoxError`.
/// - When `E: Error + Send + Sync + 'static`, std's blanket `From` impl also boxes the
///   whole `TimeoutError<E>`: `.map_err(BoxError::from)` or `?` into a `BoxError`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::timeout::{Elapsed, Timeout};
/// use svc_trait::{service_fn, BoxError, ServiceExt};
///
/// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let slow = service_fn(|()| async {
///     rt_core::time::sleep(Duration::from_secs(10)).await;
///     Ok::<_, std::io::Error>("late")
/// });
/// let err = Timeout::new(slow, Duration::from_secs(1)).oneshot(()).await.unwrap_err();
/// assert!(err.is_elapsed());
/// assert!(err.inner().is_none());
/// assert_eq!(err.to_string(), "request timed out");
///
/// let boxed: BoxError = err.into_box_error();
/// assert!(boxed.is::<Elapsed>());
/// # });
/// ```
pub struct TimeoutError<E> {
    kind: Kind<E>,
}

enum Kind<E> {
    Elapsed(Elapsed),
    Inner(E),
}

impl<E> TimeoutError<E> {
    /// A timed-out request.
    pub(crate) const fn elapsed() -> Self {
        TimeoutError {
            kind: Kind::Elapsed(Elapsed::new()),
        }
    }

    /// A failure of the inner service.
    pub(crate) const fn inner_error(error: E) -> Self {
        TimeoutError {
            kind: Kind::Inner(error),
        }
    }

    /// Whether the request timed out.
    pub fn is_elapsed(&self) -> bool {
        matches!(self.kind, Kind::Elapsed(_))
    }

    /// Whether the inner service failed (readiness or response).
    pub fn is_inner(&self) -> bool {
        matches!(self.kind, Kind::Inner(_))
    }

    /// The inner service's error, if that is what happened.
    pub fn inner(&self) -> Option<&E> {
        match &self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Elapsed(_) => None,
        }
    }

    /// The inner service's error, if that is what happened.
    pub fn into_inner(self) -> Option<E> {
        match self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Elapsed(_) => None,
        }
    }

    /// Flattens into a [`BoxError`]: the inner error, boxed as it is, or a boxed
    /// [`Elapsed`].
    ///
    /// # Examples
    ///
    /// With an inner service whose error is already a `BoxError`:
    ///
    /// ```
    /// use std::time::Duration;
    /// use svc_layers::timeout::Timeout;
    /// use svc_trait::{service_fn, BoxError, ServiceExt};
    ///
    /// # let rt = rt_sched::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let failing = service_fn(|()| async { Err::<(), BoxError>("no".into()) });
    /// let svc = Timeout::new(failing, Duration::from_secs(1)).map_err(|e| e.into_box_error());
    /// let err: BoxError = svc.oneshot(()).await.unwrap_err();
    /// assert_eq!(err.to_string(), "no");
    /// # });
    /// ```
    pub fn into_box_error(self) -> BoxError
    where
        E: Into<BoxError>,
    {
        match self.kind {
            Kind::Inner(e) => e.into(),
            Kind::Elapsed(elapsed) => Box::new(elapsed),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for TimeoutError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Elapsed(_) => f.debug_tuple("TimeoutError::Elapsed").finish(),
            Kind::Inner(e) => f.debug_tuple("TimeoutError::Inner").field(e).finish(),
        }
    }
}

impl<E> fmt::Display for TimeoutError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Elapsed(_) => f.write_str("request timed out"),
            Kind::Inner(_) => f.write_str("inner service failed"),
        }
    }
}

impl<E: Error + 'static> Error for TimeoutError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            Kind::Elapsed(elapsed) => Some(elapsed),
            Kind::Inner(e) => Some(e),
        }
    }
}
