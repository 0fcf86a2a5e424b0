//! `Readiness`: the multi-waiter readiness future behind `PollEvented::readiness`.
//!
//! Any number of these may wait on one registration at once (tasks sharing a socket
//! through `&`). Each embeds a [`Node`] that it links into the registration's
//! [`WaitList`] while it waits; the reactor unlinks the nodes whose interest an event
//! satisfies, takes their wakers, and sets their `woken` flag (`Release`) as its last
//! access to the node (invariant 3 of `wait_list.rs`). Nothing is allocated per wait.
//!
//! A woken waiter checks the readiness word again: another waiter may have consumed
//! and cleared the readiness in between, and then it links itself again.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::interest::Interest;
use super::io_state::{IoState, Waiters};
use super::ready::{Ready, ReadyEvent};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::sync::wait_list::{Node, WaitList};

/// The payload of a waiter's node.
#[derive(Debug)]
pub(crate) struct Waiter {
    /// What the waiter waits for (fixed while linked).
    interest: Interest,
    /// Set by the reactor when it unlinked the node and took its waker; its last
    /// access to the node.
    woken: AtomicBool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Not linked yet.
    Init,
    /// Linked, or unlinked by the reactor (then `woken` is set).
    Waiting,
    /// Completed.
    Done,
}

/// Resolves once the registration has any of the readiness `interest` asks for (or
/// fails once the driver shut down).
#[must_use = "futures do nothing unless polled"]
pub(crate) struct Readiness<'a> {
    io: &'a IoState,
    interest: Interest,
    stage: Stage,
    node: Node<Waiter>,
}

impl<'a> Readiness<'a> {
    pub(crate) fn new(io: &'a IoState, interest: Interest) -> Readiness<'a> {
        Readiness {
            io,
            interest,
            stage: Stage::Init,
            node: Node::new(Waiter {
                interest,
                woken: AtomicBool::new(false),
            }),
        }
    }

    fn poll_readiness(&mut self, waker: &Waker) -> Poll<io::Result<ReadyEvent>> {
        assert_ne!(self.stage, Stage::Done, "`Readiness` polled after completion");
        // Lock-free: ready (or shut down) while not linked.
        if self.stage == Stage::Init || self.node.value().woken.load(Ordering::Acquire) {
            if let Some(result) = self.io.ready_event(self.interest) {
                self.stage = Stage::Done;
                return Poll::Ready(result);
            }
        }
        let node = NonNull::from(&self.node);
        let mut waiters = self.io.lock_waiters();
        // Under the lock `woken` is exact: the reactor sets it under this lock.
        let linked = self.stage == Stage::Waiting && !self.node.value().woken.load(Ordering::Acquire);
        if let Some(result) = self.io.ready_event(self.interest) {
            // SAFETY: the lock is held; the node is ours, valid, and linked into this
            // registration's list or into none.
            let old = unsafe {
                if linked {
                    waiters.list.remove(node);
                }
                self.node.take_waker()
            };
            drop(waiters);
            drop(old);
            self.stage = Stage::Done;
            return Poll::Ready(result);
        }
        // SAFETY: the lock is held (`set_waker`, `push_back`). When `linked` is false the
        // node is in no list: never linked yet, or unlinked by the reactor, which set
        // `woken` under this lock as its last access. It is pinned (the future is only
        // polled through `Pin`) and stays valid while linked: `drop`, which `Pin`
        // guarantees runs before the memory is reused, unlinks it under this lock unless
        // the reactor did. A leaked future leaks the node too (invariant 3).
        unsafe {
            self.node.set_waker(waker);
            if !linked {
                self.node.value().woken.store(false, Ordering::Relaxed);
                waiters.list.push_back(node);
            }
        }
        self.stage = Stage::Waiting;
        Poll::Pending
    }
}

impl Future for Readiness<'_> {
    type Output = io::Result<ReadyEvent>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        // SAFETY: `node` is never moved out of the pinned future (the other fields are
        // plain data used in place), and a linked node is unlinked in `drop`.
        let this = unsafe { self.get_unchecked_mut() };
        let coop = std::task::ready!(crate::coop::poll_proceed(cx));
        let result = this.poll_readiness(cx.waker());
        if result.is_ready() {
            coop.made_progress();
        }
        result
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting || self.node.value().woken.load(Ordering::Acquire) {
            return; // Not linked, and the reactor is done with the node.
        }
        let mut waiters = self.io.lock_waiters();
        // SAFETY: the lock is held; the node is valid (we own it) and linked into this
        // registration's list, or into none if the reactor unlinked it meanwhile.
        let old = unsafe {
            waiters.list.remove(NonNull::from(&self.node));
            self.node.take_waker()
        };
        drop(waiters);
        drop(old);
    }
}

impl fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Readiness")
            .field("interest", &self.interest)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl Waiters {
    /// Unlinks the waiters `ready` satisfies and collects their wakers; the others stay
    /// linked, in order. Called with the waiter lock held (`&mut self`).
    pub(crate) fn wake_list(&mut self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut keep = WaitList::new();
        while let Some(node) = self.list.pop_front() {
            // SAFETY: a node is valid until its owner sees `woken` or unlinks it under
            // the lock we hold (invariant 3 of `wait_list.rs`).
            let waiter = unsafe { node.as_ref() };
            if ready.intersection(waiter.value().interest.mask()).is_empty() {
                // SAFETY: pinned, valid (its owner sees neither `woken` nor an unlinked
                // node before we release the lock), and just unlinked. The nodes point
                // only at each other, never at the list, so `keep` can be moved into
                // `self.list`, the list their owners `remove` them from (invariant 4).
                unsafe { keep.push_back(node) };
                continue;
            }
            // SAFETY: the lock is held.
            wakers.extend(unsafe { waiter.take_waker() });
            // The last access: the owner may free the node once it sees this.
            waiter.value().woken.store(true, Ordering::Release);
        }
        self.list = keep;
    }
}

#[cfg(all(test, not(loom)))]
mod tests;
