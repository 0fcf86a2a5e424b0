//! The request body channel: the connection task reads body bytes from the socket only
//! when the handler asks for them (so `Expect: 100-continue` is answered exactly when a
//! handler reads the body), and hands them over one chunk at a time.
//!
//! Protocol: the receiver sets `want` when it finds the slot empty; the sender fills the
//! slot only while `want` is set ([`Sender::poll_want`]), and each side wakes the other
//! after changing the state. All of it under one `std` mutex, never held across a poll
//! of anything else.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

use crate::body::{BodyStream, SizeHint};
use crate::error::Error;

#[derive(Debug, Default)]
struct State {
    chunk: Option<Result<Bytes, Error>>,
    want: bool,
    finished: bool,
    tx_gone: bool,
    rx_gone: bool,
    remaining: Option<u64>,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

#[derive(Debug)]
pub(crate) struct Sender {
    shared: Arc<Mutex<State>>,
}

#[derive(Debug)]
pub(crate) struct Receiver {
    shared: Arc<Mutex<State>>,
}

/// A channel for a body of `remaining` bytes (`None`: unknown).
pub(crate) fn channel(remaining: Option<u64>) -> (Sender, Receiver) {
    let shared = Arc::new(Mutex::new(State {
        remaining,
        ..State::default()
    }));
    (Sender { shared: shared.clone() }, Receiver { shared })
}

fn lock(shared: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while holding this lock cannot leave the state half-changed: recover.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sender {
    /// `Ready(true)`: the receiver waits for a chunk; `Ready(false)`: it is gone.
    pub(crate) fn poll_want(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        let mut state = lock(&self.shared);
        if state.rx_gone {
            return Poll::Ready(false);
        }
        if state.want && state.chunk.is_none() {
            return Poll::Ready(true);
        }
        state.tx_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    pub(crate) fn send(&mut self, item: Result<Bytes, Error>) {
        let mut state = lock(&self.shared);
        // An error is the body's last item.
        state.finished |= item.is_err();
        state.chunk = Some(item);
        state.want = false;
        if let Some(waker) = state.rx_waker.take() {
            drop(state);
            waker.wake();
        }
    }

    /// The body is complete.
    pub(crate) fn finish(self) {
        lock(&self.shared).finished = true;
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        let mut state = lock(&self.shared);
        state.tx_gone = true;
        if let Some(waker) = state.rx_waker.take() {
            drop(state);
            waker.wake();
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let mut state = lock(&self.shared);
        state.rx_gone = true;
        if let Some(waker) = state.tx_waker.take() {
            drop(state);
            waker.wake();
        }
    }
}

impl BodyStream for Receiver {
    fn poll_chunk(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Error>>> {
        let mut state = lock(&self.shared);
        if let Some(item) = state.chunk.take() {
            if let (Ok(chunk), Some(n)) = (&item, &mut state.remaining) {
                *n = n.saturating_sub(chunk.len() as u64);
            }
            return Poll::Ready(Some(item));
        }
        if state.finished {
            return Poll::Ready(None);
        }
        if state.tx_gone {
            state.finished = true;
            return Poll::Ready(Some(Err(Error::closed("request body abandoned by the connection"))));
        }
        state.want = true;
        state.rx_waker = Some(cx.waker().clone());
        let tx = state.tx_waker.take();
        drop(state);
        if let Some(waker) = tx {
            waker.wake();
        }
        Poll::Pending
    }

    fn size_hint(&self) -> SizeHint {
        match lock(&self.shared).remaining {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::new(),
        }
    }
}
