//! [`Front`]: the service each client connection is served with. It rewrites headers,
//! makes small bodies of idempotent requests replayable, calls the stack, turns every
//! failure into a status (`502` / `503` / `504`), and records the request.
//!
//! A `Front` is two pointers: an idle client connection holds it for as long as the
//! client keeps the connection open, and a proxy holds thousands of those. Each request
//! takes its own handle on the stack (a clone: reference counts), waits for it to be
//! ready and calls it, all inside the response future, which lives only while the
//! request is in progress.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use rt_core::time::Instant;
use svc_http::Body;
use svc_trait::{Oneshot, Service, ServiceExt};

use super::headers::{remove_hop_by_hop, ClientAddr};
use super::metrics::Stats;
use super::stack::{error_response, status, Stack, StackError};

/// What every connection's [`Front`] shares.
pub(crate) struct Shared {
    /// The stack each request clones its handle from.
    pub(crate) stack: Stack,
    pub(crate) stats: Arc<Stats>,
    /// Bodies up to this size are read whole so that a retry can replay them.
    pub(crate) replay_limit: u64,
}

/// The front service of one client connection.
///
/// Always ready: readiness of the stack (a slot in the buffer) is waited for in the
/// response future, where the request's own handle on the stack lives. An HTTP/1.1
/// connection sends one request at a time, so this applies the same backpressure.
#[derive(Clone)]
pub(crate) struct Front {
    shared: Arc<Shared>,
    client: Arc<ClientAddr>,
}

impl Front {
    pub(crate) fn new(shared: Arc<Shared>, client: Arc<ClientAddr>) -> Front {
        Front { shared, client }
    }

    /// Whether the request's body must be read whole before it can be sent (so that it
    /// can be sent again): a streamed body of known, small size.
    fn needs_replay(&self, req: &Request<Body>) -> bool {
        let body = req.body();
        body.try_clone().is_none() && body.size_hint().upper().is_some_and(|n| n <= self.shared.replay_limit)
    }
}

impl Service<Request<Body>> for Front {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = FrontFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request<Body>) -> FrontFuture {
        let start = Instant::now();
        let stats = self.shared.stats.clone();
        stats.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        remove_hop_by_hop(req.headers_mut());
        self.client.append_to(req.headers_mut());
        let stack = self.shared.stack.clone();
        // The futures are built in place in their allocations (`Box::pin` would build
        // them on the stack and copy them in).
        let state = if self.needs_replay(&req) {
            // No slot of the stack is held while the body arrives.
            let limit = self.shared.replay_limit as usize;
            let future = Box::write(Box::new_uninit(), buffer_then_call(stack, req, limit));
            State::Buffering {
                future: Box::into_pin(future),
            }
        } else {
            let future = Box::write(Box::new_uninit(), stack.oneshot(req));
            State::Called {
                future: Box::into_pin(future),
            }
        };
        FrontFuture { state, start, stats }
    }
}

/// Reads the body whole, then sends the request down the stack.
async fn buffer_then_call(stack: Stack, req: Request<Body>, limit: usize) -> Result<Response<Body>, StackError> {
    let (parts, body) = req.into_parts();
    let body = match body.replayable(limit).await {
        Ok(body) => body,
        Err(_) => return Ok(status(400, "request body could not be read\n")),
    };
    stack.oneshot(Request::from_parts(parts, body)).await
}

type Boxed = Pin<Box<dyn Future<Output = Result<Response<Body>, StackError>> + Send>>;

pin_project! {
    #[project = StateProj]
    enum State {
        Called { future: Pin<Box<Oneshot<Stack, Request<Body>>>> },
        Buffering { future: Boxed },
    }
}

pin_project! {
    /// The response future of [`Front`]: one request going down the stack; never fails.
    ///
    /// `svc-http`'s server keeps a request's state, this future included, in an
    /// allocation of its own. The stack's future (about 600 bytes) is boxed apart: inline
    /// it would push that allocation past the allocator's fast path (about 1 KiB), which
    /// costs more than a second, small allocation (measured: 1.5 % of the instructions
    /// per request).
    pub(crate) struct FrontFuture {
        #[pin]
        state: State,
        start: Instant,
        stats: Arc<Stats>,
    }
}

impl Future for FrontFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.state.project() {
            StateProj::Called { future } => std::task::ready!(future.as_mut().poll(cx)),
            StateProj::Buffering { future } => std::task::ready!(future.as_mut().poll(cx)),
        };
        let mut res = result.unwrap_or_else(error_response);
        remove_hop_by_hop(res.headers_mut());
        this.stats.record(res.status().as_u16(), this.start.elapsed());
        Poll::Ready(Ok(res))
    }
}
