//! The L7 service stack below the front service:
//! timeout → retry → buffer → [`AlwaysReady`] → balance → [`Endpoint`] (pooled client).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use pin_project_lite::pin_project;
use svc_balance::{Balance, BalanceError};
use svc_buffer::{Buffer, BufferError};
use svc_http::Body;
use svc_layers::timeout::{Timeout, TimeoutError};
use svc_retry::standard::{Classify, Guard, Standard};
use svc_retry::{Budget, Delay, ExponentialBackoff, Jitter, Retry};
use svc_trait::Service;

use super::config::Config;
use super::endpoint::{Endpoint, UpstreamError};

/// The balancer over the endpoints.
pub(crate) type Bal = Balance<SocketAddr, Endpoint, Request<Body>>;
/// The balancer's response future.
type BalFuture = svc_balance::ResponseFuture<
    super::endpoint::EndpointFuture,
    svc_balance::load::PeakEwma,
    svc_balance::load::CompleteOnResponse,
>;
/// The error below the retry layer.
pub(crate) type LowerError = BufferError<BalanceError<UpstreamError>>;
/// The buffer in front of the balancer.
pub(crate) type Buf = Buffer<Request<Body>, ReadyFuture>;
/// The retry policy.
pub(crate) type Policy = ProxyPolicy;
/// The whole stack below the front service.
pub(crate) type Stack = Timeout<Retry<Policy, Buf>>;
/// Its error.
pub(crate) type StackError = TimeoutError<LowerError>;

/// Retries what [`UpstreamError::is_retryable`] calls retryable; never a balancer
/// failure (no endpoint: the fail-fast wait already happened), never a timeout.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Classifier;

impl Classify<Response<Body>, LowerError> for Classifier {
    fn is_retryable(&self, result: &Result<Response<Body>, LowerError>) -> bool {
        match result {
            Ok(_) => false,
            Err(e) => e
                .inner()
                .and_then(BalanceError::endpoint_error)
                .is_some_and(UpstreamError::is_retryable),
        }
    }
}

/// The retry policy: [`Standard`] with [`Classifier`], the budget and a short jittered
/// backoff, for idempotent requests; a request of another method is retried only when
/// it was never sent (the connect failed), which is safe for any request.
#[derive(Debug, Clone)]
pub(crate) struct ProxyPolicy {
    inner: Standard<Classifier, CopyGuard>,
    /// The latest backend failure of this request (a timeout or not), answered with if a later attempt
    /// finds no endpoint left (a `502`/`504` says more than a `503` then).
    failed: Option<bool>,
}

/// The retry policy from the configuration.
pub(crate) fn policy(config: &Config, budget: Budget) -> ProxyPolicy {
    let backoff = ExponentialBackoff::new(Duration::from_millis(5), Duration::from_millis(250), Jitter::Full)
        .expect("a valid backoff");
    let inner = Standard::builder()
        .classify(Classifier)
        .guard(CopyGuard {
            limit: config.retry_body_limit,
        })
        .max_attempts(config.retry_attempts.max(1))
        .budget(budget)
        .backoff(backoff)
        .build();
    ProxyPolicy { inner, failed: None }
}

impl svc_retry::Policy<Request<Body>, Response<Body>, LowerError> for ProxyPolicy {
    type Future = Delay;

    fn retry(&mut self, req: &mut Request<Body>, result: &mut Result<Response<Body>, LowerError>) -> Option<Delay> {
        if let Err(e) = result {
            match e.inner().map(BalanceError::endpoint_error) {
                Some(Some(upstream)) => self.failed = Some(upstream.is_timeout()),
                Some(None) => {
                    if let Some(timeout) = self.failed {
                        // No endpoint left to retry on: answer with the backend's failure.
                        let earlier = UpstreamError::earlier(timeout);
                        *result = Err(BufferError::response(BalanceError::endpoint(earlier)));
                        return None;
                    }
                }
                None => {}
            }
        }
        if !req.method().is_idempotent() && !never_sent(result) {
            return None;
        }
        self.inner.retry(req, result)
    }

    fn clone_request(&mut self, req: &Request<Body>) -> Option<Request<Body>> {
        svc_retry::Policy::<Request<Body>, Response<Body>, LowerError>::clone_request(&mut self.inner, req)
    }

    fn budget(&self) -> Option<&Budget> {
        svc_retry::Policy::<Request<Body>, Response<Body>, LowerError>::budget(&self.inner)
    }
}

