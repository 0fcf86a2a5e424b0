//! `TimeHandle`: the timer state of one runtime, shared by the driver (which processes
//! it when it parks) and every timer (which registers in it).
//!
//! # Protocol
//!
//! * The wheel, the parker's deadline and the shutdown flag live behind one mutex.
//! * `fired_through` is written only under that mutex, after the wheel moved: every timer
//!   due at or before that tick has fired and left the wheel (`u64::MAX` once shut
//!   down). A timer that sees its tick at or below it knows, without the lock, that it
//!   fired and that its key is stale; so polling or dropping a fired `Sleep` never locks.
//!   It is only a shortcut: under the lock, the wheel's generation check is the authority
//!   (between a load of `fired_through` and the lock, `process` may fire the timer).
//! * A key reaches the wheel only from its own `Sleep`, and only if that `Sleep` had
//!   not seen it fire; so a key is stale only while a `process` call is in the middle of
//!   firing it, and the per-insertion generation makes that harmless.
//! * Wakers are woken, and replaced or cancelled wakers dropped, after the mutex is
//!   released: a waker may run scheduler code, and the last reference to a task may own
//!   a `Sleep` whose drop locks the wheel.
//! * Unpark: `next_timeout` records the tick the parker is about to sleep until. A timer
//!   inserted (or moved) before that tick lowers the record and calls `unpark`, outside
//!   the lock. Later insertions do not: the parker wakes at the recorded tick anyway and
//!   calls `next_timeout` again before it sleeps again.
//! * Shutdown: under the mutex, set the flag and `fired_through = u64::MAX`, take every
//!   pending timer out of the wheel; then wake them all. From then on every registration
//!   is refused (the `Sleep` completes at once).

use std::fmt;
use std::task::Waker;
use std::time::Duration;

use super::wake_batch::WakeBatch;
use super::wheel::{Gone, Key, Wheel};
use super::{Clock, Instant};
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use crate::loom::sync::{Arc, Mutex};

/// The largest tick a deadline maps to (`u64::MAX` means "shut down").
const MAX_TICK: u64 = u64::MAX - 1;

/// The time driver's shared state; cheap to clone.
#[derive(Clone)]
pub(crate) struct TimeHandle {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    /// Tick 0: the clock's time when the handle was created.
    origin: Instant,
    unpark: std::sync::Arc<dyn Fn() + Send + Sync>,
    /// See the module docs.
    fired_through: AtomicU64,
    /// The clock's time at the driver's last turn, in nanoseconds since `origin`, plus
    /// one (`0`: no turn yet). See [`TimeHandle::recent`].
    recent: AtomicU64,
    /// The driver is waiting (for I/O, an unpark or a timer): `recent` is not being kept
    /// up to date.
    waiting: AtomicBool,
    state: Mutex<State>,
}

struct State {
    wheel: Wheel,
    /// The tick the parker sleeps until (`u64::MAX`: no timeout).
    parked_until: u64,
    shutdown: bool,
}

/// What became of a timer that was moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rescheduled {
    /// It waits for its new tick.
    Pending,
    /// Its new tick is already processed: it was removed and its waker woken.
    Fired,
    /// It had fired before the move.
    Gone,
}

impl TimeHandle {
    /// A timer driver state on `clock`; `unpark` wakes the thread parked on the driver.
    pub(crate) fn new(clock: Clock, unpark: std::sync::Arc<dyn Fn() + Send + Sync>) -> TimeHandle {
        let origin = clock.now();
        TimeHandle {
            inner: Arc::new(Inner {
                clock,
                origin,
                unpark,
                fired_through: AtomicU64::new(0),
                recent: AtomicU64::new(0),
                waiting: AtomicBool::new(false),
                state: Mutex::new(State {
                    wheel: Wheel::new(),
                    parked_until: u64::MAX,
                    shutdown: false,
                }),
            }),
        }
    }

    /// The runtime's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The driver is about to wait: until its next [`process`](TimeHandle::process),
    /// [`recent`](TimeHandle::recent) reads the clock.
    pub(crate) fn begin_wait(&self) {
        self.inner.waiting.store(true, Ordering::Release);
    }

