//! The reactor: a `mio::Poll` owned by the driver, and the handle that registers
//! sources with it.
//!
//! The driver's thread waits in [`Reactor::turn`]; any thread registers and
//! deregisters through the [`ReactorHandle`] (a cloned `mio::Registry` and the
//! registration table). The `mio::Waker` that interrupts the wait has a token of its
//! own, [`WAKE_TOKEN`], which the table never hands out.

use std::fmt;
use std::io;
use std::task::Waker;
use std::time::Duration;

use super::interest::Interest;
use super::io_state::IoState;
use super::ready::Ready;
use super::table::{self, Table};
use crate::driver::Unparker;
use crate::loom::sync::{Arc, Mutex};

/// The token of the reactor's `mio::Waker`; never handed to a registration.
const WAKE_TOKEN: mio::Token = mio::Token(usize::MAX);

/// The polling side of the reactor, owned by the driver.
pub(crate) struct Reactor {
    poll: mio::Poll,
    events: mio::Events,
    /// Reused buffer of the wakers of one batch.
    wakers: Vec<Waker>,
}

/// The shared side of the reactor, kept in the driver's handle.
pub(crate) struct ReactorHandle {
    registry: mio::Registry,
    table: Mutex<Table>,
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
            wakers: Vec::new(),
        };
        let handle = ReactorHandle {
            registry,
            table: Mutex::new(Table::new()),
        };
        Ok((reactor, waker, handle))
    }

    /// Waits for events at most `timeout` (`None`: until one arrives or an unpark) and
    /// dispatches them. Returns whether an unpark or a readiness event ended the wait.
    ///
    /// # Panics
    ///
    /// When `epoll_wait` fails with anything but `EINTR` (a broken epoll instance).
    pub(crate) fn turn(&mut self, handle: &ReactorHandle, unparker: &Unparker, timeout: Option<Duration>) -> bool {
        // Block only if no unpark is pending. `ZERO` never blocks, so it does not
        // announce a park (an unpark then costs no `eventfd` write).
        let parked = timeout != Some(Duration::ZERO) && unparker.transition_to_parked();
        let timeout = if parked { timeout } else { Some(Duration::ZERO) };
        let mut woken = false;
        if !parked {
            woken = unparker.take_notification();
        }
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal interrupted the wait: a spurious return, which `park` allows.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => panic!("the I/O driver failed to poll for events: {e}"),
        }
        if parked {
            woken |= unparker.transition_to_empty();
        }
        woken | self.dispatch(handle)
    }

    /// Delivers the fetched events (one table lock for the batch). Returns whether there
    /// was any (besides the waker's).
    fn dispatch(&mut self, handle: &ReactorHandle) -> bool {
        let mut events = self
            .events
            .iter()
            .filter(|event| event.token() != WAKE_TOKEN)
            .map(|event| (event.token().0, Ready::from_mio(event)))
            .peekable();
        if events.peek().is_none() {
            return false;
        }
        table::dispatch(&handle.table, events, &mut self.wakers);
        true
    }
}

impl ReactorHandle {
    /// Adds `source` to the table and registers it with mio for `interest`.
    ///
    /// # Errors
    ///
    /// After shutdown, when the table is full, or when mio refuses the source (it is
    /// registered elsewhere already, or the OS is out of resources).
    pub(crate) fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<(usize, Arc<IoState>)> {
        let (token, io) = self.table.lock().insert()?;
        if let Err(e) = self.registry.register(source, mio::Token(token), interest.to_mio()) {
            self.table.lock().remove(token);
            return Err(e);
        }
        Ok((token, io))
    }

    /// Deregisters `source` from mio (it delivers no events from now on); the table
    /// entry stays until [`remove`](ReactorHandle::remove).
    ///
    /// # Errors
    ///
    /// When mio's deregistration fails.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.registry.deregister(source)
    }

    /// Drops the table entry of `token` (a no-op if it is already gone). Events for it
    /// that the reactor fetched already are ignored from now on.
    pub(crate) fn remove(&self, token: usize) {
        self.table.lock().remove(token);
    }

    /// Marks every registration shut down, wakes all their waiters, and refuses new
    /// registrations.
    pub(crate) fn shutdown(&self) {
        table::shutdown(&self.table);
    }

    /// How many registrations are live.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn registrations(&self) -> usize {
        self.table.lock().len()
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("event_capacity", &self.events.capacity())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ReactorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReactorHandle")
            .field("table", &*self.table.lock())
            .finish_non_exhaustive()
    }
}
