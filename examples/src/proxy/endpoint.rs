//! [`Endpoint`]: one backend as the balancer sees it: a pooled HTTP client that reports a
//! `5xx` answer as a failure (for failure accrual and retries) and turns unready after a
//! failed connect (so the balancer ejects a dead backend at once instead of after
//! several failed requests).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use svc_http::client::{Pool, ResponseFuture as PoolFuture};
use svc_http::Body;
use svc_trait::Service;

/// Why a backend did not answer a request well.
pub(crate) struct UpstreamError {
    kind: Kind,
}

enum Kind {
    /// The HTTP client failed: connect, closed, protocol...
    Http(svc_http::Error),
    /// The backend answered `5xx`; the response is kept to be given to the client if no
    /// retry does better. (A `Mutex` only to make the error `Sync`: the body is not.)
    Status(Mutex<Option<Response<Body>>>),
    /// The last connect to this backend failed, or it spoke garbage; not tried again
    /// before the balancer has taken it out of rotation.
    Down,
    /// Stands for an earlier attempt's failure when the last attempt found no endpoint.
    Earlier { timeout: bool },
}

impl UpstreamError {
    /// Worth another attempt for an idempotent request (as Envoy's `5xx` and
    /// `reset` retry policies): connect refused / timed out, the connection closed before
    /// a response, garbage instead of a response, or a `5xx` answer.
    pub(crate) fn is_retryable(&self) -> bool {
        match &self.kind {
            Kind::Http(e) => e.is_connect() || e.is_closed() || e.is_protocol(),
            Kind::Status(_) | Kind::Down | Kind::Earlier { .. } => true,
        }
    }

    /// A stand-in for an earlier attempt's failure (a timeout or not), to answer with
    /// when a later attempt finds no endpoint at all.
    pub(crate) fn earlier(timeout: bool) -> UpstreamError {
        UpstreamError {
            kind: Kind::Earlier { timeout },
        }
    }

    /// The request was never sent: the connect failed (or the backend was known down).
    pub(crate) fn is_unsent(&self) -> bool {
        match &self.kind {
            Kind::Http(e) => e.is_connect(),
            Kind::Status(_) | Kind::Earlier { .. } => false,
            Kind::Down => true,
        }
    }

    /// The backend took too long to accept a connection.
    pub(crate) fn is_timeout(&self) -> bool {
        match &self.kind {
            Kind::Http(e) => e.is_timeout(),
            Kind::Earlier { timeout } => *timeout,
            _ => false,
        }
    }

    /// The backend's own `5xx` response, if that is what this is (once).
    pub(crate) fn take_response(&self) -> Option<Response<Body>> {
        match &self.kind {
            Kind::Status(res) => lock(res).take(),
            _ => None,
        }
    }
}

fn lock(res: &Mutex<Option<Response<Body>>>) -> std::sync::MutexGuard<'_, Option<Response<Body>>> {
    res.lock().unwrap_or_else(|e| e.into_inner())
}

impl fmt::Debug for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Http(e) => write!(f, "backend failed: {e}"),
            Kind::Status(res) => match lock(res).as_ref() {
                Some(res) => write!(f, "backend answered {}", res.status()),
                None => f.write_str("backend answered 5xx"),
            },
            Kind::Down => f.write_str("backend is down"),
            Kind::Earlier { .. } => f.write_str("backend failed, then no backend was left to retry on"),
        }
    }
}

impl StdError for UpstreamError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match &self.kind {
            Kind::Http(e) => Some(e),
            _ => None,
        }
    }
}

/// How long a "down" mark stays fresh. It is shorter than the balancer's shortest
/// ejection penalty (1 s minus its jitter), so a mark left by a request whose failure
/// already got the backend ejected has expired when the backend comes back from its
/// penalty: the same failure is never counted twice.
const DOWN_FRESH_FOR: Duration = Duration::from_millis(500);

/// One backend: a connection [`Pool`] plus the "down" mark a failed connect (or a
/// response that is not HTTP) leaves.
///
/// `poll_ready` fails once after a failed connect, if the mark is fresh, which makes the
/// balancer eject the backend at once instead of after several failed requests; when the
/// penalty is over it is polled again, is ready, and gets its probation request.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pool: Pool,
    down: DownMark,
}

impl Endpoint {
    pub(crate) fn new(pool: Pool) -> Endpoint {
        Endpoint {
            pool,
            down: DownMark::new(),
        }
    }
}

/// When the backend was last seen down, shared by an endpoint and its response futures:
/// nanoseconds since `base` plus one, 0 when not marked.
#[derive(Debug, Clone)]
struct DownMark {
    base: rt_core::time::Instant,
    at: Arc<AtomicU64>,
}

impl DownMark {
    fn new() -> DownMark {
        DownMark {
            base: rt_core::time::Instant::now(),
            at: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Marks the backend down now.
    fn mark(&self) {
        let since = rt_core::time::Instant::now().saturating_duration_since(self.base);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX - 1);
        self.at.store(nanos + 1, Ordering::Relaxed);
    }

    /// Clears the mark; returns true if it was set within [`DOWN_FRESH_FOR`].
    fn take_fresh(&self) -> bool {
        self.fresh(self.at.swap(0, Ordering::Relaxed))
    }

    /// Returns true if the mark was set within [`DOWN_FRESH_FOR`]; leaves it in place.
    fn is_fresh(&self) -> bool {
        self.fresh(self.at.load(Ordering::Relaxed))
    }

    /// Whether the mark value `at` is set and fresh.
    fn fresh(&self, at: u64) -> bool {
        if at == 0 {
            return false;
        }
        let marked = self.base.checked_add(Duration::from_nanos(at - 1)).unwrap_or(self.base);
        rt_core::time::Instant::now().saturating_duration_since(marked) < DOWN_FRESH_FOR
    }
}

impl Service<Request<Body>> for Endpoint {
    type Response = Response<Body>;
    type Error = UpstreamError;
    type Future = EndpointFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), UpstreamError>> {
        if self.down.take_fresh() {
            return Poll::Ready(Err(UpstreamError { kind: Kind::Down }));
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> EndpointFuture {
        if self.down.is_fresh() {
            return EndpointFuture {
                inner: None,
                down: None,
            };
        }
        EndpointFuture {
            inner: Some(self.pool.call(req)),
            down: Some(self.down.clone()),
        }
    }
}

/// The response future of an [`Endpoint`].
pub(crate) struct EndpointFuture {
    inner: Option<PoolFuture>,
    down: Option<DownMark>,
}

impl Future for EndpointFuture {
    type Output = Result<Response<Body>, UpstreamError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(inner) = &mut self.inner else {
            return Poll::Ready(Err(UpstreamError { kind: Kind::Down }));
        };
        let result = std::task::ready!(Pin::new(inner).poll(cx));
        Poll::Ready(match result {
            Ok(res) if res.status().is_server_error() => Err(UpstreamError {
                kind: Kind::Status(Mutex::new(Some(res))),
            }),
            Ok(res) => Ok(res),
            Err(e) => {
                if e.is_connect() || e.is_protocol() {
                    if let Some(down) = &self.down {
                        down.mark();
                    }
                }
                Err(UpstreamError { kind: Kind::Http(e) })
            }
        })
    }
}

impl fmt::Debug for EndpointFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointFuture").finish_non_exhaustive()
    }
}
