//! The engine shared by [`CallAll`](super::CallAll) and
//! [`CallAllUnordered`](super::CallAllUnordered): the buffered request, the service and
//! the in-flight queue. See the parent module for the protocol.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Service;

/// Requests sent by one poll before the task yields to its executor, so that an endless,
/// always-ready request stream cannot monopolise a thread.
const SEND_BUDGET: usize = 32;

/// The order in which responses are yielded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// In the order of the requests.
    Requests,
    /// As soon as they complete.
    Completion,
}

/// One request in flight: its response future, or its response once finished.
enum Slot<F, T> {
    Pending(Pin<Box<F>>),
    Done(T),
}

/// The in-flight slot of a request to `S`.
type SlotOf<S, Req> =
    Slot<<S as Service<Req>>::Future, Result<<S as Service<Req>>::Response, <S as Service<Req>>::Error>>;

/// Everything but the request stream (which is pinned by the owner).
pub(crate) struct Calls<S, Req>
where
    S: Service<Req>,
{
    service: S,
    /// The next request, taken from the stream before readiness is polled.
    next: Option<Req>,
    in_flight: VecDeque<SlotOf<S, Req>>,
    requests_done: bool,
    /// Readiness failed: nothing more is sent.
    failed: bool,
    /// The readiness error, until it is yielded.
    error: Option<S::Error>,
    /// The stream yielded `None`.
    ended: bool,
}

impl<S: Service<Req>, Req> Calls<S, Req> {
    pub(crate) fn new(service: S) -> Self {
        Calls {
            service,
            next: None,
            in_flight: VecDeque::new(),
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
        order: Order,
    ) -> Poll<Option<Result<S::Response, S::Error>>>
    where
        St: Stream<Item = Req>,
    {
        if self.ended {
            return Poll::Ready(None);
        }
        // Progress: poll every in-flight future once.
        for slot in self.in_flight.iter_mut() {
            poll_slot(slot, cx);
        }
        for _ in 0..SEND_BUDGET {
            // Yield a response whose turn has come, else send one more request.
            if let Some(out) = self.take_ready(order) {
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

    /// Removes and returns a finished response whose turn has come.
    fn take_ready(&mut self, order: Order) -> Option<Result<S::Response, S::Error>> {
        let index = match order {
            Order::Requests => 0,
            Order::Completion => self.in_flight.iter().position(|slot| matches!(slot, Slot::Done(_)))?,
        };
        match self.in_flight.get(index)? {
            Slot::Done(_) => match self.in_flight.remove(index) {
                Some(Slot::Done(out)) => Some(out),
                _ => unreachable!("the slot was just seen finished"),
            },
            Slot::Pending(_) => None,
        }
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
                let mut slot = Slot::Pending(Box::pin(self.service.call(req)));
                // Poll it once now so that it registers its waker.
                poll_slot(&mut slot, cx);
                self.in_flight.push_back(slot);
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

fn poll_slot<F: Future>(slot: &mut Slot<F, F::Output>, cx: &mut Context<'_>) {
    if let Slot::Pending(fut) = slot {
        if let Poll::Ready(out) = fut.as_mut().poll(cx) {
            *slot = Slot::Done(out);
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
        let mut calls = Calls::new(service_fn(|_: u32| std::future::pending::<Result<(), ()>>()));
        let mut requests = pin!(futures::stream::iter(0..));
        assert!(calls
            .poll_next(requests.as_mut(), &mut cx, Order::Requests)
            .is_pending());
        assert_eq!(calls.in_flight(), SEND_BUDGET);
        assert_eq!(
            wakes.0.load(Ordering::SeqCst),
            1,
            "a spent budget must reschedule the task"
        );
        assert!(calls
            .poll_next(requests.as_mut(), &mut cx, Order::Completion)
            .is_pending());
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
        let mut calls = Calls::new(svc);
        let mut requests = pin!(futures::stream::iter([0, 1]));
        assert_eq!(
            calls.poll_next(requests.as_mut(), &mut cx, Order::Requests),
            Poll::Pending
        );
        assert_eq!(calls.in_flight(), 2);
        assert_eq!(
            calls.poll_next(requests.as_mut(), &mut cx, Order::Completion),
            Poll::Ready(Some(Ok(1)))
        );
        assert_eq!(calls.in_flight(), 1);
    }
}
