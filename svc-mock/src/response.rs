//! The one-shot channel between a [`SendResponse`](crate::SendResponse) and the
//! [`ResponseFuture`] of one call.
//!
//! A slot behind a mutex holds the answer and the waiting task's waker. The sender writes
//! once (an answer, an error, or "dropped" from its `Drop`); the future takes the answer
//! once. Either side going away is recorded so the other can see it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use crate::error::Error;

pub(crate) struct Slot<T> {
    value: Option<Result<T, Error>>,
    waker: Option<Waker>,
    receiver_dropped: bool,
}

pub(crate) type Chan<T> = Arc<Mutex<Slot<T>>>;

pub(crate) fn channel<T>() -> (Chan<T>, ResponseFuture<T>) {
    let chan = Arc::new(Mutex::new(Slot {
        value: None,
        waker: None,
        receiver_dropped: false,
    }));
    (
        chan.clone(),
        ResponseFuture {
            state: State::Waiting(chan),
        },
    )
}

pub(crate) fn lock<T>(chan: &Chan<T>) -> MutexGuard<'_, Slot<T>> {
    chan.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Stores the answer and wakes the waiting future, if any.
pub(crate) fn complete<T>(chan: &Chan<T>, value: Result<T, Error>) {
    let waker = {
        let mut slot = lock(chan);
        slot.value = Some(value);
        slot.waker.take()
    };
    if let Some(w) = waker {
        w.wake();
    }
}

/// Returns true if the response future of this call was dropped.
pub(crate) fn is_canceled<T>(chan: &Chan<T>) -> bool {
    lock(chan).receiver_dropped
}

/// The response future of a [`Mock`](crate::Mock) call.
///
/// Resolves when the test answers through the [`SendResponse`](crate::SendResponse) it got
/// from the [`Handle`](crate::Handle), or fails with [`Error::is_dropped`] if that
/// responder is dropped, or [`Error::is_closed`] if the handle was gone at call time.
///
/// It is `Unpin`, cancel safe (dropping it is seen by
/// [`SendResponse::is_canceled`](crate::SendResponse::is_canceled)), and panics if polled
/// after it has returned its answer.
#[must_use = "futures do nothing unless polled"]
pub struct ResponseFuture<T> {
    state: State<T>,
}

enum State<T> {
    Waiting(Chan<T>),
    Failed(Option<Error>),
}

impl<T> ResponseFuture<T> {
    pub(crate) fn failed(e: Error) -> Self {
        ResponseFuture {
            state: State::Failed(Some(e)),
        }
    }
}

impl<T> Future for ResponseFuture<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.state {
            State::Failed(e) => Poll::Ready(Err(e.take().expect("mock `ResponseFuture` polled after completion"))),
            State::Waiting(chan) => {
                let answer = {
                    let mut slot = lock(chan);
                    let answer = slot.value.take();
                    if answer.is_none() {
                        slot.waker = Some(cx.waker().clone());
                    }
                    answer
                };
                match answer {
                    Some(v) => {
                        // Done: a later poll panics instead of waiting forever.
                        self.state = State::Failed(None);
                        Poll::Ready(v)
                    }
                    None => Poll::Pending,
                }
            }
        }
    }
}

impl<T> Drop for ResponseFuture<T> {
    fn drop(&mut self) {
        if let State::Waiting(chan) = &self.state {
            let mut slot = lock(chan);
            slot.receiver_dropped = true;
            slot.waker = None;
        }
    }
}

impl<T> fmt::Debug for ResponseFuture<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}