/// Whether the request never left the proxy (the connect failed).
fn never_sent(result: &Result<Response<Body>, LowerError>) -> bool {
    matches!(result, Err(e) if e.inner().and_then(BalanceError::endpoint_error).is_some_and(UpstreamError::is_unsent))
}

/// Copies any request whose body is in memory and at most `limit` bytes (whether it
/// may be retried is [`ProxyPolicy`]'s call).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CopyGuard {
    limit: u64,
}

impl Guard<Request<Body>> for CopyGuard {
    fn replay(&self, req: &Request<Body>) -> Option<Request<Body>> {
        if req.body().size_hint().exact()? > self.limit {
            return None;
        }
        let mut copy = Request::new(req.body().try_clone()?);
        *copy.method_mut() = req.method().clone();
        *copy.uri_mut() = req.uri().clone();
        *copy.version_mut() = req.version();
        *copy.headers_mut() = req.headers().clone();
        Some(copy)
    }
}

/// The balancer behind the buffer, never failing `poll_ready`: a buffer treats a
/// readiness error as the end of its service, while "no healthy endpoint now" is a
/// per-request answer (`503`), so the error is handed to the next call instead.
///
/// After a failure, while no endpoint is ready, later requests fail at once instead of
/// each waiting the fail-fast timeout again (the buffer's worker readies one request at
/// a time, so waiting for each would queue everyone behind it).
pub(crate) struct AlwaysReady {
    inner: Bal,
    failed: Option<BalanceError<UpstreamError>>,
    /// The last readiness failed, and no endpoint has been ready since.
    failing: bool,
}

impl AlwaysReady {
    pub(crate) fn new(inner: Bal) -> AlwaysReady {
        AlwaysReady {
            inner,
            failed: None,
            failing: false,
        }
    }
}

impl Service<Request<Body>> for AlwaysReady {
    type Response = Response<Body>;
    type Error = BalanceError<UpstreamError>;
    type Future = ReadyFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if self.failed.is_some() {
            return Poll::Ready(Ok(()));
        }
        if self.failing && self.inner.metrics().ready() == 0 {
            self.failed = Some(BalanceError::all_failing());
            return Poll::Ready(Ok(()));
        }
        match self.inner.poll_ready(cx) {
            Poll::Ready(Err(e)) => {
                self.failing = true;
                self.failed = Some(e);
            }
            Poll::Ready(Ok(())) => self.failing = false,
            Poll::Pending => return Poll::Pending,
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> ReadyFuture {
        match self.failed.take() {
            Some(e) => ReadyFuture::Failed { error: Some(e) },
            None => ReadyFuture::Called {
                future: self.inner.call(req),
            },
        }
    }

    fn disarm(&mut self) {
        if self.failed.take().is_none() {
            self.inner.disarm();
        }
    }
}

pin_project! {
    /// The response future of [`AlwaysReady`].
    #[project = ReadyProj]
    pub(crate) enum ReadyFuture {
        Called { #[pin] future: BalFuture },
        Failed { error: Option<BalanceError<UpstreamError>> },
    }
}

impl Future for ReadyFuture {
    type Output = Result<Response<Body>, BalanceError<UpstreamError>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ReadyProj::Called { future } => future.poll(cx),
            ReadyProj::Failed { error } => Poll::Ready(Err(error.take().expect("polled after completion"))),
        }
    }
}

/// What the client gets for a failure of the stack.
pub(crate) fn error_response(error: StackError) -> Response<Body> {
    if error.is_elapsed() {
        return status(504, "backend timed out\n");
    }
    let Some(lower) = error.into_inner() else {
        return status(503, "proxy unavailable\n");
    };
    let balance = match lower.into_response_error() {
        Ok(balance) => balance,
        Err(_) => return status(503, "proxy unavailable\n"),
    };
    match balance.into_endpoint_error() {
        Ok(upstream) => match upstream.take_response() {
            Some(res) => res,
            None if upstream.is_timeout() => status(504, "backend connect timed out\n"),
            None => status(502, "backend unreachable or failing\n"),
        },
        Err(_) => status(503, "no healthy backend\n"),
    }
}

/// A small plain-text response.
pub(crate) fn status(code: u16, text: &'static str) -> Response<Body> {
    let mut res = Response::new(Body::from(text));
    *res.status_mut() = http::StatusCode::from_u16(code).expect("a valid status code");
    res.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}
