//! Asynchronous I/O readiness: the mio reactor.
//!
//! (Work in progress: the reactor currently only waits and wakes; registrations follow.)

#[cfg(not(loom))]
mod reactor;
#[cfg(not(loom))]
pub(crate) use reactor::{Reactor, ReactorHandle};
