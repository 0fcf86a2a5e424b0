//! When a request stops counting as in flight: [`InFlight`], the guard a request holds,
//! and [`TrackCompletion`], which decides where the guard goes with the response.

use std::fmt;

use rt_core::loom::sync::Arc;

use super::Load;
use crate::endpoint::Tracker;

/// A request in flight to one endpoint. Dropping it completes the request for the
/// endpoint's [`Load`] (and for its in-flight count, which a removed endpoint waits
/// on before it is dropped).
///
/// A [`TrackCompletion`] receives it with the response and may keep it alive, for
/// example inside a response body until the body's end.
pub struct InFlight<L: Load> {
    tracker: Arc<Tracker<L>>,
    token: Option<L::Token>,
    /// This request is its endpoint's probation request.
    probe: bool,
    /// The endpoint's answer (success or failure) was recorded.
    resolved: bool,
    /// That answer was a failure.
    failed: bool,
}

impl<L: Load> InFlight<L> {
    pub(crate) fn new(tracker: Arc<Tracker<L>>, token: L::Token, probe: bool) -> InFlight<L> {
        InFlight {
            tracker,
            token: Some(token),
            probe,
            resolved: false,
            failed: false,
        }
    }

    /// Records the endpoint's answer for failure accrual.
    pub(crate) fn resolve(&mut self, success: bool) {
        self.resolved = true;
        self.failed = !success;
        self.tracker.record(success);
    }
}

impl<L: Load> Drop for InFlight<L> {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            if self.failed {
                self.tracker.load.end_failed(token);
            } else {
                self.tracker.load.end(token);
            }
        }
        self.tracker.finish(self.probe, self.resolved);
    }
}

impl<L: Load> fmt::Debug for InFlight<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InFlight")
            .field("probe", &self.probe)
            .finish_non_exhaustive()
    }
}

/// Decides how long a request counts as in flight: receives the [`InFlight`] guard with
/// the endpoint's response and returns what the caller gets.
///
/// [`CompleteOnResponse`] (the default) drops the guard at the response. An HTTP
/// client would implement it to move the guard into the response body, so that the
/// request completes at the body's end.
///
/// # Examples
///
/// ```
/// use svc_balance::load::{InFlight, Load, TrackCompletion};
///
/// /// A "body" that keeps the request in flight until it is dropped.
/// struct Tracked<B, G> { body: B, _guard: G }
///
/// #[derive(Clone)]
/// struct AtBodyEnd;
///
/// impl<L: Load, B> TrackCompletion<L, B> for AtBodyEnd {
///     type Output = Tracked<B, InFlight<L>>;
///     fn track(&self, guard: InFlight<L>, body: B) -> Self::Output {
///         Tracked { body, _guard: guard }
///     }
/// }
/// ```
pub trait TrackCompletion<L: Load, R>: Clone {
    /// What the caller gets.
    type Output;

    /// Attaches `guard` to `response`.
    fn track(&self, guard: InFlight<L>, response: R) -> Self::Output;
}

/// Completes a request when its response arrives (drops the [`InFlight`] guard).
///
/// # Examples
///
/// ```
/// let _ = svc_balance::load::CompleteOnResponse;
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CompleteOnResponse;

impl<L: Load, R> TrackCompletion<L, R> for CompleteOnResponse {
    type Output = R;

    fn track(&self, guard: InFlight<L>, response: R) -> R {
        drop(guard);
        response
    }
}