    /// The clock's time as the driver read it at its last turn, without reading the clock
    /// again, while that is current: the driver is not waiting and the clock was never
    /// paused. Otherwise (the driver is asleep, so the last reading may be old; no turn
    /// yet; a paused clock, which tests advance by hand) it reads the clock.
    ///
    /// A thread running tasks reads the time its last turn (or another worker's) left:
    /// it is behind the clock by at most the time those tasks have run since, which is
    /// bounded by how often workers turn the driver.
    pub(crate) fn recent(&self) -> Instant {
        // `waiting` first: seeing it cleared (Acquire, paired with `process`'s Release)
        // makes the reading stored before it visible.
        let waiting = self.inner.waiting.load(Ordering::Acquire);
        let recent = self.inner.recent.load(Ordering::Relaxed);
        if waiting || recent == 0 || self.inner.clock.ever_paused() {
            return self.inner.clock.now();
        }
        self.inner.origin.saturating_add(Duration::from_nanos(recent - 1))
    }

    /// Time until the earliest pending timer is due (`ZERO` if one is due now), `None`
    /// if no timer is pending. Records that the caller is about to park until then, so
    /// that an earlier timer inserted meanwhile unparks it.
    pub(crate) fn next_timeout(&self) -> Option<Duration> {
        let next = {
            let mut state = self.inner.state.lock();
            let next = if state.shutdown {
                None
            } else {
                state.wheel.next_expiration()
            };
            state.parked_until = next.unwrap_or(u64::MAX);
            next
        }?;
        let deadline = self.inner.origin.saturating_add(Duration::from_millis(next));
        Some(deadline.saturating_duration_since(self.inner.clock.now()))
    }

    /// Fires every timer due at the clock's current time and wakes their wakers, in
    /// deadline order, outside the lock (in batches: the lock is released to wake each
    /// batch of 32).
    ///
    /// Also records the time it read for [`recent`](TimeHandle::recent), and ends the
    /// wait that [`begin_wait`](TimeHandle::begin_wait) announced.
    pub(crate) fn process(&self) {
        let now = self.inner.clock.now();
        let since = now.saturating_duration_since(self.inner.origin);
        let nanos = u64::try_from(since.as_nanos()).unwrap_or(u64::MAX - 1);
        self.inner.recent.store(nanos + 1, Ordering::Relaxed);
        self.inner.waiting.store(false, Ordering::Release);
        let now = self.now_tick(now);
        let mut batch = WakeBatch::new();
        let mut state = self.inner.state.lock();
        if state.shutdown {
            return;
        }
        while let Some(waker) = state.wheel.poll(now) {
            batch.push(waker);
            if batch.is_full() {
                // Before the wake-ups: a woken `Sleep` must see its timer fired (it may
                // skip the lock on the strength of it). Every timer in the batch is due
                // by the wheel's elapsed tick; timers of that tick still in the wheel are
                // popped before this call returns, so a `Sleep` that completes on it
                // meanwhile only gets a spurious wake-up later.
                self.inner.fired_through.store(state.wheel.elapsed(), Ordering::Release);
                drop(state);
                batch.wake_all();
                state = self.inner.state.lock();
                if state.shutdown {
                    return;
                }
            }
        }
        self.inner.fired_through.store(state.wheel.elapsed(), Ordering::Release);
        state.wheel.shrink_if_empty();
        drop(state);
        batch.wake_all();
    }

    /// Fires every pending timer (their `Sleep`s complete) and refuses new ones.
    pub(crate) fn shutdown(&self) {
        let mut wakers = Vec::new();
        {
            let mut state = self.inner.state.lock();
            if state.shutdown {
                return;
            }
            state.shutdown = true;
            self.inner.fired_through.store(u64::MAX, Ordering::Release);
            state.wheel.drain(|waker| wakers.push(waker));
        }
        for waker in wakers {
            waker.wake();
        }
    }

    /// Whether [`shutdown`](TimeHandle::shutdown) was called.
    pub(crate) fn is_shutdown(&self) -> bool {
        self.inner.fired_through.load(Ordering::Acquire) == u64::MAX
    }

