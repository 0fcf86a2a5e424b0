//! [`Retry`]: the retrying service.

use std::sync::Arc;
use std::task::{Context, Poll};

use svc_trait::Service;

use crate::counters::{Counters, Stats};
use crate::future::{ResponseFuture, Retrier};
use crate::policy::Policy;

/// Retries requests to the inner service as its [`Policy`] decides.
///
/// `poll_ready` is the inner service's. `call` deposits into the policy's
/// [budget](Policy::budget), if it has one, asks the policy for a copy of the request
/// (`None`: the request is sent once, and nothing more is cloned), sends the request, and,
/// if the request can be retried, gives the response future a clone of the policy and an
/// unpolled clone of the inner service to retry with. Retries are sent only if that clone
/// is ready at once; otherwise the retry is abandoned and the failure returned (see
/// [`Policy`] for the whole protocol).
///
/// # Errors
///
/// The inner service's errors, unchanged: `Retry` adds no error of its own. A
/// `poll_ready` error is the inner service's (terminal); a response error is the last
/// attempt's, or the failure whose retry was refused or abandoned.
///
/// # Panics
///
/// `call` without readiness is the inner service's business (it may panic, as the mock
/// does); `Retry` itself does not panic.
///
/// # Readiness and `disarm`
///
/// The ready inner service is the one called; the response future keeps a clone that it
/// polls right before each retry and calls at once, so it never holds a reservation across
/// polls. [`disarm`](Service::disarm) is forwarded to the inner service.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_retry::{standard::Standard, Retry};
/// use svc_trait::{service_fn, Service, ServiceExt};
///
/// # rt_sched::Runtime::new().unwrap().block_on(async {
/// // Retry `Err(_)`s of a service whose requests are `u32`s, up to 3 attempts.
/// let policy = Standard::builder()
///     .classify(|result: &Result<u32, &str>| result.is_err())
///     .guard(|req: &u32| Some(*req))
///     .max_attempts(3)
///     .build();
/// let mut svc = Retry::new(policy, service_fn(|x: u32| async move { Ok::<_, &str>(x + 1) }));
/// assert_eq!(svc.ready().await.unwrap().call(1).await, Ok(2));
/// assert_eq!(svc.stats().requests, 1);
/// # });
/// ```
#[derive(Clone, Debug)]
pub struct Retry<P, S> {
    policy: P,
    service: S,
    counters: Arc<Counters>,
}

impl<P, S> Retry<P, S> {
    /// Wraps `service`, retrying as `policy` decides, with fresh counters.
    pub fn new(policy: P, service: S) -> Self {
        Retry::with_counters(policy, service, Arc::default())
    }

    /// Wraps `service`, recording into `counters` (shared with other services).
    pub fn with_counters(policy: P, service: S, counters: Arc<Counters>) -> Self {
        Retry {
            policy,
            service,
            counters,
        }
    }

    /// The policy.
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The policy, mutably.
    pub fn policy_mut(&mut self) -> &mut P {
        &mut self.policy
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.service
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.service
    }

    /// Consumes `self`, returning the inner service.
    pub fn into_inner(self) -> S {
        self.service
    }

    /// The counters this service records into (requests, retries, abandoned retries).
    pub fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }

    /// A snapshot of the counters, with the retries refused by the policy's budget.
    pub fn stats<Req, Res, E>(&self) -> Stats
    where
        P: Policy<Req, Res, E>,
    {
        Stats {
            requests: self.counters.requests(),
            retries: self.counters.retries(),
            refused: self.policy.budget().map_or(0, |b| b.refused()),
            abandoned: self.counters.abandoned(),
        }
    }
}

impl<P, S, Req> Service<Req> for Retry<P, S>
where
    P: Policy<Req, S::Response, S::Error> + Clone,
    S: Service<Req> + Clone,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<P, S, Req>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.service.poll_ready(cx)
    }

    fn call(&mut self, req: Req) -> Self::Future {
        self.counters.add_request();
        if let Some(budget) = self.policy.budget() {
            budget.deposit(); // every original request pays into the budget
        }
        let copy = self.policy.clone_request(&req);
        let future = self.service.call(req);
        // After the call: the clone is not ready, and is polled before each retry.
        let retrier =
            copy.map(|copy| Retrier::new(self.policy.clone(), self.service.clone(), copy, self.counters.clone()));
        ResponseFuture::new(future, retrier)
    }

    fn disarm(&mut self) {
        self.service.disarm()
    }
}
