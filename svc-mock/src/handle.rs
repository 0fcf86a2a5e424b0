//! [`Handle`]: the test's side of a mock pair, and [`SendResponse`], the answer to one call.

use std::fmt;
use std::future::{poll_fn, Future};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::error::{BoxError, Error};
use crate::response::{self, Chan};
use crate::shared::Shared;

/// Controls the readiness of the [`Mock`](crate::Mock)s of a pair and answers their calls.
///
/// Dropping the handle closes the pair: every later `poll_ready` fails with
/// [`Error::is_closed`], and requests not yet taken are answered with
/// [`Error::is_dropped`].
pub struct Handle<Req, Resp> {
    shared: Arc<Shared<Req, Resp>>,
}

impl<Req, Resp> Handle<Req, Resp> {
    pub(crate) fn new(shared: Arc<Shared<Req, Resp>>) -> Self {
        Handle { shared }
    }

    /// Sets how many reservations the mocks may still take (initially unlimited).
    ///
    /// Each `poll_ready` that returns `Ready(Ok(()))` without already being ready takes one;
    /// [`disarm`](svc_trait::Service::disarm) and dropping a ready mock give it back. With an
    /// allowance of 0, `poll_ready` returns `Pending` until the allowance grows, which wakes
    /// every waiting mock.
    pub fn allow(&self, n: u64) {
        let wakers = {
            let mut st = self.shared.lock();
            st.allowance = n;
            st.take_ready_wakers()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Returns the reservations the mocks may still take (`u64::MAX`: unlimited).
    pub fn allowance(&self) -> u64 {
        self.shared.lock().allowance
    }

    /// Makes every later `poll_ready`, on every clone of the mock, fail with `e`
    /// (a terminal readiness error), and wakes the mocks waiting for readiness.
    pub fn send_error(&self, e: impl Into<BoxError>) {
        let wakers = {
            let mut st = self.shared.lock();
            st.error = Some(Error::injected(e.into()));
            st.take_ready_wakers()
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    /// Returns how many reservations the mocks hold now: ready, not yet called or disarmed.
    pub fn reserved(&self) -> usize {
        self.shared.lock().reserved
    }

    /// Returns how many calls the mocks have made.
    pub fn calls(&self) -> u64 {
        self.shared.lock().calls
    }

    /// Returns how many mocks (clones included) are alive.
    pub fn mocks(&self) -> usize {
        self.shared.lock().mocks
    }

    /// Waits for the next call and returns its request and responder.
    ///
    /// Returns `None` once every mock is dropped and no call is left.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a request is taken only when the future returns it.
    pub fn next_request(&mut self) -> impl Future<Output = Option<(Req, SendResponse<Resp>)>> + '_ {
        poll_fn(move |cx| self.poll_request(cx))
    }

    /// Returns the next call if one is waiting.
    pub fn try_next_request(&mut self) -> Option<(Req, SendResponse<Resp>)> {
        self.shared.lock().queue.pop_front()
    }

    /// Polls for the next call; `Ready(None)` once every mock is dropped and none is left.
    pub fn poll_request(&mut self, cx: &mut Context<'_>) -> Poll<Option<(Req, SendResponse<Resp>)>> {
        let mut st = self.shared.lock();
        if let Some(call) = st.queue.pop_front() {
            return Poll::Ready(Some(call));
        }
        if st.mocks == 0 {
            return Poll::Ready(None);
        }
        st.handle_waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl<Req, Resp> Drop for Handle<Req, Resp> {
    fn drop(&mut self) {
        let (queue, wakers) = {
            let mut st = self.shared.lock();
            st.handle_dropped = true;
            (std::mem::take(&mut st.queue), st.take_ready_wakers())
        };
        // Dropping the responders answers the queued calls with `is_dropped`.
        drop(queue);
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl<Req, Resp> fmt::Debug for Handle<Req, Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.shared.lock();
        f.debug_struct("Handle")
            .field("allowance", &st.allowance)
            .field("reserved", &st.reserved)
            .field("calls", &st.calls)
            .field("queued", &st.queue.len())
            .finish()
    }
}

/// Answers one call of a mock; got from [`Handle::next_request`].
///
/// Dropping it without answering fails the call's response future with
/// [`Error::is_dropped`].
pub struct SendResponse<Resp> {
    chan: Option<Chan<Resp>>,
}

impl<Resp> SendResponse<Resp> {
    pub(crate) fn new(chan: Chan<Resp>) -> Self {
        SendResponse { chan: Some(chan) }
    }

    /// Answers the call with `resp`.
    pub fn send_response(mut self, resp: Resp) {
        if let Some(chan) = self.chan.take() {
            response::complete(&chan, Ok(resp));
        }
    }

    /// Fails the call with `e` (the response future's error is [`Error::is_injected`]).
    pub fn send_error(mut self, e: impl Into<BoxError>) {
        if let Some(chan) = self.chan.take() {
            response::complete(&chan, Err(Error::injected(e.into())));
        }
    }

    /// Returns true if the caller dropped the call's response future.
    pub fn is_canceled(&self) -> bool {
        self.chan.as_ref().is_none_or(response::is_canceled)
    }
}

impl<Resp> Drop for SendResponse<Resp> {
    fn drop(&mut self) {
        if let Some(chan) = self.chan.take() {
            response::complete(&chan, Err(Error::dropped()));
        }
    }
}

impl<Resp> fmt::Debug for SendResponse<Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendResponse")
            .field("canceled", &self.is_canceled())
            .finish()
    }
}
