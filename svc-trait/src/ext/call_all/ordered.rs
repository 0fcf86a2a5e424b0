//! [`CallAll`]: responses in the order of the requests.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::stream::FusedStream;
use futures_core::Stream;
use pin_project_lite::pin_project;

use super::core::{Calls, Order};
use super::CallAllUnordered;
use crate::Service;

pin_project! {
    /// Stream returned by [`ServiceExt::call_all`](crate::ServiceExt::call_all): calls the
    /// service with each request of a stream and yields the results **in the order of the
    /// requests** (feature `stream`).
    ///
    /// Requests are sent as soon as the service is ready, so several may be in flight; a
    /// response that finishes early waits for the ones before it. Use
    /// [`unordered`](CallAll::unordered) to get them as they finish.
    ///
    /// The next request is taken from the request stream before the service is polled for
    /// readiness, and the service is called as soon as it is ready: `CallAll` never holds
    /// readiness while it waits for a request, and buffers at most one request while the
    /// service is not ready.
    ///
    /// # Errors
    ///
    /// Each item is the result of one response future: an error there is yielded in its
    /// place and the stream goes on. An error from `poll_ready` is terminal: no more
    /// requests are sent (the buffered one is dropped), the responses to the requests
    /// already sent are yielded, then the error, then the stream ends.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u32| async move { Ok::<_, ()>(x * 10) });
    /// let requests = futures::stream::iter([1, 2, 3]);
    /// let responses: Vec<_> = futures::executor::block_on(svc.call_all(requests).collect());
    /// assert_eq!(responses, [Ok(10), Ok(20), Ok(30)]);
    /// ```
    #[must_use = "streams do nothing unless polled"]
    pub struct CallAll<S, St>
    where
        St: Stream,
        S: Service<St::Item>,
    {
        #[pin]
        requests: St,
        calls: Calls<S, St::Item>,
    }
}

impl<S, St> CallAll<S, St>
where
    St: Stream,
    S: Service<St::Item>,
{
    /// Returns a stream calling `service` with each request of `requests`.
    pub fn new(service: S, requests: St) -> Self {
        CallAll {
            requests,
            calls: Calls::new(service, Order::Requests),
        }
    }

    /// Turns this stream into one that yields responses as they finish, keeping the
    /// requests in flight and the responses not yet yielded.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures::StreamExt;
    /// use svc_trait::{service_fn, ServiceExt};
    ///
    /// let svc = service_fn(|x: u32| async move { Ok::<_, ()>(x) });
    /// let stream = svc.call_all(futures::stream::iter([1, 2])).unordered();
    /// let mut responses: Vec<_> = futures::executor::block_on(stream.collect());
    /// responses.sort();
    /// assert_eq!(responses, [Ok(1), Ok(2)]);
    /// ```
    pub fn unordered(self) -> CallAllUnordered<S, St> {
        CallAllUnordered::from_parts(self.requests, self.calls.into_unordered())
    }

    /// Returns the service, dropping the request stream, the buffered request and the
    /// requests in flight.
    ///
    /// The service holds no readiness: `CallAll` only polls it with a request at hand and
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

impl<S, St> Stream for CallAll<S, St>
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

impl<S, St> FusedStream for CallAll<S, St>
where
    St: Stream,
    S: Service<St::Item>,
{
    fn is_terminated(&self) -> bool {
        self.calls.is_terminated()
    }
}

impl<S, St> fmt::Debug for CallAll<S, St>
where
    St: Stream + fmt::Debug,
    S: Service<St::Item> + fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallAll")
            .field("requests", &self.requests)
            .field("calls", &self.calls)
            .finish()
    }
}
