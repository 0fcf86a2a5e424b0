//! The readiness word of a registration: one atomic `usize` holding the readiness kinds
//! the OS reported, a shutdown flag, and a tick.
//!
//! ```text
//!  bit:  31 ........ 16   15 ... 7     6          5 ... 0
//!        tick (u16)       (unused)     SHUTDOWN   Ready kinds
//! ```
//!
//! - **Ready kinds** are set (OR-ed in) by the reactor when an event arrives and cleared
//!   by a task that hit `WouldBlock`. The closed kinds are never cleared.
//! - **Tick** counts the events delivered to this registration (wrapping). An event
//!   bumps it; a clear only succeeds if the tick is still the one the task observed
//!   with the readiness, so a clear never erases an edge that arrived in between.
//! - **SHUTDOWN** is set once, when the driver shuts down, and never unset; the ready
//!   kinds no longer matter after it.

use super::ready::{Ready, ReadyEvent};

/// The ready kinds.
const READY_MASK: usize = Ready::ALL.bits() as usize;
/// The driver shut down: every readiness poll fails.
const SHUTDOWN: usize = 1 << 6;
/// Where the tick starts.
const TICK_SHIFT: u32 = 16;
/// The tick's bits.
const TICK_MASK: usize = 0xFFFF << TICK_SHIFT;

/// A value of the readiness word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot(pub(crate) usize);

impl Snapshot {
    /// A fresh registration: nothing ready, tick 0.
    pub(crate) const INITIAL: Snapshot = Snapshot(0);
    /// The shutdown bit, to set with one `fetch_or`.
    pub(crate) const SHUTDOWN_FLAG: usize = SHUTDOWN;

    pub(crate) fn ready(self) -> Ready {
        Ready::from_bits((self.0 & READY_MASK) as u8)
    }

    pub(crate) fn tick(self) -> u16 {
        ((self.0 & TICK_MASK) >> TICK_SHIFT) as u16
    }

    pub(crate) fn is_shutdown(self) -> bool {
        self.0 & SHUTDOWN != 0
    }

    /// The readiness `interest_mask` asks for, as an event at the current tick
    /// (`None` when none of it is set).
    pub(crate) fn event(self, interest_mask: Ready) -> Option<ReadyEvent> {
        let ready = self.ready().intersection(interest_mask);
        (!ready.is_empty()).then_some(ReadyEvent {
            tick: self.tick(),
            ready,
        })
    }

    /// After an event reporting `ready`: the kinds added and the tick bumped.
    #[must_use]
    pub(crate) fn with_event(self, ready: Ready) -> Snapshot {
        let tick = (self.tick().wrapping_add(1) as usize) << TICK_SHIFT;
        Snapshot((self.0 & !TICK_MASK) | tick | ready.bits() as usize)
    }

    /// After a clear of `ready` (the closed kinds stay).
    #[must_use]
    pub(crate) fn without(self, ready: Ready) -> Snapshot {
        let clear = (ready - Ready::CLOSED).bits() as usize;
        Snapshot(self.0 & !clear)
    }
}
