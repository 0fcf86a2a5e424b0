//! The state a channel's halves share ([`Chan`]), and the two handles on it: [`Tx`]
//! (inside every sender, permit and `PollSender`) and [`Rx`] (inside the receiver).
//!
//! # Who touches what
//!
//! * `tail` (the list's sending half): every sender; the receiver only to close it
//!   and, when recycling blocks, to link them after the last one.
//! * `head` (the list's receiving half, plus the receiver's close bookkeeping): only
//!   the one [`Rx`] (through `&mut`, or `&` for snapshots) and `Chan`'s `Drop`.
//! * `tx_count`: the number of [`Tx`] handles. The last one to leave wakes the
//!   receiver; the receiver reads it (`Acquire`) to learn that every message ever sent
//!   is visible.
//! * `bound`: the bounded channel's semaphore. A sender takes one permit per message
//!   before claiming an index; the receiver gives it back after taking the message
//!   out. A permit dropped unused is given back by its holder.
//! * `closed` and `closed_waiters`: set and woken once, by the receiver's `close` (or
//!   drop); `Sender::closed` futures wait in the list (see `closed.rs`).
//!
//! # When the receiver is done
//!
//! `recv` returns `None` once the list is empty and nothing more can arrive:
//!
//! * every sender is gone (`tx_count == 0`; the receiver then looks at the list once
//!   more, since the last messages may have been published just before), or
//! * unbounded, after `close`: every index claimed before the close was read (later
//!   claims are void), or
//! * bounded, after `close`: every permit is back (`available == max`), so no message
//!   is in the list and no permit taken before the close can still send one. Whoever
//!   gives a permit back after the close wakes the receiver.
//!
//! # Waking the receiver
//!
//! See `rx_waker.rs`: a send publishes its message, issues a `SeqCst` fence and wakes
//! the receiver only if a waker is registered; the receiver registers, issues a fence,
//! and checks again.

use std::fmt;
use std::mem;
use std::task::{ready, Context, Poll};

use super::block::{self, BLOCK_CAP};
use super::error::TryRecvError;
use super::list::{self, Head, Tail};
use super::rx_waker::RxWaker;
use crate::coop;
use crate::loom::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use crate::loom::sync::atomic::{fence, AtomicBool, AtomicUsize};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::{CachePadded, UnsafeCell};
use crate::sync::wait_list::{WaitList, WakeBatch};
use crate::sync::Semaphore;

/// How many drained blocks an unbounded channel keeps for reuse (beyond that, they
/// are freed, so a burst does not pin its peak memory).
const UNBOUNDED_SPARE_BLOCKS: usize = 32;

/// The shared state of one channel; see the module docs.
pub(super) struct Chan<T> {
    tail: CachePadded<Tail<T>>,
    rx_waker: CachePadded<RxWaker>,
    bound: Option<CachePadded<Bound>>,
    head: UnsafeCell<RxFields<T>>,
    tx_count: AtomicUsize,
    closed: AtomicBool,
    /// `Sender::closed` futures; a node's payload is set (`Release`) by the notifier
    /// once it is done with the node.
    closed_waiters: Mutex<WaitList<AtomicBool>>,
}

/// The bounded channel's capacity.
pub(super) struct Bound {
    /// One permit per free slot.
    pub(super) sem: Semaphore,
    /// The capacity the channel was created with.
    pub(super) max: usize,
}

/// The receiver's private state.
struct RxFields<T> {
    head: Head<T>,
    /// Set by the receiver's `close`.
    closed: bool,
    /// Unbounded, after `close`: the number of indices claimed before it.
    close_index: Option<usize>,
}

// SAFETY: the messages move between threads (hence `T: Send`); the receiver's fields
// are only touched by the one receiver handle (or by `Drop`, alone), and everything
// else is atomics, a lock, or the semaphore.
unsafe impl<T: Send> Send for Chan<T> {}
// SAFETY: as above: shared access never hands out a `&T` to a message.
unsafe impl<T: Send> Sync for Chan<T> {}

