//! Time: sleeping until a deadline, putting a deadline on a future, ticking at an
//! interval, and a clock that tests can pause.
//!
//! * [`sleep`] / [`sleep_until`] wait for a duration / until an [`Instant`];
//! * [`timeout`] / [`timeout_at`] race a future against a deadline;
//! * [`interval`] / [`interval_at`] tick periodically, with a choice of
//!   [`MissedTickBehavior`];
//! * [`pause`], [`resume`] and [`advance`] stop and move the runtime's clock, so that
//!   time-dependent logic is tested without real waiting.
//!
//! All of them need a runtime with time enabled (rt-sched's `Builder::enable_time` or
//! `enable_all`): the runtime's driver owns the timer wheel and fires timers when it
//! parks. Creating a timer outside a runtime is allowed; *polling* it outside one panics.
//!
//! ```
//! use rt_core::time::{sleep, timeout, Duration};
//!
//! async fn fetch_with_retry() -> Result<u32, std::io::Error> {
//!     for attempt in 0.. {
//!         match timeout(Duration::from_secs(1), fetch()).await {
//!             Ok(value) => return Ok(value),
//!             Err(elapsed) if attempt == 3 => return Err(elapsed.into()),
//!             Err(_) => sleep(Duration::from_millis(100 << attempt)).await,
//!         }
//!     }
//!     unreachable!()
//! }
//! # async fn fetch() -> u32 { 1 }
//! ```
//!
//! # Resolution
//!
//! Timers have a resolution of one millisecond: a timer fires on the first tick at or
//! after its deadline, never early, and normally within a millisecond after it (later if
//! the runtime is busy).
//!
//! # Paused clock
//!
//! The runtime's clock is the system's monotonic clock unless paused: then
//! [`Instant::now`] returns the paused time, which only [`advance`] (or the runtime's
//! auto-advance when every task is idle) moves. A sleep created while paused is due
//! relative to the paused time. Pausing is allowed on the current-thread runtime only;
//! [`pause`] panics elsewhere, with a message saying so.
//!
//! # Shutdown
//!
//! When a runtime shuts down, its timer fires every pending timer: each waiting
//! [`Sleep`] completes (and a `Sleep` first polled after shutdown completes at once), so
//! no task hangs on a timer. [`Timeout`] reports such an ending as an error, never as
//! success: `Err(Elapsed)` with [`Elapsed::is_shutdown`](error::Elapsed::is_shutdown)
//! set. (tokio panics instead when a timer is polled after its runtime shut down.)
//!
//! # Implementation
//!
//! Each runtime has one hierarchical timer wheel (six levels of 64 slots, 1 ms ticks,
//! about 2.2 years, plus an overflow list for later deadlines) behind a mutex, with the
//! timers in a slab of 40-byte records linked into per-slot lists and a 64-bit
//! occupancy bitmap per level. Registering, moving and cancelling a timer are O(1);
//! finding the next deadline costs a few bit operations; firing costs O(1) amortised
//! per timer fired. The wheel holds keys (index + generation), not pointers: a `Sleep`
//! contains no timer node, so it is `Unpin` and stale keys are harmless. See the
//! `wheel` and `handle` modules for the protocol.

mod clock;
pub mod error;
mod handle;
mod handle_lookup;
mod instant;
mod interval;
#[doc(hidden)]
pub mod manual;
mod missed_tick;
mod pause;
mod sleep;
mod timeout;
mod wake_batch;
mod wheel;

pub(crate) use self::clock::Clock;
pub(crate) use self::handle::TimeHandle;
pub use self::instant::Instant;
pub use self::interval::{interval, interval_at, Interval};
pub use self::missed_tick::MissedTickBehavior;
pub use self::pause::{advance, pause, resume};
pub use self::sleep::{sleep, sleep_until, Sleep};
pub use self::timeout::{timeout, timeout_at, Timeout};
pub use std::time::Duration;

/// Panics because `what` ("`time::pause` must be called", say) happened outside a
/// runtime with time enabled.
#[track_caller]
pub(crate) fn no_timer(what: &str) -> ! {
    panic!(
        "there is no timer running: {what} from inside an rt-sched runtime with time \
         enabled (`Builder::enable_time` or `enable_all`)"
    )
}
