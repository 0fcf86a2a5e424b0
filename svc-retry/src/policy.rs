//! The [`Policy`] trait: what to retry, and how to copy a request for another attempt.

use std::future::Future;

use crate::budget::Budget;

/// Decides, for each result, whether [`Retry`](crate::Retry) sends the request again.
///
/// The shape is tower 0.5's `Policy`, so a tower policy ports by changing imports.
///
/// # The protocol
///
/// 1. For every request, `Retry::call` asks **its own** policy for a copy with
///    [`clone_request`](Policy::clone_request) before the first attempt. `None` means the
///    request can never be retried (not safe to repeat, too large to keep, a body that
///    cannot be replayed): the request is sent once, its result is returned as it is and
///    the policy is not consulted again. Nothing is cloned for such a request.
/// 2. Otherwise the response future takes a **clone** of the policy (so per-request state,
///    such as an attempt count, lives in the clone) and, when a result arrives, calls
///    [`retry`](Policy::retry) on the clone with the stored copy and the result. `retry`
///    may change either (add a header to the request, turn a retryable response into an
///    error, ...).
/// 3. `None` from `retry`: the result, as `retry` left it, is the response. `Some(delay)`:
///    the future waits for `delay` (the backoff), then takes the stored copy, asks the
///    policy clone for a fresh copy (`clone_request` again, for the attempt after that)
///    and sends the request, **if the inner service is ready at once**. If it is not (or
///    its readiness failed), the retry is abandoned and the result that was being retried
///    is returned: retries never queue behind an overloaded service.
///
/// # Examples
///
/// A policy that retries errors up to twice, without waiting:
///
/// ```
/// use std::future::{ready, Ready};
/// use svc_retry::Policy;
///
/// #[derive(Clone)]
/// struct Twice(u32);
///
/// impl<Req: Clone, Res, E> Policy<Req, Res, E> for Twice {
///     type Future = Ready<()>;
///
///     fn retry(&mut self, _req: &mut Req, result: &mut Result<Res, E>) -> Option<Ready<()>> {
///         if result.is_err() && self.0 < 2 {
///             self.0 += 1;
///             Some(ready(()))
///         } else {
///             None
///         }
///     }
///
///     fn clone_request(&mut self, req: &Req) -> Option<Req> {
///         Some(req.clone())
///     }
/// }
/// ```
pub trait Policy<Req, Res, E> {
    /// The wait before a retry (a backoff timer, or a ready future).
    type Future: Future<Output = ()>;

    /// Decides whether to retry after `result`: `Some(wait)` to retry once `wait`
    /// completes, `None` to return `result`.
    ///
    /// Called on the response future's clone of the policy, only for requests that
    /// [`clone_request`](Policy::clone_request) could copy. May change the stored request
    /// (used by the next attempt) or the result (returned if no retry follows, or if the
    /// retry is abandoned).
    fn retry(&mut self, req: &mut Req, result: &mut Result<Res, E>) -> Option<Self::Future>;

    /// Copies `req` for a later attempt, or returns `None` if it must not be retried.
    ///
    /// Called once per original request on the service's policy, then after each retry
    /// decision on the response future's clone.
    fn clone_request(&mut self, req: &Req) -> Option<Req>;

    /// The retry budget this policy withdraws from, if any.
    ///
    /// [`Retry`](crate::Retry) deposits into it once per original request (Finagle's rule:
    /// requests pay for retries), and [`Retry::stats`](crate::Retry::stats) reports the
    /// retries it refused. The default is `None`.
    fn budget(&self) -> Option<&Budget> {
        None
    }
}