/// A new channel: a bounded one with `bound` slots, or an unbounded one.
pub(super) fn channel<T>(bound: Option<usize>) -> (Tx<T>, Rx<T>) {
    // Spare blocks worth keeping: enough to hold the whole bound, or a few.
    let max_spare = bound.map_or(UNBOUNDED_SPARE_BLOCKS, |max| max.div_ceil(BLOCK_CAP) + 1);
    let (tail, head) = list::list(max_spare);
    let chan = Arc::new(Chan {
        tail: CachePadded(tail),
        rx_waker: CachePadded(RxWaker::new()),
        bound: bound.map(|max| {
            CachePadded(Bound {
                sem: Semaphore::new(max),
                max,
            })
        }),
        head: UnsafeCell::new(RxFields {
            head,
            closed: false,
            close_index: None,
        }),
        tx_count: AtomicUsize::new(1),
        closed: AtomicBool::new(false),
        closed_waiters: Mutex::new(WaitList::new()),
    });
    (Tx { chan: chan.clone() }, Rx { chan })
}

impl<T> Chan<T> {
    /// The bounded channel's semaphore and capacity.
    ///
    /// # Panics
    ///
    /// On an unbounded channel (a bug: only bounded handles call it).
    pub(super) fn bound(&self) -> &Bound {
        self.bound.as_deref().expect("a bounded channel")
    }

    /// Gives back `n` permits taken and not used, waking the receiver if it closed
    /// (it may be waiting for the last permit to come back).
    pub(super) fn release_permits(&self, n: usize) {
        let sem = &self.bound().sem;
        sem.release(n);
        // After our release, so that either we see the close or the receiver's check,
        // which follows its close, sees our permits.
        if sem.is_closed() {
            self.rx_waker.wake();
        }
    }

    /// Wakes the receiver if it closed the channel: an acquire that failed or was
    /// dropped may have given back permits assigned to it.
    pub(super) fn wake_rx_if_closed(&self) {
        if self.bound().sem.is_closed() {
            self.rx_waker.wake();
        }
    }

    /// Whether the receiver closed the channel or is gone.
    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Acquire)
    }

    /// The wait list of `Sender::closed` futures, and the flag checked under its lock.
    pub(super) fn closed_waiters(&self) -> (&AtomicBool, &Mutex<WaitList<AtomicBool>>) {
        (&self.closed, &self.closed_waiters)
    }

    /// Sets `closed` and wakes every `Sender::closed` future (once).
    fn notify_closed(&self) {
        let mut list = self.closed_waiters.lock();
        // Under the lock, so that a future checking the flag under it either sees it
        // or is linked before we drain the list.
        if self.closed.swap(true, AcqRel) {
            return;
        }
        loop {
            let mut wakers = WakeBatch::new();
            while !wakers.is_full() {
                let Some(node) = list.pop_front() else { break };
                // SAFETY: a linked node is valid until its owner sees the flag below or
                // unlinks it under the lock we hold; the flag store is our last access.
                unsafe {
                    wakers.push(node.as_ref().take_waker());
                    node.as_ref().value().store(true, Release);
                }
            }
            let done = list.is_empty();
            drop(list);
            wakers.wake_all();
            if done {
                return;
            }
            list = self.closed_waiters.lock();
        }
    }
}

impl<T> Drop for Chan<T> {
    fn drop(&mut self) {
        let tail = &*self.tail;
        // SAFETY: the last handle is gone, so no sender touches the list any more.
        self.head.with_mut(|fields| unsafe { (*fields).head.free_all(tail) });
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan")
            .field("tail", &*self.tail)
            .field("senders", &self.tx_count.load(Relaxed))
            .field("closed", &self.closed.load(Relaxed))
            .field("max_capacity", &self.bound.as_ref().map(|b| b.max))
            .finish_non_exhaustive()
    }
}

