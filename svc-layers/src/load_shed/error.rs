//! [`LoadShedError`] and [`Overloaded`]: the errors of [`LoadShed`](super::LoadShed).

use std::error::Error;
use std::fmt;

use svc_trait::BoxError;

/// The inner service was not ready, so the request was refused without waiting.
///
/// The [`source`](Error::source) of a [`LoadShedError`] whose
/// [`is_overloaded`](LoadShedError::is_overloaded) is `true`, and what
/// [`LoadShedError::into_box_error`] boxes for a shed request (`err.is::<Overloaded>()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overloaded(());

impl Overloaded {
    pub(crate) const fn new() -> Overloaded {
        Overloaded(())
    }
}

impl fmt::Display for Overloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("service overloaded")
    }
}

impl Error for Overloaded {}

/// The error of a [`LoadShed`](super::LoadShed) service: the request was shed
/// ([`Overloaded`]), or the inner service failed with an `E`.
///
/// The inner error stays typed ([`inner`](LoadShedError::inner),
/// [`into_inner`](LoadShedError::into_inner), [`source`](Error::source)).
/// [`into_box_error`](LoadShedError::into_box_error) flattens into a [`BoxError`] (the
/// inner error as it is, or a boxed `Overloaded`); when `E: Error + Send + Sync + 'static`,
/// `BoxError::from` boxes the whole `LoadShedError<E>`.
///
/// # Examples
///
/// ```
/// use svc_layers::load_shed::{LoadShed, Overloaded};
/// use svc_trait::{service_fn, BoxError, Service, ServiceExt};
///
/// # futures::executor::block_on(async {
/// let mut svc = LoadShed::new(service_fn(|()| async { Ok::<_, std::io::Error>(()) }));
/// // Calling without readiness sheds the request instead of touching the inner service.
/// let err = svc.call(()).await.unwrap_err();
/// assert!(err.is_overloaded());
/// assert_eq!(err.to_string(), "service overloaded");
/// assert!(err.into_box_error().is::<Overloaded>());
/// # });
/// ```
pub struct LoadShedError<E> {
    kind: Kind<E>,
}

enum Kind<E> {
    Overloaded(Overloaded),
    Inner(E),
}

impl<E> LoadShedError<E> {
    /// A shed request.
    pub(crate) const fn overloaded() -> Self {
        LoadShedError {
            kind: Kind::Overloaded(Overloaded::new()),
        }
    }

    /// A failure of the inner service.
    pub(crate) const fn inner_error(error: E) -> Self {
        LoadShedError {
            kind: Kind::Inner(error),
        }
    }

    /// Whether the request was shed because the inner service was not ready.
    pub fn is_overloaded(&self) -> bool {
        matches!(self.kind, Kind::Overloaded(_))
    }

    /// Whether the inner service failed (readiness or response).
    pub fn is_inner(&self) -> bool {
        matches!(self.kind, Kind::Inner(_))
    }

    /// The inner service's error, if that is what happened.
    pub fn inner(&self) -> Option<&E> {
        match &self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Overloaded(_) => None,
        }
    }

    /// The inner service's error, if that is what happened.
    pub fn into_inner(self) -> Option<E> {
        match self.kind {
            Kind::Inner(e) => Some(e),
            Kind::Overloaded(_) => None,
        }
    }

    /// Flattens into a [`BoxError`]: the inner error, boxed as it is, or a boxed
    /// [`Overloaded`].
    pub fn into_box_error(self) -> BoxError
    where
        E: Into<BoxError>,
    {
        match self.kind {
            Kind::Inner(e) => e.into(),
            Kind::Overloaded(overloaded) => Box::new(overloaded),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for LoadShedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Overloaded(_) => f.debug_tuple("LoadShedError::Overloaded").finish(),
            Kind::Inner(e) => f.debug_tuple("LoadShedError::Inner").field(e).finish(),
        }
    }
}

impl<E> fmt::Display for LoadShedError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Overloaded(_) => f.write_str("service overloaded"),
            Kind::Inner(_) => f.write_str("inner service failed"),
        }
    }
}

impl<E: Error + 'static> Error for LoadShedError<E> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.kind {
            Kind::Overloaded(overloaded) => Some(overloaded),
            Kind::Inner(e) => Some(e),
        }
    }
}
