//! [`TimeoutPolicy`]: how long a request may take.

use std::fmt;
use std::time::Duration;

/// Chooses the timeout of each request: `Some(duration)`, or `None` for no timeout.
///
/// Implemented for:
///
/// - [`Duration`]: the same timeout for every request;
/// - closures `Fn(&Req) -> Option<Duration>`: a timeout computed from the request
///   (`None` turns the timeout off for that request);
/// - [`Override`]: a closure whose `None` falls back to a default (built by
///   [`Timeout::with_override`](super::Timeout::with_override));
/// - with the `http` feature, `ExtensionOr`: the request's `RequestTimeout`
///   extension, or a fallback policy.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::timeout::TimeoutPolicy;
///
/// struct ByLength;
///
/// impl TimeoutPolicy<String> for ByLength {
///     fn timeout(&self, req: &String) -> Option<Duration> {
///         Some(Duration::from_millis(10 * req.len() as u64))
///     }
/// }
///
/// assert_eq!(ByLength.timeout(&"abc".to_string()), Some(Duration::from_millis(30)));
/// assert_eq!(Duration::from_secs(1).timeout(&"abc"), Some(Duration::from_secs(1)));
/// ```
pub trait TimeoutPolicy<Req> {
    /// The timeout of `req`, measured from the moment it is passed to `call`; `None`
    /// for no timeout.
    fn timeout(&self, req: &Req) -> Option<Duration>;
}

impl<Req> TimeoutPolicy<Req> for Duration {
    fn timeout(&self, _req: &Req) -> Option<Duration> {
        Some(*self)
    }
}

impl<Req, F> TimeoutPolicy<Req> for F
where
    F: Fn(&Req) -> Option<Duration>,
{
    fn timeout(&self, req: &Req) -> Option<Duration> {
        self(req)
    }
}

/// A per-request override with a default: the closure's `Some(d)` wins, its `None` means
/// "use the default".
///
/// Built by [`Timeout::with_override`](super::Timeout::with_override) and
/// [`TimeoutLayer::with_override`](super::TimeoutLayer::with_override).
#[derive(Clone, Copy)]
pub struct Override<F> {
    default: Duration,
    f: F,
}

impl<F> Override<F> {
    /// `f(req)`, or `default` when `f` returns `None`.
    pub fn new(default: Duration, f: F) -> Self {
        Override { default, f }
    }

    /// The timeout used when the closure returns `None`.
    pub fn default_timeout(&self) -> Duration {
        self.default
    }
}

impl<Req, F> TimeoutPolicy<Req> for Override<F>
where
    F: Fn(&Req) -> Option<Duration>,
{
    fn timeout(&self, req: &Req) -> Option<Duration> {
        Some((self.f)(req).unwrap_or(self.default))
    }
}

impl<F> fmt::Debug for Override<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Override")
            .field("default", &self.default)
            .finish_non_exhaustive()
    }
}