/// A sender's handle: counted in `tx_count`, so the receiver knows when all are gone.
pub(super) struct Tx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Tx<T> {
    /// The shared state.
    pub(super) fn chan(&self) -> &Chan<T> {
        &self.chan
    }

    /// Appends `value` and wakes the receiver if it waits; gives the value back when
    /// the receiver closed the list (unbounded) or is gone.
    pub(super) fn push(&self, value: T) -> Result<(), T> {
        self.chan.tail.push(value)?;
        // Pairs with the receiver's fence after registering (`rx_waker.rs`).
        fence(SeqCst);
        self.chan.rx_waker.wake_if_registered();
        Ok(())
    }

    /// Sends `value` with a permit already taken: the permit goes with the message,
    /// or, when the receiver is gone, is given back with the value.
    pub(super) fn send_reserved(&self, value: T) -> Result<(), T> {
        self.push(value).inspect_err(|_| self.chan.release_permits(1))
    }

    /// Whether both handles are on the same channel.
    pub(super) fn same_channel(&self, other: &Tx<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Tx<T> {
        let prev = self.chan.tx_count.fetch_add(1, Relaxed);
        assert!(prev < isize::MAX as usize, "too many senders");
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        // `AcqRel`: the last sender's `Release` heads a release sequence of all the
        // senders' decrements, so the receiver's `Acquire` load of zero sees every
        // message any of them sent.
        if self.chan.tx_count.fetch_sub(1, AcqRel) == 1 {
            self.chan.rx_waker.wake();
        }
    }
}

impl<T> fmt::Debug for Tx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chan.fmt(f)
    }
}

/// The receiver's handle: the only user of the list's receiving half.
pub(super) struct Rx<T> {
    chan: Arc<Chan<T>>,
}

impl<T> Rx<T> {
    /// The shared state.
    pub(super) fn chan(&self) -> &Chan<T> {
        &self.chan
    }

    /// Runs `f` on the receiver's fields.
    fn with_fields<R>(&mut self, f: impl FnOnce(&mut RxFields<T>, &Chan<T>) -> R) -> R {
        let chan = &*self.chan;
        // SAFETY: only this handle touches the fields, and `&mut self` makes this the
        // only access in progress.
        chan.head.with_mut(|fields| f(unsafe { &mut *fields }, chan))
    }

    /// Reads the receiver's fields for a snapshot.
    fn read_fields<R>(&self, f: impl FnOnce(&RxFields<T>, &Chan<T>) -> R) -> R {
        let chan = &*self.chan;
        // SAFETY: the fields change only through `&mut self`, which cannot coexist
        // with this `&self`.
        chan.head.with(|fields| f(unsafe { &*fields }, chan))
    }

    /// Takes up to `limit` written messages into `out`, giving their permits back.
    fn pop_into(&mut self, out: &mut impl FnMut(T), limit: usize) -> usize {
        let n = self.with_fields(|fields, chan| {
            let mut n = 0;
            while n < limit {
                let Some(value) = fields.head.pop(&chan.tail) else {
                    break;
                };
                out(value);
                n += 1;
            }
            n
        });
        if n > 0 {
            if let Some(bound) = &self.chan.bound {
                bound.sem.release(n);
            }
        }
        n
    }

    /// Takes the next written message, giving its permit back.
    fn pop(&mut self) -> Option<T> {
        let mut slot = None;
        self.pop_into(&mut |value| slot = Some(value), 1);
        slot
    }

    /// Whether nothing can arrive beyond what the list already shows (module docs).
    fn is_done(&mut self) -> bool {
        if self.chan.tx_count.load(Acquire) == 0 {
            return true;
        }
        self.with_fields(|fields, chan| match (&chan.bound, fields.close_index) {
            (_, Some(end)) => fields.head.index() == end,
            (Some(bound), None) => fields.closed && bound.sem.available_permits() == bound.max,
            (None, None) => false,
        })
    }

