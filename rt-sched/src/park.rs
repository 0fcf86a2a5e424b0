//! Thread parking: a token per thread, set by `unpark` and consumed by `park`.
//!
//! `unpark` before `park` makes the next `park` return at once; several `unpark`s
//! collapse into one token. `park` may also return spuriously, so callers re-check
//! their condition in a loop.
//!
//! Later the reactor plugs in here: a parked worker will wait in `epoll` instead of on
//! the condvar.

use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

use rt_core::loom::sync::atomic::AtomicUsize;
use rt_core::loom::sync::{Arc, Condvar, Mutex};

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The parking side, owned by one thread.
#[derive(Debug)]
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
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                lock: Mutex::new(()),
                cvar: Condvar::new(),
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Blocks until unparked (or spuriously).
    pub(crate) fn park(&self) {
        self.inner.park(None);
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
        let mut guard = self.lock.lock();
        match self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
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
                        let _ = self.state.compare_exchange(PARKED, EMPTY, SeqCst, SeqCst);
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
            PARKED => {
                // Take the lock so the parked thread is really waiting (or has not yet
                // checked the state) before we signal.
                drop(self.lock.lock());
                self.cvar.notify_one();
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
