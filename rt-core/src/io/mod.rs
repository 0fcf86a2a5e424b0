//! Asynchronous I/O readiness: the mio reactor and [`PollEvented`].
//!
//! The reactor runs inside the [`driver`](crate::driver): when I/O is enabled, the
//! driver's thread waits in `mio::Poll::poll` and dispatches the events it gets to the
//! registered sources. A source is registered by wrapping it in a [`PollEvented`],
//! which finds the reactor through the thread's runtime context
//! ([`crate::context::set_current_handle`]); rt-net's sockets are built on it.
//!
//! # Readiness
//!
//! Each registration keeps one readiness word: the [`Ready`] kinds the OS reported
//! (readable, writable, read-closed, write-closed, error, priority), a *tick* that
//! counts the events delivered, and a shutdown flag. An operation that returns
//! `WouldBlock` clears the readiness it ran on, but only if the tick did not move: an
//! event that arrived in between is kept, so no edge is ever lost.
//!
//! Waiters: one waker slot for reading and one for writing (`poll_read_ready` /
//! `poll_write_ready`, for a source driven through `&mut` or by one task per
//! direction), plus an allocation-free list for [`PollEvented::readiness`], which any
//! number of tasks may await at once.
//!
//! # Tokens and generations
//!
//! Registrations live in a slab; a registration's mio token is its slot index plus a
//! generation, so an event for a registration that is gone (already fetched when it
//! was deregistered, or from an fd number the OS reused) never reaches the newer
//! registration in the same slot.
//!
//! # Shutdown
//!
//! When the driver shuts down, every registration is marked shut down and all its
//! waiters are woken: every pending and later readiness poll fails with an
//! [`io::Error`](std::io::Error) saying the runtime shut down, and new registrations
//! are refused.
//!
//! # Cost
//!
//! Per registration: one allocation of about 70 bytes (the word, a lock, two waker
//! slots and a list head; no cache-line padding) and a 24-byte slab entry. The reactor
//! takes the table lock once per batch of events and wakes tasks after releasing it.

mod error;
mod interest;
mod io_state;
mod poll_evented;
mod reactor;
mod readiness;
mod ready;
mod registration;
mod state;
mod table;

pub use interest::Interest;
pub use poll_evented::PollEvented;
pub use ready::{Ready, ReadyEvent};

pub(crate) use reactor::{Reactor, ReactorHandle};

#[cfg(loom)]
#[doc(hidden)]
pub mod model;

#[cfg(all(test, not(loom)))]
mod tests;
