//! Thread parking: a token per thread, set by `unpark` and consumed by `park`.
//!
//! `unpark` before `park` makes the next `park` return at once; several `unpark`s
//! collapse into one token. `park` may also return spuriously, so callers re-check
//! their condition in a loop.
//!
//! # Parking on the driver
//!
//! A runtime with I/O or timers enabled has one [`Driver`] (the reactor and the timer
//! wheel), shared by all of its parkers through a [`SharedDriver`]. A parker that finds
//! the driver free takes it and waits *in* it (in `epoll`, bounded by the next timer),
//! so I/O events and timers are serviced while the thread sleeps; the others wait on
//! their condvar. The state word says which of the two a parked thread is doing, so
//! `unpark` knows whether to signal the condvar or to wake the driver (a `mio::Waker`
//! write, or the driver's own condvar when I/O is off).
//!
//! ```text
//! EMPTY ──park──► PARKED_CONDVAR ──unpark──► NOTIFIED ──park returns──► EMPTY
//!       ──park──► PARKED_DRIVER  ──unpark──► NOTIFIED (and Handle::unpark)
//! ```

use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use rt_core::driver::{self, Driver};
use rt_core::loom::sync::atomic::AtomicUsize;
use rt_core::loom::sync::{Arc, Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// A runtime's driver and its handle, shared by the runtime's parkers.
pub(crate) struct SharedDriver {
    driver: Mutex<Driver>,
    handle: driver::Handle,
}

impl SharedDriver {
    pub(crate) fn new(driver: Driver, handle: driver::Handle) -> Arc<SharedDriver> {
        Arc::new(SharedDriver {
            driver: Mutex::new(driver),
            handle,
        })
    }

    pub(crate) fn handle(&self) -> &driver::Handle {
        &self.handle
    }

    /// Polls for I/O events and due timers without blocking, if no thread is parked
    /// on the driver (then that thread is already servicing them).
    pub(crate) fn poll(&self) {
        if let Some(mut driver) = self.driver.try_lock() {
            driver.park_timeout(&self.handle, Duration::ZERO);
        }
    }

    /// Shuts the driver down (pending I/O and timers complete with errors). Waits for
    /// a thread parked on the driver to leave it; gives up after `patience` so that a
    /// worker stuck in a task cannot hang the caller (that worker shuts the driver
    /// down when it exits, see `shutdown_if_free`).
    pub(crate) fn shutdown(&self, patience: Duration) {
        let deadline = std::time::Instant::now() + patience;
        loop {
            if let Some(mut driver) = self.driver.try_lock() {
                driver.shutdown(&self.handle);
                return;
            }
            self.handle.unpark();
            if std::time::Instant::now() >= deadline {
                return;
            }
            rt_core::loom::thread::yield_now();
        }
    }

    /// Shuts the driver down if nobody holds it; a repeated shutdown does nothing.
    pub(crate) fn shutdown_if_free(&self) {
        if let Some(mut driver) = self.driver.try_lock() {
            driver.shutdown(&self.handle);
        }
    }
}

impl std::fmt::Debug for SharedDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedDriver").finish_non_exhaustive()
    }
}

/// The parking side, owned by one thread (clones share the token; only one thread
/// may park at a time).
#[derive(Clone, Debug)]
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// The waking side, clonable and usable from any thread.
#[derive(Clone, Debug)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
    driver: Option<Arc<SharedDriver>>,
}

impl Parker {
    /// A parker that only ever waits on its condvar.
    pub(crate) fn new() -> Parker {
        Parker::with_driver(None)
    }

    /// A parker that waits in `driver` whenever no other parker does.
    pub(crate) fn with_driver(driver: Option<Arc<SharedDriver>>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until unparked (or spuriously), servicing the driver if it is free.
    pub(crate) fn park(&self) {
        self.inner.park(None);
    }

    /// Services the driver without blocking (a busy worker's periodic I/O poll).
    pub(crate) fn poll_driver(&self) {
        if let Some(driver) = &self.inner.driver {
            driver.poll();
        }
    }
}

impl Unparker {
    /// Whether both unparkers wake the same parker.
    pub(crate) fn same_thread(&self, other: &Unparker) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Wakes the parked thread, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Inner {
    fn park(&self, timeout: Option<Duration>) {
        // Fast path: consume a pending token.
        if self.state.compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst).is_ok() {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        if let Some(shared) = &self.driver {
            if let Some(mut driver) = shared.driver.try_lock() {
                self.park_driver(&mut driver, &shared.handle, timeout);
                return;
            }
        }
        self.park_condvar(timeout);
    }

    fn park_driver(&self, driver: &mut Driver, handle: &driver::Handle, timeout: Option<Duration>) {
        match self.state.compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Unparked since the fast path: consume the token.
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        match timeout {
            None => driver.park(handle),
            Some(t) => driver.park_timeout(handle, t),
        }
        // Woken by an unpark (NOTIFIED), an event, a timer or spuriously: either way
        // the token, if any, is consumed now.
        match self.state.swap(EMPTY, SeqCst) {
            NOTIFIED | PARKED_DRIVER => {}
            actual => panic!("inconsistent park state: {actual}"),
        }
    }

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst) {
            Ok(_) => {}
            Err(NOTIFIED) => {
                // Unparked between the fast path and the lock.
                self.state.store(EMPTY, SeqCst);
                return;
            }
            Err(actual) => panic!("inconsistent park state: {actual}"),
        }
        loop {
            guard = match timeout {
                None => self.cvar.wait(guard),
                Some(t) => {
                    let (g, _timed_out) = self.cvar.wait_timeout(guard, t);
                    // Timed out or not, leave; a spurious early return is allowed.
                    if self.state.compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst).is_err() {
                        // Not notified: give up the PARKED state (an unpark may still
                        // race us; then its token stays for the next park).
                        let _ = self.state.compare_exchange(PARKED_CONDVAR, EMPTY, SeqCst, SeqCst);
                    }
                    drop(g);
                    return;
                }
            };
            if self.state.compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst).is_ok() {
                return;
            }
        }
    }

    fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Take the lock so the parked thread is really waiting (or has not yet
                // checked the state) before we signal.
                drop(self.lock.lock());
                self.cvar.notify_one();
            }
            PARKED_DRIVER => {
                if let Some(shared) = &self.driver {
                    shared.handle.unpark();
                }
            }
            actual => panic!("inconsistent park state: {actual}"),
        }
    }
}

/// A waker that unparks a thread; used by `block_on`.
pub(crate) fn thread_waker(unparker: Unparker) -> std::task::Waker {
    struct ThreadWaker(Unparker);
    impl std::task::Wake for ThreadWaker {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    std::task::Waker::from(std::sync::Arc::new(ThreadWaker(unparker)))
}

/// Blocks the current thread on `future`, parking between polls.
pub(crate) fn block_on_thread<F: std::future::Future>(future: F) -> F::Output {
    let parker = Parker::new();
    let waker = thread_waker(parker.unparker());
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        parker.park();
    }
}
