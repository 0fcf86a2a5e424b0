//! [`Mock`]: the service side of a mock pair.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use svc_trait::Service;

use crate::error::Error;
use crate::handle::SendResponse;
use crate::response::{self, ResponseFuture};
use crate::shared::{Shared, UNLIMITED};

/// A service whose readiness and answers are controlled by a [`Handle`](crate::Handle).
///
/// Readiness follows the pair's allowance (see [`Handle::allow`](crate::Handle::allow)):
/// a `poll_ready` that returns `Ready(Ok(()))` takes one reservation, held by this value
/// until it calls or [`disarm`](Service::disarm)s (or is dropped), so tests can check that
/// middleware releases abandoned readiness ([`Handle::reserved`](crate::Handle::reserved)).
///
/// Clones share the handle; each clone has its own readiness (a clone of a ready mock is
/// not ready).
///
/// # Errors
///
/// `poll_ready` fails with [`Error::is_closed`] once the handle is dropped, and with the
/// injected error once [`Handle::send_error`](crate::Handle::send_error) was called.
///
/// # Panics
///
/// `call` panics if this mock does not hold a reservation: that is, if the caller broke
/// the `Service` contract by calling without `poll_ready` returning `Ready(Ok(()))`.
pub struct Mock<Req, Resp> {
    shared: Arc<Shared<Req, Resp>>,
    id: u64,
    ready: bool,
}

impl<Req, Resp> Mock<Req, Resp> {
    pub(crate) fn new(shared: Arc<Shared<Req, Resp>>) -> Self {
        let id = {
            let mut st = shared.lock();
            st.mocks += 1;
            st.next_id += 1;
            st.next_id
        };
        Mock {
            shared,
            id,
            ready: false,
        }
    }

    /// Returns true if this mock holds a reservation.
    pub fn is_ready(&self) -> bool {
        self.ready
    }
}

impl<Req, Resp> Service<Req> for Mock<Req, Resp> {
    type Response = Resp;
    type Error = Error;
    type Future = ResponseFuture<Resp>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut st = self.shared.lock();
        if st.handle_dropped {
            return Poll::Ready(Err(Error::closed()));
        }
        if let Some(e) = &st.error {
            return Poll::Ready(Err(e.clone()));
        }
        if self.ready {
            return Poll::Ready(Ok(()));
        }
        if st.allowance == 0 {
            st.register_ready_waker(self.id, cx.waker());
            return Poll::Pending;
        }
        if st.allowance != UNLIMITED {
            st.allowance -= 1;
        }
        st.reserved += 1;
        st.remove_ready_waker(self.id);
        self.ready = true;
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Req) -> ResponseFuture<Resp> {
        assert!(
            self.ready,
            "mock service called before poll_ready returned Ready(Ok(()))"
        );
        self.ready = false;
        let (chan, fut) = response::channel();
        let waker = {
            let mut st = self.shared.lock();
            st.reserved -= 1;
            st.calls += 1;
            if st.handle_dropped {
                return ResponseFuture::failed(Error::closed());
            }
            st.queue.push_back((req, SendResponse::new(chan)));
            st.handle_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
        fut
    }

    fn disarm(&mut self) {
        if !self.ready {
            return;
        }
        self.ready = false;
        let wakers = {
            let mut st = self.shared.lock();
            st.release_reservation();
            st.take_ready_wakers()
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl<Req, Resp> Clone for Mock<Req, Resp> {
    /// Returns a mock sharing the handle, not ready.
    fn clone(&self) -> Self {
        Mock::new(self.shared.clone())
    }
}

impl<Req, Resp> Drop for Mock<Req, Resp> {
    fn drop(&mut self) {
        let (ready_wakers, handle_waker) = {
            let mut st = self.shared.lock();
            st.mocks -= 1;
            st.remove_ready_waker(self.id);
            let ready_wakers = if self.ready {
                st.release_reservation();
                st.take_ready_wakers()
            } else {
                Vec::new()
            };
            let handle_waker = if st.mocks == 0 { st.handle_waker.take() } else { None };
            (ready_wakers, handle_waker)
        };
        ready_wakers.into_iter().for_each(Waker::wake);
        if let Some(w) = handle_waker {
            w.wake();
        }
    }
}

impl<Req, Resp> fmt::Debug for Mock<Req, Resp> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mock")
            .field("id", &self.id)
            .field("ready", &self.ready)
            .finish()
    }
}
