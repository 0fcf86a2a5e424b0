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
//! A paused clock (tests) does not wait for time to pass: when the scheduler has nothing
//! to run (`park` without a limit) and a timer is pending, the turn checks I/O and
//! unparks without blocking and, if nothing woke, advances the clock to the next
//! deadline instead of sleeping until it.

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
        let unparker = Arc::new(unparker);
        let time = cfg.enable_time.then(|| {
            let clock = crate::time::Clock::new(cfg.start_paused, cfg.allow_pause);
            let unparker = unparker.clone();
            // The wheel wakes the parked thread when a timer is due before the
            // deadline that thread sleeps until.
            crate::time::TimeHandle::new(clock, std::sync::Arc::new(move || unparker.unpark()))
        });
        let shared = Arc::new(Shared {
            unparker,
            io: io_handle,
            time,
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
    /// down" error and its waiters are woken; new registrations are refused. Every
    /// pending timer fires (a pending `timeout` reports `Elapsed` with
    /// `is_shutdown()`), and later timers complete at once.
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
        if let Some(time) = &handle.shared.time {
            time.shutdown();
        }
    }

    /// One turn: wait at most `limit` (`None`: until woken), dispatch what arrived, fire
    /// the timers now due.
    fn turn(&mut self, handle: &Handle, limit: Option<Duration>) {
        debug_assert!(self.owns(handle), "handle of another driver");
        let Some(time) = &handle.shared.time else {
            self.wait(handle, limit);
            return;
        };
        let next = time.next_timeout();
        let paused = time.clock().is_paused();
        // Until `process` below, `Instant::recent` reads the clock.
        time.begin_wait();
        match (limit, next) {
            (None, Some(next)) if paused && time.clock().can_auto_advance() => {
                // Auto-advance: only when nothing else can happen first.
                if !self.wait(handle, Some(Duration::ZERO)) {
                    time.clock().advance(next);
                }
            }
            // Paused, but work the driver cannot see is in flight (a blocking-pool
            // closure): wait for it (its end unparks) rather than for a deadline that
            // only moves with the clock.
            _ if paused => {
                self.wait(handle, limit);
            }
            _ => {
                let timeout = match (limit, next) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                self.wait(handle, timeout);
            }
        }
        time.process();
    }

    /// Waits in the reactor, or on the condvar when I/O is disabled. Returns whether
    /// something woke it (an unpark, or I/O readiness) rather than the timeout.
    fn wait(&mut self, handle: &Handle, timeout: Option<Duration>) -> bool {
        let shared = &handle.shared;
        if let (Some(reactor), Some(io)) = (&mut self.io, &shared.io) {
            return reactor.turn(io, &shared.unparker, timeout);
        }
        shared.unparker.park_thread(timeout)
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