    /// Takes up to `limit` messages; `Some(0)` once the channel is done, `None` when
    /// the caller must wait.
    fn try_take(&mut self, out: &mut impl FnMut(T), limit: usize) -> Option<usize> {
        let n = self.pop_into(out, limit);
        if n > 0 {
            return Some(n);
        }
        if !self.is_done() {
            return None;
        }
        // The last senders may have published messages just before leaving.
        Some(self.pop_into(out, limit))
    }

    /// Polls for up to `limit` (at least 1) messages into `out`: `Ready(0)` once the
    /// channel is closed and drained. Spends one unit of coop budget when ready.
    pub(super) fn poll_take(&mut self, cx: &mut Context<'_>, out: &mut impl FnMut(T), limit: usize) -> Poll<usize> {
        debug_assert!(limit > 0);
        let budget = ready!(coop::poll_proceed(cx));
        let n = match self.try_take(out, limit) {
            Some(n) => n,
            None => {
                self.chan.rx_waker.register(cx.waker());
                // Pairs with the fence of every send (`rx_waker.rs`).
                fence(SeqCst);
                match self.try_take(out, limit) {
                    Some(n) => n,
                    None => return Poll::Pending,
                }
            }
        };
        budget.made_progress();
        Poll::Ready(n)
    }

    /// `poll_take` for one message.
    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = None;
        ready!(self.poll_take(cx, &mut |value| slot = Some(value), 1));
        Poll::Ready(slot)
    }

    /// Takes a message without waiting for one to be sent.
    ///
    /// A message whose index was claimed but which is still being written (a few
    /// instructions in another thread) is waited for, by yielding: its send may have
    /// been followed by another that completed, and the channel must not look empty
    /// then.
    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        loop {
            let mut slot = None;
            let taken = self.try_take(&mut |value| slot = Some(value), 1);
            match taken {
                Some(_) => return slot.ok_or_else(TryRecvError::disconnected),
                None if !self.is_busy() => return Err(TryRecvError::empty()),
                None => crate::loom::thread::yield_now(),
            }
        }
    }

    /// Whether an index was claimed that the receiver has not read.
    fn is_busy(&mut self) -> bool {
        self.len() > 0
    }

    /// Closes the channel for senders; messages already in it can still be received.
    pub(super) fn close(&mut self) {
        let first = self.with_fields(|fields, chan| {
            if mem::replace(&mut fields.closed, true) {
                return false;
            }
            match &chan.bound {
                Some(bound) => bound.sem.close(),
                None => fields.close_index = chan.tail.close(),
            }
            true
        });
        if first {
            self.chan.notify_closed();
        }
    }

    /// Whether the receiver closed the channel or every sender is gone.
    pub(super) fn is_closed(&self) -> bool {
        self.read_fields(|fields, chan| fields.closed || chan.tx_count.load(Acquire) == 0)
    }

    /// The number of messages in the channel, counting those being sent right now.
    pub(super) fn len(&self) -> usize {
        self.read_fields(|fields, chan| {
            let end = fields.close_index.unwrap_or_else(|| chan.tail.index());
            block::index_distance(fields.head.index(), end)
        })
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.close();
        // Bounded channels keep the list open after `close` for permits taken before;
        // with the receiver gone, their messages are handed back instead.
        let end = self
            .chan
            .tail
            .close()
            .or_else(|| self.with_fields(|fields, _| fields.close_index));
        // Drop every message claimed before the list closed, waiting (by yielding) for
        // those still being written, a few instructions in another thread. Left in the
        // list, they (and what they own: a reply channel somebody waits on) would live
        // as long as the last sender.
        loop {
            while let Some(value) = self.pop() {
                drop(value);
            }
            let read = self.with_fields(|fields, _| fields.head.index());
            match end {
                Some(end) if read != end => crate::loom::thread::yield_now(),
                _ => break,
            }
        }
    }
}

impl<T> fmt::Debug for Rx<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.chan.fmt(f)
    }
}
