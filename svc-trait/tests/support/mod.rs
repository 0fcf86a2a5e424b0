//! Shared helpers: a service counting reservations, and a poll helper.
#![allow(dead_code, unreachable_pub)]

use std::cell::Cell;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use svc_trait::Service;

/// Counters shared by a [`Counting`] service and its test.
#[derive(Debug, Default)]
pub struct Counts {
    /// Reservations currently held (taken in `poll_ready`, not yet called or disarmed).
    pub held: Cell<usize>,
    /// Calls made.
    pub calls: Cell<usize>,
    /// Reservations released by `disarm`.
    pub disarms: Cell<usize>,
}

/// A service that reserves one unit in `poll_ready`, consumes it in `call` and
/// releases it in `disarm`. It echoes requests.
#[derive(Debug, Clone)]
pub struct Counting {
    pub counts: Rc<Counts>,
    reserved: bool,
}

impl Counting {
    pub fn new() -> (Self, Rc<Counts>) {
        let counts = Rc::new(Counts::default());
        (
            Counting {
                counts: counts.clone(),
                reserved: false,
            },
            counts,
        )
    }
}

impl<T> Service<T> for Counting {
    type Response = T;
    type Error = &'static str;
    type Future = Ready<Result<T, &'static str>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        if !self.reserved {
            self.reserved = true;
            self.counts.held.set(self.counts.held.get() + 1);
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: T) -> Self::Future {
        assert!(self.reserved, "called without readiness");
        self.reserved = false;
        self.counts.held.set(self.counts.held.get() - 1);
        self.counts.calls.set(self.counts.calls.get() + 1);
        ready(Ok(req))
    }

    fn disarm(&mut self) {
        if std::mem::take(&mut self.reserved) {
            self.counts.held.set(self.counts.held.get() - 1);
            self.counts.disarms.set(self.counts.disarms.get() + 1);
        }
    }
}

/// Polls `fut` once with a no-op waker.
pub fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    pin!(fut).poll(&mut cx)
}

/// Drives `svc` to readiness with a no-op waker, panicking if it is not ready at once.
pub fn make_ready<S: Service<R>, R>(svc: &mut S) {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        _ => panic!("service not ready"),
    }
}
