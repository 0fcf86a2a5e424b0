//! The engine shared by [`CallAll`](super::CallAll) and
//! [`CallAllUnordered`](super::CallAllUnordered): the buffered request, the service and
//! the in-flight queue. See the parent module for the protocol.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::in_flight::InFlight;
pub(crate) use super::in_flight::Order;
use crate::Service;

/// Requests sent by one poll before the task yields to its executor, so that an endless,
/// always-ready request stream cannot monopolise a thread.
const SEND_BUDGET: usize = 32;

/// Everything but the request stream (which is pinned by the owner).
pub(crate) struct Calls<S, Req>
where
    S: Service<Req>,
{
    service: S,
    /// The next request, taken from the stream before readiness is polled.
    next: Option<Req>,
    in_flight: InFlight<S::Future>,
    requests_done: bool,
    /// Readiness failed: nothing more is sent.
    failed: bool,
    /// The readiness error, until it is yielded.
    error: Option<S::Error>,
    /// The stream yielded `None`.
    ended: bool,
}

impl<S: Service<Req>, Req> Calls<S, Req> {
    pub(crate) fn new(service: S, order: Order) -> Self {
        Calls {
            service,
            next: None,
            in_flight: InFlight::new(order),
            requests_done: false,
            failed: false,
            error: None,
            ended: false,
        }
    }

    /// Returns the service. It holds no readiness: readiness is only ever polled with a
    /// request at hand and used at once.
    pub(crate) fn into_service(self) -> S {
        self.service
    }

    /// Switches to yielding responses in completion order.
    pub(crate) fn into_unordered(self) -> Self {
        Calls {
            in_flight: self.in_flight.into_unordered(),
            ..self
        }
    }

    pub(crate) fn service(&self) -> &S {
        &self.service
    }

    pub(crate) fn service_mut(&mut self) -> &mut S {
        &mut self.service
    }

    pub(crate) fn is_terminated(&self) -> bool {
        self.ended
    }

    /// Requests sent whose responses have not been yielded yet.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    pub(crate) fn poll_next<St>(
        &mut self,
        mut requests: Pin<&mut St>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<S::Response, S::Error>>>
    where
        St: Stream<Item = Req>,
    {
        if self.ended {
            return Poll::Ready(None);
        }
        // Progress: poll the in-flight futures woken since the last poll.
        self.in_flight.poll_woken(cx);
        for _ in 0..SEND_BUDGET {
            // Yield a response whose turn has come, else send one more request.
            if let Some(out) = self.in_flight.take_ready() {
                return Poll::Ready(Some(out));
            }
            if !self.poll_send(requests.as_mut(), cx) {
                return self.poll_end();
            }
        }
        // Budget spent: let other tasks run, and come back at once.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Sends one request if one is available and the service is ready; returns whether it
    /// did. Takes the request first, so readiness is only polled with a request at hand.
    fn poll_send<St>(&mut self, requests: Pin<&mut St>, cx: &mut Context<'_>) -> bool
    where
        St: Stream<Item = Req>,
    {
        if self.failed {
            return false;
        }
        if self.next.is_none() {
            if self.requests_done {
                return false;
            }
            match requests.poll_next(cx) {
                Poll::Ready(Some(req)) => self.next = Some(req),
                Poll::Ready(None) => {
                    self.requests_done = true;
                    return false;
                }
                Poll::Pending => return false,
            }
        }
        match self.service.poll_ready(cx) {
            Poll::Ready(Ok(())) => {
                let req = self.next.take().expect("a request is buffered");
                self.in_flight.push(self.service.call(req));
                true
            }
            Poll::Ready(Err(e)) => {
                self.failed = true;
                self.next = None;
                self.error = Some(e);
                false
            }
            Poll::Pending => false,
        }
    }

    /// Nothing to yield and nothing to send: the end of the stream (after the readiness
    /// error, if any), or `Pending` while requests or responses may still come.
    fn poll_end(&mut self) -> Poll<Option<Result<S::Response, S::Error>>> {
        let sending_done = self.failed || (self.requests_done && self.next.is_none());
        if !sending_done || !self.in_flight.is_empty() {
            return Poll::Pending;
        }
        match self.error.take() {
            Some(e) => Poll::Ready(Some(Err(e))),
            None => {
                self.ended = true;
                Poll::Ready(None)
            }
        }
    }
}

impl<S, Req> fmt::Debug for Calls<S, Req>
where
    S: Service<Req> + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calls")
            .field("service", &self.service)
            .field("buffered", &self.next.is_some())
            .field("in_flight", &self.in_flight.len())
            .field("requests_done", &self.requests_done)
            .field("failed", &self.failed)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::pin::pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use futures::task::ArcWake;

    use super::{Calls, Order, SEND_BUDGET};
    use crate::service_fn;

    #[derive(Default)]
    struct CountWakes(AtomicUsize);

    impl ArcWake for CountWakes {
        fn wake_by_ref(arc_self: &Arc<Self>) {
            arc_self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn an_endless_ready_stream_spends_the_budget_and_yields() {
        let wakes = Arc::new(CountWakes::default());
        let waker = futures::task::waker(wakes.clone());
        let mut cx = Context::from_waker(&waker);
        let svc = service_fn(|_: u32| std::future::pending::<Result<(), ()>>());
        let mut calls = Calls::new(svc, Order::Requests);
        let mut requests = pin!(futures::stream::iter(0..));
        assert!(calls.poll_next(requests.as_mut(), &mut cx).is_pending());
        assert_eq!(calls.in_flight(), SEND_BUDGET);
        let woken = wakes.0.load(Ordering::SeqCst);
        assert_eq!(woken, 1, "a spent budget must reschedule the task");
        assert!(calls.poll_next(requests.as_mut(), &mut cx).is_pending());
        assert_eq!(calls.in_flight(), 2 * SEND_BUDGET);
    }

    #[test]
    fn finished_responses_wait_for_their_turn_in_request_order() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        // Request 0 never finishes; 1 finishes at once.
        let svc = service_fn(|x: u32| async move {
            if x == 0 {
                std::future::pending::<()>().await;
            }
            Ok::<_, ()>(x)
        });
        let mut calls = Calls::new(svc, Order::Requests);
        let mut requests = pin!(futures::stream::iter([0, 1]));
        assert_eq!(calls.poll_next(requests.as_mut(), &mut cx), Poll::Pending);
        assert_eq!(
            calls.poll_next(requests.as_mut(), &mut cx),
            Poll::Pending,
            "1 waits for 0"
        );
        assert_eq!(calls.in_flight(), 2);
        let mut calls = calls.into_unordered();
        let out = calls.poll_next(requests.as_mut(), &mut cx);
        assert_eq!(out, Poll::Ready(Some(Ok(1))));
        assert_eq!(calls.in_flight(), 1);
    }
}
