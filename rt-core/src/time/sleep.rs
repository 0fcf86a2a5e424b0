//! `Sleep`: a future that completes at a deadline.
//!
//! A `Sleep` moves through three states:
//!
//! * `Unregistered { due }`: created, reset, or not polled yet. Creating one takes the
//!   current time handle (a reference-count increment) and reads the clock once, to
//!   compute the deadline and `due` (the deadline is not after the current time);
//!   nothing is allocated or locked, and dropping it costs nothing.
//! * `Waiting`: the first poll of a sleep that was not `due` inserted a timer in the
//!   wheel (one lock) — unless the wheel had already processed the deadline's tick (an
//!   atomic load, or the insertion is refused under the lock). The `Sleep` holds the
//!   timer's key and tick.
//! * `Elapsed`: done. A `due` sleep completes at its first poll without touching the
//!   wheel or the clock; a waiting `Sleep` learns that its timer fired from the
//!   handle's `fired_through` tick, without locking.
//!
//! The first poll does not read the clock again (that would double the cost of a
//! short-lived timer): a deadline that passes between creation and the first poll is
//! left to the driver, which fires it at its next turn like any other due timer.
//!
//! A waiting `Sleep` polled again (a spurious wake-up, a `select!` loop) with the waker it
//! registered last (same data and vtable pointers, what `Waker::will_wake` compares)
//! returns at once: the wheel still holds a clone of that waker, which keeps what it
//! points to alive, so equal pointers mean the same waker. That is only sound because a
//! timer is seen as fired before its waker is woken: `process` publishes its
//! `fired_through` tick before each batch of wake-ups, so a task woken by its timer finds
//! `has_fired` true when it polls (a re-poll that trusted a stale tick would wait for a
//! wake-up that already came: the hang `loom_time::same_waker_repolls_racing_a_batched_fire`
//! reproduces). With another waker it locks the wheel to swap it in. Dropping a waiting
//! `Sleep` locks to unlink the timer (O(1)).

use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use super::handle::Rescheduled;
use super::handle_lookup::current_time_handle;
use super::wheel::Key;
use super::{Instant, TimeHandle};

/// Waits until `duration` has elapsed.
///
/// Equivalent to `sleep_until(Instant::now() + duration)`, with the current time read
/// from the runtime's clock (so a paused clock is honoured). A `duration` too large to
/// add sleeps for about 30 years. `sleep(Duration::ZERO)` completes at its first poll,
/// without registering a timer.
///
/// The resolution is one millisecond: the sleep completes on the first timer tick at or
/// after the deadline, never before it.
///
/// Creating the future does nothing; the timer is registered at its first poll.
///
/// # Panics
///
/// Polling the returned [`Sleep`] panics if it was created and polled outside an
/// rt-sched runtime with time enabled ("there is no timer running").
///
/// # Cancel safety
///
/// Cancel safe: dropping the future cancels the timer.
///
/// # Examples
///
/// ```
/// use rt_core::time::{sleep, Duration};
///
/// async fn later() {
///     sleep(Duration::from_millis(100)).await;
///     println!("100 ms have elapsed");
/// }
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let handle = current_time_handle();
    let now = clock_now(handle.as_ref());
    Sleep::new(handle, now, now.saturating_add(duration))
}

/// Waits until `deadline` is reached.
///
/// A deadline that is not after the current time completes at the first poll, without
/// registering a timer. See [`sleep`] for resolution and laziness.
///
/// # Panics
///
/// Polling the returned [`Sleep`] panics if it was created and polled outside an
/// rt-sched runtime with time enabled ("there is no timer running").
///
/// # Cancel safety
///
/// Cancel safe: dropping the future cancels the timer.
///
/// # Examples
///
/// ```
/// use rt_core::time::{sleep_until, Duration, Instant};
///
/// async fn at_deadline(deadline: Instant) {
///     sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// }
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    let handle = current_time_handle();
    let now = clock_now(handle.as_ref());
    Sleep::new(handle, now, deadline)
}

