//! [`CallAllUnordered`]: responses as they finish.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::FusedStream;
use futures_core::Stream;
use pin_project_lite::pin_project;

use super::core::{Calls, Order};
use crate::Service;

pin_project! {
    /// Stream returned by [`CallAll::unordered`](super::CallAll::unordered): like
    /// [`CallAll`](super::CallAll), but yields each result **as soon as it finishes**
    /// (feature `stream`).
    ///
    /// The readiness rules are those of `CallAll`: the next request is taken before the
    /// service is polled for readiness, and at most one request is buffered while the
    /// service is not ready.
    ///
    /// # Errors
    ///
    /// An error of a response future is yielded in its place and the stream goes on. An
    /// error from `poll_ready` is terminal: no more requests are sent, the responses to the
    /// requests already sent are yielded, then the error, then the stream ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u32| async move { Ok::<_, ()>(x + 1) });
    /// let stream = svc.call_all(futures::stream::iter([1, 2, 3])).unordered();
    /// let total: u32 = futures::executor::block_on(stream.map(Result::unwrap).collect::<Vec<_>>())
    ///     .iter()
    ///     .sum();
    /// assert_eq!(total, 9);
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct CallAllUnordered<S, St>
    where
        St: Stream,
        S: Service<St::Item>,
    {
        #[pin]
        requests: St,
        calls: Calls<S, St::Item>,
    }
}

impl<S, St> CallAllUnordered<S, St>
where
    St: Stream,
    S: Service<St::Item>,
{
    /// Returns a stream calling `service` with each request of `requests`, yielding the
    /// results as they finish.
    pub fn new(service: S, requests: St) -> Self {
        Self::from_parts(requests, Calls::new(service, Order::Completion))
    }

    pub(super) fn from_parts(requests: St, calls: Calls<S, St::Item>) -> Self {
        CallAllUnordered { requests, calls }
    }

    /// Returns the service, dropping the request stream, the buffered request and the
    /// requests in flight.
    ///
    /// The service holds no readiness: the stream only polls it with a request at hand and
    /// calls it at once, so there is nothing to [`disarm`](Service::disarm).
    pub fn into_inner(self) -> S {
        self.calls.into_service()
    }

    /// Returns a reference to the service.
    pub fn get_ref(&self) -> &S {
        self.calls.service()
    }

    /// Returns a mutable reference to the service.
    ///
    /// Do not poll or call the service through it: the stream does both.
    pub fn get_mut(&mut self) -> &mut S {
        self.calls.service_mut()
    }

    /// Returns the number of requests sent whose responses have not been yielded yet.
    pub fn in_flight(&self) -> usize {
        self.calls.in_flight()
    }
}

impl<S, St> Stream for CallAllUnordered<S, St>
where
    St: Stream,
    S: Service<St::Item>,
{
    type Item = Result<S::Response, S::Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.project();
        this.calls.poll_next(this.requests, cx)
    }
}

impl<S, St> FusedStream for CallAllUnordered<S, St>
where
    St: Stream,
    S: Service<St::Item>,
{
    fn is_terminated(&self) -> bool {
        self.calls.is_terminated()
    }
}

impl<S, St> fmt::Debug for CallAllUnordered<S, St>
where
    St: Stream + fmt::Debug,
    S: Service<St::Item> + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallAllUnordered")
            .field("requests", &self.requests)
            .field("calls", &self.calls)
            .finish()
    }
}
