//! `Driver`: the parking side. Owned by the one thread that parks on it.
//!
//! A park is one *turn*:
//!
//! 1. (time) compute how long the thread may sleep: the caller's limit, capped by the
//!    next timer deadline;
//! 2. wait: in `mio::Poll::poll` when I/O is enabled (then dispatch the events), on the
//!    unparker's condvar otherwise;
//! 3. (time) fire the timers that are due.
//!
//! Steps 1 and 3 are where the timer wheel plugs in (see `turn`).

use std::cell::Cell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::time::Duration;

use super::handle::{Handle, Shared};
use super::unpark::Unparker;
use super::Config;
use crate::loom::sync::Arc;

/// The parking side of the runtime's driver: blocks a thread until there is work, and
/// runs the reactor (and the timers) while it does.
///
/// `Send` but not `Sync`: exactly one thread parks on it at a time (a scheduler hands
/// it from worker to worker). Every other thread reaches it through its [`Handle`].
pub struct Driver {
    io: Option<crate::io::Reactor>,
    /// The handle's shared state, to check that `park` is given the matching handle.
    shared: Arc<Shared>,
    _not_sync: PhantomData<Cell<()>>,
}

impl Driver {
    /// Builds a driver and its handle.
    ///
    /// # Errors
    ///
    /// When the OS refuses the reactor's resources (an epoll instance, an eventfd:
    /// for example at the open-file limit), or when I/O is enabled in a `--cfg loom`
    /// build, where mio cannot run.
    pub fn new(cfg: Config) -> io::Result<(Driver, Handle)> {
        let (io, unparker, io_handle) = if cfg.enable_io {
            if cfg!(loom) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "the I/O driver cannot run under --cfg loom (mio is not modelled)",
                ));
            }
            let (reactor, waker, io_handle) = crate::io::Reactor::new(cfg.event_capacity)?;
            (Some(reactor), Unparker::with_io_waker(waker), Some(io_handle))
        } else {
            (None, Unparker::new(), None)
        };
        let shared = Arc::new(Shared {
            unparker: Arc::new(unparker),
            io: io_handle,
            time_enabled: cfg.enable_time,
        });
        let driver = Driver {
            io,
            shared: shared.clone(),
            _not_sync: PhantomData,
        };
        Ok((driver, Handle { shared }))
    }

    /// Blocks until [`Handle::unpark`], an I/O event, or the next timer. Dispatches I/O
    /// readiness (and fires due timers) before returning. May return spuriously.
    ///
    /// An unpark that arrived while no thread was parked makes this return at once.
    ///
    /// # Panics
    ///
    /// In debug builds, when `handle` belongs to another driver.
    pub fn park(&mut self, handle: &Handle) {
        self.turn(handle, None);
    }

    /// Like [`park`](Driver::park), but waits at most `dur`. `Duration::ZERO` polls for
    /// I/O events and due timers without blocking.
    ///
    /// # Panics
    ///
    /// In debug builds, when `handle` belongs to another driver.
    pub fn park_timeout(&mut self, handle: &Handle, dur: Duration) {
        self.turn(handle, Some(dur));
    }

    /// Shuts the driver down: every I/O registration becomes ready with a "runtime shut
    /// down" error and its waiters are woken; new registrations are refused.
    ///
    /// Idempotent. Parking afterwards still works (it only waits for unparks).
    ///
    /// # Panics
    ///
    /// In debug builds, when `handle` belongs to another driver.
    pub fn shutdown(&mut self, handle: &Handle) {
        debug_assert!(self.owns(handle), "handle of another driver");
        if let Some(io) = &handle.shared.io {
            io.shutdown();
        }
    }

    /// One turn: wait at most `limit` (`None`: until woken), dispatch what arrived.
    fn turn(&mut self, handle: &Handle, limit: Option<Duration>) {
        debug_assert!(self.owns(handle), "handle of another driver");
        // Time joins here: `timeout = min(limit, time.next_timeout())`, and the paused
        // clock's auto-advance when `limit` is `None`.
        let timeout = limit;
        self.wait(handle, timeout);
        // Time joins here: `time.process()` fires the timers now due.
    }

    /// Waits in the reactor, or on the condvar when I/O is disabled.
    fn wait(&mut self, handle: &Handle, timeout: Option<Duration>) {
        let shared = &handle.shared;
        if let (Some(reactor), Some(io)) = (&mut self.io, &shared.io) {
            reactor.turn(io, &shared.unparker, timeout);
            return;
        }
        shared.unparker.park_thread(timeout);
    }

    fn owns(&self, handle: &Handle) -> bool {
        Arc::ptr_eq(&self.shared, &handle.shared)
    }
}

impl fmt::Debug for Driver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Driver")
            .field(
                "handle",
                &Handle {
                    shared: self.shared.clone(),
                },
            )
            .finish_non_exhaustive()
    }
}
