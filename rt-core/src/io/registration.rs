//! `Registration`: a source's entry in the current runtime's reactor; the part of
//! `PollEvented` that does not depend on the source type.

use std::fmt;
use std::io;
use std::task::{Context, Poll};

use super::error;
use super::interest::Interest;
use super::io_state::{Direction, IoState};
use super::readiness::Readiness;
use super::ready::ReadyEvent;
use crate::context;
use crate::driver;
use crate::loom::sync::Arc;

/// A registration with the reactor of the driver that was current when it was made.
/// Removes its table entry when dropped (the owner deregisters the source from mio
/// first, while it still has it).
pub(crate) struct Registration {
    handle: driver::Handle,
    token: usize,
    state: Arc<IoState>,
}

impl Registration {
    /// Registers `source` with the current runtime's reactor.
    ///
    /// # Errors
    ///
    /// Outside a runtime, in a runtime without I/O, after the driver shut down, or
    /// when mio refuses the source.
    pub(crate) fn new(source: &mut impl mio::event::Source, interest: Interest) -> io::Result<Registration> {
        context::with_current_handle(|handle| {
            let handle = handle.ok_or_else(error::no_reactor)?;
            let reactor = handle.io().ok_or_else(error::io_disabled)?;
            let (token, state) = reactor.register(source, interest)?;
            Ok(Registration {
                handle: handle.clone(),
                token,
                state,
            })
        })
    }

    fn reactor(&self) -> &super::ReactorHandle {
        self.handle.io().expect("a registration's driver has I/O enabled")
    }

    /// Deregisters `source` from mio: no events arrive for it from now on. The table
    /// entry goes when the registration is dropped.
    ///
    /// # Errors
    ///
    /// When mio's deregistration fails.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.reactor().deregister(source)
    }

    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>, direction: Direction) -> Poll<io::Result<ReadyEvent>> {
        self.state.poll_ready(cx, direction)
    }

    /// The readiness `interest` asks for right now, without waiting or spending budget.
    pub(crate) fn ready_event(&self, interest: Interest) -> Option<io::Result<ReadyEvent>> {
        self.state.ready_event(interest)
    }

    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.state.clear_readiness(event);
    }

    pub(crate) fn readiness(&self, interest: Interest) -> Readiness<'_> {
        self.state.readiness(interest)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.reactor().remove(self.token);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.token)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
