//! The `http` request extension: [`RequestTimeout`] and the [`ExtensionOr`] policy.

use std::time::Duration;

use super::TimeoutPolicy;

/// A request extension that sets the timeout of one `http::Request`.
///
/// Read by the [`ExtensionOr`] policy ([`Timeout::with_extension`](super::Timeout::with_extension),
/// [`TimeoutLayer::with_extension`](super::TimeoutLayer::with_extension)); a request
/// without it gets the fallback policy's timeout.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_layers::timeout::RequestTimeout;
///
/// let mut req = http::Request::new(());
/// req.extensions_mut().insert(RequestTimeout(Duration::from_millis(250)));
/// assert_eq!(req.extensions().get::<RequestTimeout>(), Some(&RequestTimeout(Duration::from_millis(250))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestTimeout(pub Duration);

/// A [`TimeoutPolicy`] for `http::Request`s: the request's [`RequestTimeout`] extension
/// if it has one, the fallback policy `P` otherwise.
#[derive(Debug, Clone, Copy)]
pub struct ExtensionOr<P> {
    fallback: P,
}

impl<P> ExtensionOr<P> {
    /// Reads the extension, falling back to `fallback` (a [`Duration`], a closure, ...).
    pub fn new(fallback: P) -> Self {
        ExtensionOr { fallback }
    }

    /// The fallback policy.
    pub fn fallback(&self) -> &P {
        &self.fallback
    }
}

impl<B, P> TimeoutPolicy<http::Request<B>> for ExtensionOr<P>
where
    P: TimeoutPolicy<http::Request<B>>,
{
    fn timeout(&self, req: &http::Request<B>) -> Option<Duration> {
        match req.extensions().get::<RequestTimeout>() {
            Some(RequestTimeout(d)) => Some(*d),
            None => self.fallback.timeout(req),
        }
    }
}
