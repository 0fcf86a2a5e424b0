//! Shared helpers: a service counting reservations, and a poll helper.
#![allow(dead_code, unreachable_pub)]

use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use svc_trait::Service;

/// A counter readable and writable from tests (`Send + Sync`).
#[derive(Debug, Default)]
pub struct Counter(AtomicUsize);

impl Counter {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    pub fn set(&self, n: usize) {
        self.0.store(n, Ordering::SeqCst)
    }
}

/// Counters shared by a [`Counting`] service and its test.
#[derive(Debug, Default)]
pub struct Counts {
    /// Reservations currently held (taken in `poll_ready`, not yet called or disarmed).
    pub held: Counter,
    /// Calls made.
    pub calls: Counter,
    /// Reservations released by `disarm`.
    pub disarms: Counter,
}

/// A service that reserves one unit in `poll_ready`, consumes it in `call` and
/// releases it in `disarm`. It echoes requests. A clone shares the counters but not the
/// reservation.
#[derive(Debug)]
pub struct Counting {
    pub counts: Arc<Counts>,
    reserved: bool,
}

impl Counting {
    pub fn new() -> (Self, Arc<Counts>) {
        let counts = Arc::new(Counts::default());
        (
            Counting {
                counts: counts.clone(),
                reserved: false,
            },
            counts,
        )
    }
}

impl Clone for Counting {
    fn clone(&self) -> Self {
        Counting {
            counts: self.counts.clone(),
            reserved: false,
        }
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

/// A service whose readiness the test sets: `Pending` until opened, then ready, or failed
/// for good. It echoes requests.
#[derive(Debug, Default)]
pub struct Gate {
    pub open: bool,
    pub failed: bool,
    pub polls: usize,
}

impl<T> Service<T> for Gate {
    type Response = T;
    type Error = &'static str;
    type Future = Ready<Result<T, &'static str>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.polls += 1;
        if self.failed {
            Poll::Ready(Err("failed"))
        } else if self.open {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    fn call(&mut self, req: T) -> Self::Future {
        assert!(self.open && !self.failed, "called without readiness");
        ready(Ok(req))
    }
}

/// Answers to the requests of a [`Manual`] service: `(request, sender)` in call order.
pub type Pending<T> = Arc<std::sync::Mutex<Vec<(T, futures::channel::oneshot::Sender<Result<T, &'static str>>)>>>;

/// A service that is always ready and whose responses the test sends by hand, in any
/// order; a dropped sender fails the response with `"dropped"`.
#[derive(Debug)]
pub struct Manual<T> {
    pub pending: Pending<T>,
}

impl<T> Manual<T> {
    pub fn new() -> (Self, Pending<T>) {
        let pending: Pending<T> = Arc::default();
        (
            Manual {
                pending: pending.clone(),
            },
            pending,
        )
    }
}

/// Response future of [`Manual`].
#[derive(Debug)]
pub struct Answer<T>(futures::channel::oneshot::Receiver<Result<T, &'static str>>);

impl<T> Future for Answer<T> {
    type Output = Result<T, &'static str>;

    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or(Err("dropped")))
    }
}

impl<T: Clone> Service<T> for Manual<T> {
    type Response = T;
    type Error = &'static str;
    type Future = Answer<T>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: T) -> Self::Future {
        let (tx, rx) = futures::channel::oneshot::channel();
        self.pending.lock().unwrap().push((req, tx));
        Answer(rx)
    }
}

/// Answers the pending request `req` of a [`Manual`] service with `Ok(req)`.
pub fn answer<T: PartialEq + Clone>(pending: &Pending<T>, req: &T) {
    let mut pending = pending.lock().unwrap();
    let index = pending
        .iter()
        .position(|(r, _)| r == req)
        .expect("no such request pending");
    let (r, tx) = pending.remove(index);
    let _ = tx.send(Ok(r));
}