/// The time on `handle`'s clock, or the system's outside a runtime.
fn clock_now(handle: Option<&TimeHandle>) -> Instant {
    match handle {
        Some(handle) => handle.clock().now(),
        None => Instant::from_std(std::time::Instant::now()),
    }
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// Unlike tokio's `Sleep`, this one is [`Unpin`]: the timer lives in the runtime's wheel,
/// not inside the future, so a `Sleep` can be stored and moved freely (no `Box::pin`
/// needed). `tokio::pin!` / `std::pin::pin!` code keeps working.
///
/// # Shutdown
///
/// When the runtime shuts its timer down, every pending `Sleep` completes, and a `Sleep`
/// polled afterwards completes at once: nothing hangs. (tokio panics on such a poll.)
/// [`Timeout`](super::Timeout) tells the two apart: its error says
/// [`is_shutdown`](super::error::Elapsed::is_shutdown).
///
/// # Examples
///
/// A deadline that moves each time a message arrives:
///
/// ```
/// use std::pin::pin;
/// use rt_core::time::{sleep, Duration, Instant};
///
/// async fn idle_timeout(mut next_message: impl FnMut() -> bool) {
///     let mut deadline = pin!(sleep(Duration::from_secs(30)));
///     while next_message() {
///         deadline.as_mut().reset(Instant::now() + Duration::from_secs(30));
///     }
///     deadline.await;
/// }
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Sleep {
    deadline: Instant,
    /// The time handle, taken at creation or at the first poll.
    handle: Option<TimeHandle>,
    state: State,
}

/// Two variants, the other states nested in the second: the vtable address in
/// `WakerId` (never 0) then tells them apart, with no tag word (a `Sleep` is 56 bytes, not
/// 64; servers keep one per connection).
#[derive(Clone, Copy, Debug)]
enum State {
    /// `waker`: the waker the wheel holds for this timer.
    Waiting {
        key: Key,
        tick: u64,
        waker: WakerId,
    },
    Idle(Idle),
}

#[derive(Clone, Copy, Debug)]
enum Idle {
    /// `due`: the deadline was not after the clock's time at creation / reset.
    Unregistered { due: bool },
    /// `shutdown`: completed because the timer shut down before the deadline.
    Elapsed { shutdown: bool },
}

/// A waker's identity: its data and vtable pointers, as addresses (a `Sleep` stays
/// `Send` and `Sync`; they are only compared, never dereferenced).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WakerId(usize, NonZeroUsize);

impl WakerId {
    fn of(waker: &std::task::Waker) -> WakerId {
        let vtable = NonZeroUsize::new(std::ptr::from_ref(waker.vtable()) as usize);
        // A reference's address is never 0.
        WakerId(waker.data() as usize, vtable.unwrap_or(NonZeroUsize::MAX))
    }
}

impl Sleep {
    /// A sleep until `deadline`, created at `now` (on `handle`'s clock).
    pub(crate) fn new(handle: Option<TimeHandle>, now: Instant, deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            handle,
            state: State::Idle(Idle::Unregistered { due: deadline <= now }),
        }
    }

    /// The instant at which the future completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has been reached: the future completed, or its timer fired,
    /// or (not registered) the deadline is not after the clock's current time. Also
    /// `true` once the runtime's timer has shut down.
    pub fn is_elapsed(&self) -> bool {
        match (self.state, &self.handle) {
            (State::Idle(Idle::Elapsed { .. } | Idle::Unregistered { due: true }), _) => true,
            (State::Waiting { tick, .. }, Some(handle)) => handle.has_fired(tick),
            (_, Some(handle)) => handle.is_shutdown() || self.deadline <= handle.clock().now(),
            (_, None) => self.deadline <= Instant::now(),
        }
    }

    /// Moves the deadline to `deadline`, whether or not the future has completed.
    ///
    /// A pending timer is moved in place (it keeps the waker of the last poll; one lock,
    /// no allocation); a deadline that has already passed completes the future and wakes
    /// that waker. After a completed or never-polled `Sleep` is reset, the next poll
    /// registers it again.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        let now = this.now();
        this.reset_at(deadline, now);
    }

    /// [`reset`](Sleep::reset), given the current time on this sleep's clock.
    pub(crate) fn reset_at(&mut self, deadline: Instant, now: Instant) {
        self.deadline = deadline;
        let due = deadline <= now;
        if let (State::Waiting { key, tick, waker }, Some(handle)) = (self.state, &self.handle) {
            if !handle.has_fired(tick) {
                // A due deadline maps to tick 0: the timer is removed and woken.
                let new_tick = if due { 0 } else { handle.deadline_tick(deadline) };
                self.state = match handle.reschedule(key, new_tick) {
                    Rescheduled::Pending => State::Waiting {
                        key,
                        tick: new_tick,
                        waker,
                    },
                    Rescheduled::Fired => State::Idle(Idle::Elapsed { shutdown: false }),
                    Rescheduled::Gone => State::Idle(Idle::Unregistered { due }),
                };
                return;
            }
        }
        self.state = State::Idle(Idle::Unregistered { due });
    }

    /// Whether the future completed because the timer shut down before its deadline.
    pub(crate) fn is_shutdown(&self) -> bool {
        matches!(self.state, State::Idle(Idle::Elapsed { shutdown: true }))
    }

    /// The current time on this sleep's clock.
    pub(crate) fn now(&self) -> Instant {
        match &self.handle {
            Some(handle) => handle.clock().now(),
            None => Instant::now(),
        }
    }

    fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let handle = self.handle.get_or_insert_with(|| {
            current_time_handle()
                .unwrap_or_else(|| super::no_timer("a `Sleep` (of `sleep`, `timeout` or `interval`) must be polled"))
        });
        match self.state {
            State::Idle(Idle::Elapsed { .. }) => return Poll::Ready(()),
            State::Waiting { key, tick, waker } => {
                if !handle.has_fired(tick) {
                    // The same waker: nothing to swap (see the module docs).
                    let id = WakerId::of(cx.waker());
                    if id == waker {
                        return Poll::Pending;
                    }
                    if handle.update_waker(key, cx.waker()) {
                        self.state = State::Waiting { key, tick, waker: id };
                        return Poll::Pending;
                    }
                }
            }
            State::Idle(Idle::Unregistered { due }) => {
                // (`has_fired` is also true once the timer shut down.)
                let tick = handle.deadline_tick(self.deadline);
                if !due && !handle.has_fired(tick) {
                    if let Some(key) = handle.register(tick, cx.waker()) {
                        let waker = WakerId::of(cx.waker());
                        self.state = State::Waiting { key, tick, waker };
                        return Poll::Pending;
                    }
                }
            }
        }
        let shutdown = handle.is_shutdown() && handle.clock().now() < self.deadline;
        self.state = State::Idle(Idle::Elapsed { shutdown });
        Poll::Ready(())
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        let poll = self.get_mut().poll_elapsed(cx);
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (State::Waiting { key, tick, .. }, Some(handle)) = (self.state, &self.handle) {
            if !handle.has_fired(tick) {
                handle.cancel(key);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("state", &self.state)
            .finish()
    }
}
