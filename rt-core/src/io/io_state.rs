//! `IoState`: the per-registration state shared by the reactor and the tasks using the
//! source — the readiness word and the waiters.
//!
//! # Protocol
//!
//! - **Delivering an event** (the reactor, under its table lock): bump the tick and OR
//!   the kinds into the word ([`set_readiness`](IoState::set_readiness)), *then* take
//!   the waiter lock and collect the wakers whose interest the event satisfies
//!   ([`wake`](IoState::wake)). The wakers are woken after every lock is released.
//! - **Waiting** (a task): check the word; if not ready, take the waiter lock, store the
//!   waker, and check the word *again* before returning `Pending`. Either the event's
//!   store came before the reactor took the waiter lock and the task's second check
//!   (made under that lock, after it) sees it, or the reactor takes the lock after the
//!   task released it and finds the waker. No wake-up is lost.
//! - **Clearing** after `WouldBlock`: a compare-and-swap that only succeeds while the
//!   tick is the one observed with the readiness (see `state.rs`).
//! - **Shutdown**: set the flag, then wake every waiter; every later check fails.
//!
//! Size matters here (one per open socket): the word, one lock, two waker slots and the
//! head of an intrusive list, no padding.

use std::fmt;
use std::io;
use std::task::{Context, Poll, Waker};

use super::error;
use super::interest::Interest;
use super::readiness::{Readiness, Waiter};
use super::ready::{Ready, ReadyEvent};
use super::state::Snapshot;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::sync::wait_list::WaitList;

/// The direction of a single-slot readiness poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    pub(crate) fn interest(self) -> Interest {
        match self {
            Direction::Read => Interest::READABLE,
            Direction::Write => Interest::WRITABLE,
        }
    }
}

/// The shared state of one registration.
pub(crate) struct IoState {
    /// The readiness word (`state.rs`).
    word: AtomicUsize,
    waiters: Mutex<Waiters>,
}

/// Who waits for readiness; guarded by `IoState::waiters`.
pub(crate) struct Waiters {
    /// The task in `poll_read_ready` (one slot: the poller holds the source `&mut`, or
    /// is the only reader).
    reader: Option<Waker>,
    /// The task in `poll_write_ready`.
    writer: Option<Waker>,
    /// The `readiness()` futures, any number of them (intrusive, see `readiness.rs`).
    pub(crate) list: WaitList<Waiter>,
}

impl IoState {
    pub(crate) fn new() -> IoState {
        IoState {
            word: AtomicUsize::new(Snapshot::INITIAL.0),
            waiters: Mutex::new(Waiters {
                reader: None,
                writer: None,
                list: WaitList::new(),
            }),
        }
    }

    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot(self.word.load(Ordering::Acquire))
    }

    /// The readiness `interest` asks for, an error after shutdown, or `None`.
    pub(crate) fn ready_event(&self, interest: Interest) -> Option<io::Result<ReadyEvent>> {
        let snapshot = self.snapshot();
        if snapshot.is_shutdown() {
            return Some(Err(error::shutdown()));
        }
        snapshot.event(interest.mask()).map(Ok)
    }

    /// Records an event reporting `ready` (bumps the tick). No-op after shutdown.
    pub(crate) fn set_readiness(&self, ready: Ready) {
        let _ = self.word.fetch_update(Ordering::AcqRel, Ordering::Acquire, |word| {
            let snapshot = Snapshot(word);
            (!snapshot.is_shutdown()).then(|| snapshot.with_event(ready).0)
        });
    }

    /// Clears the kinds of `event`, unless an event arrived since it was observed.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        let mut current = self.word.load(Ordering::Acquire);
        loop {
            let snapshot = Snapshot(current);
            if snapshot.tick() != event.tick {
                return; // A newer event: keep its readiness.
            }
            let new = snapshot.without(event.ready);
            if new == snapshot {
                return;
            }
            match self
                .word
                .compare_exchange_weak(current, new.0, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Collects into `wakers` the waiters that `ready` satisfies (call after
    /// [`set_readiness`](IoState::set_readiness); wake them with no lock held).
    pub(crate) fn wake(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut waiters = self.waiters.lock();
        if !ready.intersection(Interest::READABLE.mask()).is_empty() {
            wakers.extend(waiters.reader.take());
        }
        if !ready.intersection(Interest::WRITABLE.mask()).is_empty() {
            wakers.extend(waiters.writer.take());
        }
        if !waiters.list.is_empty() {
            waiters.wake_list(ready, wakers);
        }
    }

    /// Marks the registration shut down and collects every waiter into `wakers`.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.word.fetch_or(Snapshot::SHUTDOWN_FLAG, Ordering::AcqRel);
        self.wake(Ready::ALL, wakers);
    }

    /// The single-slot readiness poll of `direction`; consumes one unit of the
    /// cooperative budget when it returns `Ready`.
    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<io::Result<ReadyEvent>> {
        let coop = std::task::ready!(crate::coop::poll_proceed(cx));
        let interest = direction.interest();
        if let Some(result) = self.ready_event(interest) {
            coop.made_progress();
            return Poll::Ready(result);
        }
        let mut waiters = self.waiters.lock();
        let slot = match direction {
            Direction::Read => &mut waiters.reader,
            Direction::Write => &mut waiters.writer,
        };
        let old = match slot {
            Some(waker) if waker.will_wake(cx.waker()) => None,
            _ => slot.replace(cx.waker().clone()),
        };
        // Checked again under the waiter lock (see the module docs).
        let result = self.ready_event(interest);
        drop(waiters);
        drop(old);
        match result {
            Some(result) => {
                coop.made_progress();
                Poll::Ready(result)
            }
            None => Poll::Pending,
        }
    }

    /// The multi-waiter readiness future.
    pub(crate) fn readiness(&self, interest: Interest) -> Readiness<'_> {
        Readiness::new(self, interest)
    }

    pub(crate) fn lock_waiters(&self) -> crate::loom::sync::MutexGuard<'_, Waiters> {
        self.waiters.lock()
    }
}

impl fmt::Debug for IoState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let snapshot = self.snapshot();
        f.debug_struct("IoState")
            .field("ready", &snapshot.ready())
            .field("tick", &snapshot.tick())
            .field("shutdown", &snapshot.is_shutdown())
            .finish_non_exhaustive()
    }
}
