//! [`Oneshot`]: wait for readiness, then call once.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Service;

enum State<S: Service<Req>, Req> {
    NotReady(S, Option<Req>),
    Called(Pin<Box<S::Future>>),
    Done,
}

/// Future returned by [`ServiceExt::oneshot`](crate::ServiceExt::oneshot): drives the
/// service to readiness, calls it with the request and resolves to the response.
///
/// The response future is boxed, because this crate has no unsafe code and no
/// pin-projection dependency.
#[must_use = "futures do nothing unless polled"]
pub struct Oneshot<S: Service<Req>, Req> {
    state: State<S, Req>,
}

impl<S: Service<Req>, Req> Oneshot<S, Req> {
    pub(crate) fn new(service: S, req: Req) -> Self {
        Oneshot {
            state: State::NotReady(service, Some(req)),
        }
    }
}

// Neither the service nor the request is ever pinned; the response future is boxed.
impl<S: Service<Req>, Req> Unpin for Oneshot<S, Req> {}

impl<S: Service<Req>, Req> Future for Oneshot<S, Req> {
    type Output = Result<S::Response, S::Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        loop {
            match &mut self.state {
                State::NotReady(svc, req) => match svc.poll_ready(cx) {
                    Poll::Ready(Ok(())) => {
                        let req = req.take().expect("request taken once");
                        let fut = Box::pin(svc.call(req));
                        self.state = State::Called(fut);
                    }
                    Poll::Ready(Err(e)) => {
                        self.state = State::Done;
                        return Poll::Ready(Err(e));
                    }
                    Poll::Pending => return Poll::Pending,
                },
                State::Called(fut) => {
                    let out = std::task::ready!(fut.as_mut().poll(cx));
                    self.state = State::Done;
                    return Poll::Ready(out);
                }
                State::Done => panic!("`Oneshot` polled after completion"),
            }
        }
    }
}

impl<S: Service<Req>, Req> fmt::Debug for Oneshot<S, Req> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::NotReady(..) => "not ready",
            State::Called(_) => "called",
            State::Done => "done",
        };
        f.debug_struct("Oneshot").field("state", &state).finish()
    }
}
