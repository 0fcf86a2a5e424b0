//! [`Front`]: the service each client connection is served with. It rewrites headers,
//! makes small bodies of idempotent requests replayable, calls the stack, turns every
//! failure into a status (`502` / `503` / `504`), and records the request.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use rt_core::time::Instant;
use svc_http::Body;
use svc_trait::{Service, ServiceExt};

use super::headers::{remove_hop_by_hop, ClientAddr};
use super::metrics::Stats;
use super::stack::{error_response, status, Stack, StackError};

/// What every connection's [`Front`] shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) stats: Arc<Stats>,
    /// Bodies up to this size are read whole so that a retry can replay them.
    pub(crate) replay_limit: u64,
}

/// The front service of one client connection.
#[derive(Clone)]
pub(crate) struct Front {
    stack: Stack,
    client: ClientAddr,
    shared: Arc<Shared>,
    /// The stack failed `poll_ready` (it is shutting down): answer `503`.
    broken: bool,
}

impl Front {
    pub(crate) fn new(stack: Stack, client: ClientAddr, shared: Arc<Shared>) -> Front {
        Front {
            stack,
            client,
            shared,
            broken: false,
        }
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

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        if self.broken {
            return Poll::Ready(Ok(()));
        }
        match self.stack.poll_ready(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(result) => {
                self.broken = result.is_err();
                Poll::Ready(Ok(()))
            }
        }
    }

    fn call(&mut self, mut req: Request<Body>) -> FrontFuture {
        let start = Instant::now();
        let stats = self.shared.stats.clone();
        stats.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        remove_hop_by_hop(req.headers_mut());
        self.client.append_to(req.headers_mut());
        let state = if std::mem::take(&mut self.broken) {
            State::Done {
                response: Some(status(503, "proxy shutting down\n")),
            }
        } else if self.needs_replay(&req) {
            // Give the slot back while the body arrives; take one again afterwards.
            self.stack.disarm();
            let stack = self.stack.clone();
            let limit = self.shared.replay_limit as usize;
            State::Buffering {
                future: Box::pin(buffer_then_call(stack, req, limit)),
            }
        } else {
            State::Called {
                future: self.stack.call(req),
            }
        };
        FrontFuture::new(state, start, stats)
    }

    fn disarm(&mut self) {
        if !std::mem::take(&mut self.broken) {
            self.stack.disarm();
        }
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
        Called { #[pin] future: <Stack as Service<Request<Body>>>::Future },
        Buffering { future: Boxed },
        Done { response: Option<Response<Body>> },
    }
}

/// The response future of [`Front`]: never fails.
///
/// Boxed: the connection's task holds this future inline, and the stack's futures are
/// large (about 3 KiB in all); boxed, an idle connection does not carry their room, at
/// the price of one allocation per request.
pub(crate) struct FrontFuture {
    inner: Pin<Box<Call>>,
}

impl FrontFuture {
    fn new(state: State, start: Instant, stats: Arc<Stats>) -> FrontFuture {
        FrontFuture {
            inner: Box::pin(Call { state, start, stats }),
        }
    }
}

impl Future for FrontFuture {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

pin_project! {
    /// One request going down the stack.
    struct Call {
        #[pin]
        state: State,
        start: Instant,
        stats: Arc<Stats>,
    }
}

impl Future for Call {
    type Output = Result<Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = match this.state.project() {
            StateProj::Called { future } => std::task::ready!(future.poll(cx)),
            StateProj::Buffering { future } => std::task::ready!(future.as_mut().poll(cx)),
            StateProj::Done { response } => Ok(response.take().expect("polled after completion")),
        };
        let mut res = result.unwrap_or_else(error_response);
        remove_hop_by_hop(res.headers_mut());
        this.stats.record(res.status().as_u16(), this.start.elapsed());
        Poll::Ready(Ok(res))
    }
}
