//! [`Oneshot`]: wait for readiness, then call once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::Service;

pin_project! {
    #[project = StateProj]
    enum State<S, Req>
    where
        S: Service<Req>,
    {
        NotReady { svc: S, req: Option<Req> },
        Called { #[pin] fut: S::Future },
        Done,
    }
}

pin_project! {
    /// Future returned by [`ServiceExt::oneshot`](crate::ServiceExt::oneshot): drives the
    /// service to readiness, calls it with the request and resolves to the response.
    ///
    /// The service is dropped once called; the response future is polled in place (no
    /// allocation). It calls in the same poll that sees `Ready(Ok)`, so it never holds
    /// readiness it might abandon.
    #[must_use = "futures do nothing unless polled"]
    pub struct Oneshot<S, Req>
    where
        S: Service<Req>,
    {
        #[pin]
        state: State<S, Req>,
    }
}

impl<S: Service<Req>, Req> Oneshot<S, Req> {
    pub(crate) fn new(service: S, req: Req) -> Self {
        Oneshot {
            state: State::NotReady {
                svc: service,
                req: Some(req),
            },
        }
    }
}

impl<S: Service<Req>, Req> Future for Oneshot<S, Req> {
    type Output = Result<S::Response, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            match state.as_mut().project() {
                StateProj::NotReady { svc, req } => match svc.poll_ready(cx) {
                    Poll::Ready(Ok(())) => {
                        let req = req.take().expect("request taken once");
                        let fut = svc.call(req);
                        state.set(State::Called { fut });
                    }
                    Poll::Ready(Err(e)) => {
                        state.set(State::Done);
                        return Poll::Ready(Err(e));
                    }
                    Poll::Pending => return Poll::Pending,
                },
                StateProj::Called { fut } => {
                    let out = std::task::ready!(fut.poll(cx));
                    state.set(State::Done);
                    return Poll::Ready(out);
                }
                StateProj::Done => panic!("`Oneshot` polled after completion"),
            }
        }
    }
}

impl<S: Service<Req>, Req> fmt::Debug for Oneshot<S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::NotReady { .. } => "not ready",
            State::Called { .. } => "called",
            State::Done => "done",
        };
        f.debug_struct("Oneshot").field("state", &state).finish()
    }
}
