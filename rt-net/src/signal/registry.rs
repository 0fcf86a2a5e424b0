//! The global registry that turns signal deliveries into wake-ups of every listening
//! [`Signal`](super::unix::Signal).
//!
//! # Protocol
//!
//! * The handler (`crate::sys::signal`) sets a per-signal pending flag and writes a byte
//!   to a socket pair created here, once per process.
//! * Each `Signal` registers its own duplicate of the read end with the reactor of the
//!   runtime it was created on, so every runtime with a listening stream is woken.
//!   Whichever stream reads a byte first calls [`Registry::dispatch`], which turns each
//!   pending flag into one more *generation* of that signal and wakes the listeners.
//! * A listener remembers the generation it has seen. When it polls and the generation
//!   moved on it reports one delivery and catches up, so any number of deliveries
//!   between two polls coalesce into one, as with tokio.
//! * Check and waker registration happen under the slot's lock, and `dispatch` bumps the
//!   generation and takes the wakers under the same lock, so a delivery between a
//!   listener's check and its registration cannot be lost.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Context, Poll, Waker};

use libc::c_int;

use crate::sys::signal as sys;

/// Process-wide signal state; created on the first `signal()` call and never dropped.
pub(crate) struct Registry {
    /// Index = signal number.
    slots: Vec<Slot>,
    /// The read end of the self-pipe; each stream registers a duplicate.
    receiver: UnixStream,
    /// The write end; its descriptor is the handler's wake fd, so it must stay open.
    _sender: UnixStream,
    /// Serialises handler installation.
    install: Mutex<()>,
    next_id: AtomicU64,
}

struct Slot {
    installed: AtomicBool,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    /// Dispatched deliveries of this signal so far.
    generation: u64,
    /// Listeners waiting for the next generation, by listener id.
    waiters: Vec<(u64, Waker)>,
}

/// One listening stream's view of a signal.
#[derive(Debug)]
pub(crate) struct Listener {
    signum: c_int,
    id: u64,
    seen: u64,
}

static REGISTRY: OnceLock<Registry> = OnceLock::new();
static INIT: Mutex<()> = Mutex::new(());

impl Registry {
    /// The registry, created (with its socket pair) on first use.
    pub(crate) fn global() -> io::Result<&'static Registry> {
        if let Some(registry) = REGISTRY.get() {
            return Ok(registry);
        }
        let _init = lock(&INIT);
        if let Some(registry) = REGISTRY.get() {
            return Ok(registry);
        }
        let (receiver, sender) = UnixStream::pair()?;
        receiver.set_nonblocking(true)?;
        sender.set_nonblocking(true)?;
        sys::set_wake_fd(sender.as_raw_fd());
        let slots = (0..=sys::MAX_SIGNUM)
            .map(|_| Slot {
                installed: AtomicBool::new(false),
                state: Mutex::new(SlotState::default()),
            })
            .collect();
        let registry = Registry {
            slots,
            receiver,
            _sender: sender,
            install: Mutex::new(()),
            next_id: AtomicU64::new(0),
        };
        Ok(REGISTRY.get_or_init(|| registry))
    }

    /// A new duplicate of the pipe's read end, for one stream to register.
    pub(crate) fn receiver(&self) -> io::Result<UnixStream> {
        self.receiver.try_clone()
    }

    /// Installs the handler for `signum` (once) and returns a listener that will see the
    /// deliveries dispatched from now on. `signum` must be in `1..=MAX_SIGNUM`.
    pub(crate) fn listen(&self, signum: c_int) -> io::Result<Listener> {
        let slot = &self.slots[signum as usize];
        if !slot.installed.load(Ordering::Acquire) {
            let _install = lock(&self.install);
            if !slot.installed.load(Ordering::Acquire) {
                sys::install(signum)?;
                slot.installed.store(true, Ordering::Release);
            }
        }
        let seen = lock(&slot.state).generation;
        Ok(Listener {
            signum,
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            seen,
        })
    }

    /// Turns every pending delivery into a new generation and wakes its listeners.
    pub(crate) fn dispatch(&self) {
        for (signum, slot) in self.slots.iter().enumerate().skip(1) {
            if !sys::take_pending(signum as c_int) {
                continue;
            }
            let waiters = {
                let mut state = lock(&slot.state);
                state.generation += 1;
                std::mem::take(&mut state.waiters)
            };
            for (_, waker) in waiters {
                waker.wake();
            }
        }
    }

    /// Ready (and caught up) when a delivery happened since the listener last saw one;
    /// otherwise keeps `cx`'s waker for the next dispatch.
    pub(crate) fn poll_delivery(&self, listener: &mut Listener, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = lock(&self.slots[listener.signum as usize].state);
        if state.generation != listener.seen {
            listener.seen = state.generation;
            state.waiters.retain(|(id, _)| *id != listener.id);
            return Poll::Ready(());
        }
        match state.waiters.iter_mut().find(|(id, _)| *id == listener.id) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => state.waiters.push((listener.id, cx.waker().clone())),
        }
        Poll::Pending
    }

    /// Forgets a listener's waker (its stream is dropped).
    pub(crate) fn forget(&self, listener: &Listener) {
        lock(&self.slots[listener.signum as usize].state)
            .waiters
            .retain(|(id, _)| *id != listener.id);
    }
}

/// Reads every byte waiting in (a duplicate of) the pipe, ending with the `WouldBlock`
/// that tells the reactor to wait for the next byte.
pub(crate) fn drain(mut pipe: &mio::net::UnixStream) -> io::Result<()> {
    let mut buf = [0u8; 64];
    loop {
        match pipe.read(&mut buf) {
            Ok(0) => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "signal pipe closed")),
            Ok(_) => continue,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        }
    }
}

/// Locks `mutex`, ignoring poisoning: the protected state is valid after any panic.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
