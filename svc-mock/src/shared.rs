//! State shared by the mocks of one pair and their handle.
//!
//! Everything lives behind one `std::sync::Mutex`: the mock is a test tool, so simplicity
//! beats speed. Wakers are always woken after the lock is released.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use crate::error::Error;
use crate::handle::SendResponse;

/// The allowance value meaning "no limit".
pub(crate) const UNLIMITED: u64 = u64::MAX;

pub(crate) struct Shared<Req, Resp> {
    state: Mutex<State<Req, Resp>>,
}

pub(crate) struct State<Req, Resp> {
    /// Reservations that may still be taken; `UNLIMITED` means no limit.
    pub(crate) allowance: u64,
    /// Reservations held by mocks right now (ready, not yet called or disarmed).
    pub(crate) reserved: usize,
    /// Calls made so far.
    pub(crate) calls: u64,
    /// The error injected with `Handle::send_error`: every later `poll_ready` fails with it.
    pub(crate) error: Option<Error>,
    /// Set when the handle is dropped.
    pub(crate) handle_dropped: bool,
    /// Live mocks (clones included).
    pub(crate) mocks: usize,
    /// Requests called but not yet taken by the handle.
    pub(crate) queue: VecDeque<(Req, SendResponse<Resp>)>,
    /// The handle's task waiting for a request.
    pub(crate) handle_waker: Option<Waker>,
    /// Mocks waiting in `poll_ready`, by mock id.
    pub(crate) ready_wakers: Vec<(u64, Waker)>,
    /// Next mock id.
    pub(crate) next_id: u64,
}

impl<Req, Resp> Shared<Req, Resp> {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Shared {
            state: Mutex::new(State {
                allowance: UNLIMITED,
                reserved: 0,
                calls: 0,
                error: None,
                handle_dropped: false,
                mocks: 0,
                queue: VecDeque::new(),
                handle_waker: None,
                ready_wakers: Vec::new(),
                next_id: 0,
            }),
        })
    }

    /// Locks the state. A panic in another test thread while holding the lock does not
    /// make the mock unusable: the state is plain data, always consistent between
    /// statements.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State<Req, Resp>> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<Req, Resp> State<Req, Resp> {
    /// Takes every waiting mock's waker, to be woken after the lock is released.
    pub(crate) fn take_ready_wakers(&mut self) -> Vec<Waker> {
        self.ready_wakers.drain(..).map(|(_, w)| w).collect()
    }

    /// Registers (or replaces) the waker of mock `id`.
    pub(crate) fn register_ready_waker(&mut self, id: u64, waker: &Waker) {
        match self.ready_wakers.iter_mut().find(|(i, _)| *i == id) {
            Some((_, w)) => w.clone_from(waker),
            None => self.ready_wakers.push((id, waker.clone())),
        }
    }

    /// Forgets the waker of mock `id` (dropped, or no longer waiting).
    pub(crate) fn remove_ready_waker(&mut self, id: u64) {
        self.ready_wakers.retain(|(i, _)| *i != id);
    }

    /// Gives one reservation back to the allowance.
    pub(crate) fn release_reservation(&mut self) {
        self.reserved -= 1;
        if self.allowance != UNLIMITED {
            self.allowance += 1;
        }
    }
}