    /// The tick at which a timer for `deadline` fires: rounded up to the next whole
    /// millisecond after the origin, so that no timer fires early.
    pub(crate) fn deadline_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.inner.origin);
        let ms = since
            .as_secs()
            .saturating_mul(1000)
            .saturating_add(u64::from(since.subsec_nanos().div_ceil(1_000_000)));
        ms.min(MAX_TICK)
    }

    /// The tick `now` falls in (rounded down).
    fn now_tick(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.inner.origin);
        let ms = since
            .as_secs()
            .saturating_mul(1000)
            .saturating_add(u64::from(since.subsec_millis()));
        ms.min(MAX_TICK)
    }

    /// Whether a timer registered for `tick` has certainly fired (without locking), or
    /// is being fired by the `process` call under way (which pops it before it returns).
    pub(crate) fn has_fired(&self, tick: u64) -> bool {
        tick <= self.inner.fired_through.load(Ordering::Acquire)
    }

    /// Registers a timer due at `tick` that wakes `waker`. `None`: the tick is already
    /// processed (or the driver shut down), the timer has fired.
    pub(crate) fn register(&self, tick: u64, waker: &Waker) -> Option<Key> {
        // Cloned before locking; a refused clone is dropped after unlocking.
        let waker = waker.clone();
        let mut state = self.inner.state.lock();
        if state.shutdown {
            return None;
        }
        let key = state.wheel.insert(tick, waker).ok()?;
        let unpark = state.lower_parked_until(tick);
        drop(state);
        if unpark {
            (self.inner.unpark)();
        }
        Some(key)
    }

    /// Makes a pending timer wake `waker`. `false`: the timer has fired.
    pub(crate) fn update_waker(&self, key: Key, waker: &Waker) -> bool {
        let result = self.inner.state.lock().wheel.set_waker(key, waker);
        // The guard is gone: the replaced waker (if any) is dropped unlocked.
        result.is_ok()
    }

    /// Moves a pending timer to `tick` (keeping its waker).
    pub(crate) fn reschedule(&self, key: Key, tick: u64) -> Rescheduled {
        let mut state = self.inner.state.lock();
        match state.wheel.reschedule(key, tick) {
            Err(Gone) => Rescheduled::Gone,
            Ok(Some(waker)) => {
                drop(state);
                waker.wake();
                Rescheduled::Fired
            }
            Ok(None) => {
                let unpark = state.lower_parked_until(tick);
                drop(state);
                if unpark {
                    (self.inner.unpark)();
                }
                Rescheduled::Pending
            }
        }
    }

    /// Cancels a pending timer (no-op if it fired).
    pub(crate) fn cancel(&self, key: Key) {
        let waker = self.inner.state.lock().wheel.remove(key);
        drop(waker);
    }

    /// Timers waiting in the wheel.
    pub(crate) fn pending_timers(&self) -> usize {
        self.inner.state.lock().wheel.len()
    }

    /// Checks the wheel's structure (tests and loom models).
    pub(crate) fn check_invariants(&self) {
        let state = self.inner.state.lock();
        state.wheel.check_invariants();
        let fired_through = self.inner.fired_through.load(Ordering::Acquire);
        if !state.shutdown {
            assert!(
                fired_through <= state.wheel.elapsed(),
                "fired_through ahead of the wheel"
            );
        }
    }
}

impl State {
    /// Lowers the parker's deadline to `tick` if that is earlier; says whether it did
    /// (and so whether to unpark).
    fn lower_parked_until(&mut self, tick: u64) -> bool {
        let earlier = tick < self.parked_until;
        if earlier {
            self.parked_until = tick;
        }
        earlier
    }
}

impl fmt::Debug for TimeHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.lock();
        f.debug_struct("TimeHandle")
            .field("clock", &self.inner.clock)
            .field("elapsed_ms", &state.wheel.elapsed())
            .field("pending", &state.wheel.len())
            .field("shutdown", &state.shutdown)
            .finish()
    }
}
