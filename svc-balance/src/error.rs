//! [`BalanceError`]: why a balancer could not serve a request.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

/// The error of a [`Balance`](crate::Balance)'s `poll_ready` and response futures.
///
/// Opaque; the predicates tell the conditions apart:
///
/// * [`is_no_endpoints`](BalanceError::is_no_endpoints): discovery has not produced any
///   endpoint (or removed them all) and none appeared within the fail-fast timeout;
/// * [`is_all_failing`](BalanceError::is_all_failing): endpoints exist, but every one of
///   them is out of rotation (failure accrual) and none came back within the timeout;
///   [`readiness_error`](BalanceError::readiness_error) is the latest error an
///   endpoint's `poll_ready` returned, if any did (typed, shared);
/// * [`is_discovery_closed`](BalanceError::is_discovery_closed): discovery ended and left
///   no endpoint, so none can ever appear (returned at once, without waiting);
/// * [`is_closed`](BalanceError::is_closed): the balancer's driver task is gone (its
///   runtime shut down);
/// * [`is_endpoint_error`](BalanceError::is_endpoint_error): the endpoint that served the
///   request answered with an error, which [`endpoint_error`](BalanceError::endpoint_error)
///   borrows and [`into_endpoint_error`](BalanceError::into_endpoint_error) returns, typed.
///
/// # Examples
///
/// ```
/// use svc_balance::BalanceError;
///
/// let error = BalanceError::<std::io::Error>::no_endpoints();
/// assert!(error.is_no_endpoints());
/// assert_eq!(error.to_string(), "no endpoints to balance over");
///
/// let error = BalanceError::endpoint(std::io::Error::other("refused"));
/// assert!(error.is_endpoint_error());
/// assert_eq!(error.into_endpoint_error().unwrap().to_string(), "refused");
/// ```
pub struct BalanceError<E> {
    kind: Kind<E>,
}

enum Kind<E> {
    NoEndpoints,
    AllFailing(Option<Arc<E>>),
    DiscoveryClosed,
    Closed,
    Endpoint(E),
}

impl<E> BalanceError<E> {
    /// No endpoint exists.
    pub fn no_endpoints() -> Self {
        BalanceError {
            kind: Kind::NoEndpoints,
        }
    }

    /// Every endpoint is out of rotation.
    pub fn all_failing() -> Self {
        BalanceError {
            kind: Kind::AllFailing(None),
        }
    }

    /// Every endpoint is out of rotation; the latest readiness error was `error`.
    pub fn all_failing_after(error: Arc<E>) -> Self {
        BalanceError {
            kind: Kind::AllFailing(Some(error)),
        }
    }

    /// Discovery ended with no endpoint left.
    pub fn discovery_closed() -> Self {
        BalanceError {
            kind: Kind::DiscoveryClosed,
        }
    }

    /// The balancer's driver task is gone.
    pub fn closed() -> Self {
        BalanceError { kind: Kind::Closed }
    }

    /// The endpoint answered the request with `error`.
    pub fn endpoint(error: E) -> Self {
        BalanceError {
            kind: Kind::Endpoint(error),
        }
    }

    /// Whether no endpoint existed.
    pub fn is_no_endpoints(&self) -> bool {
        matches!(self.kind, Kind::NoEndpoints)
    }

    /// Whether every endpoint was out of rotation after failures.
    pub fn is_all_failing(&self) -> bool {
        matches!(self.kind, Kind::AllFailing(_))
    }

    /// When every endpoint was failing: the latest error an endpoint's `poll_ready`
    /// returned (endpoints ejected for error responses leave none; those errors went to
    /// their callers).
    pub fn readiness_error(&self) -> Option<&E> {
        match &self.kind {
            Kind::AllFailing(error) => error.as_deref(),
            _ => None,
        }
    }

    /// Whether discovery ended with no endpoint left.
    pub fn is_discovery_closed(&self) -> bool {
        matches!(self.kind, Kind::DiscoveryClosed)
    }

    /// Whether the balancer's driver task is gone.
    pub fn is_closed(&self) -> bool {
        matches!(self.kind, Kind::Closed)
    }

    /// Whether the endpoint answered with an error.
    pub fn is_endpoint_error(&self) -> bool {
        matches!(self.kind, Kind::Endpoint(_))
    }

    /// The endpoint's error, if this is one.
    pub fn endpoint_error(&self) -> Option<&E> {
        match &self.kind {
            Kind::Endpoint(error) => Some(error),
            _ => None,
        }
    }

    /// The endpoint's error, if this is one.
    ///
    /// # Errors
    ///
    /// Returns `self` back when the error is not an endpoint's.
    pub fn into_endpoint_error(self) -> Result<E, Self> {
        match self.kind {
            Kind::Endpoint(error) => Ok(error),
            kind => Err(BalanceError { kind }),
        }
    }
}

impl<E: fmt::Display> fmt::Display for BalanceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::NoEndpoints => f.write_str("no endpoints to balance over"),
            Kind::AllFailing(_) => f.write_str("every endpoint is out of rotation after failures"),
            Kind::DiscoveryClosed => f.write_str("discovery closed with no endpoints left"),
            Kind::Closed => f.write_str("balancer's driver task is gone"),
            Kind::Endpoint(_) => f.write_str("endpoint failed"),
        }
    }
}

impl<E: fmt::Debug> fmt::Debug for BalanceError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::NoEndpoints => f.write_str("BalanceError::NoEndpoints"),
            Kind::AllFailing(error) => f.debug_tuple("BalanceError::AllFailing").field(error).finish(),
            Kind::DiscoveryClosed => f.write_str("BalanceError::DiscoveryClosed"),
            Kind::Closed => f.write_str("BalanceError::Closed"),
            Kind::Endpoint(error) => f.debug_tuple("BalanceError::Endpoint").field(error).finish(),
        }
    }
}

impl<E: StdError + 'static> StdError for BalanceError<E> {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            Kind::Endpoint(error) => Some(error),
            Kind::AllFailing(Some(error)) => Some(&**error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::BalanceError;
    use std::error::Error;

    #[test]
    fn predicates_and_source() {
        let e = BalanceError::<std::io::Error>::all_failing();
        assert!(e.is_all_failing() && !e.is_no_endpoints() && e.source().is_none());
        let e = BalanceError::<std::io::Error>::discovery_closed();
        assert!(e.is_discovery_closed());
        let e = BalanceError::endpoint(std::io::Error::other("x"));
        assert_eq!(e.source().unwrap().to_string(), "x");
        let e = BalanceError::all_failing_after(std::sync::Arc::new(std::io::Error::other("down")));
        assert_eq!(e.readiness_error().unwrap().to_string(), "down");
        assert_eq!(e.source().unwrap().to_string(), "down");
        let e = BalanceError::<std::io::Error>::closed();
        assert!(e.into_endpoint_error().unwrap_err().is_closed());
    }
}
