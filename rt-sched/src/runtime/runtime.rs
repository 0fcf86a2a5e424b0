//! `Runtime`: owns a scheduler, its threads and its blocking pool.

use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

use rt_core::task::JoinHandle;

use super::{Builder, EnterGuard, Handle, RuntimeMetrics, ThreadGroup};
use crate::blocking::BlockingPool;
use crate::scheduler;

/// An async runtime: a scheduler with its worker threads and a blocking pool.
///
/// # Shutdown
///
/// Dropping the runtime cancels every task: each future is dropped (on a worker
/// thread, with the runtime context set, so a `Drop` that spawns or uses
/// `Handle::current` behaves), never leaked and never dropped twice, and each
/// `JoinHandle` then returns a cancelled [`JoinError`](crate::task::JoinError).
/// Blocking closures that already run are waited for; [`shutdown_timeout`] bounds
/// that wait and [`shutdown_background`] skips it.
///
/// [`shutdown_timeout`]: Runtime::shutdown_timeout
/// [`shutdown_background`]: Runtime::shutdown_background
///
/// # Examples
///
/// ```
/// let rt = rt_sched::Runtime::new().unwrap();
/// let answer = rt.block_on(async {
///     let handle = rt_sched::spawn(async { 6 * 7 });
///     handle.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
pub struct Runtime {
    handle: Handle,
    blocking: BlockingPool,
    threads: ThreadGroup,
    /// Set by the first shutdown, so `Drop` after `shutdown_timeout` does not wait again.
    is_shut_down: bool,
}

impl Runtime {
    /// A multi-thread runtime with default settings and every driver enabled.
    ///
    /// # Errors
    ///
    /// When a worker thread cannot be started.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().enable_all().build()
    }

    pub(crate) fn from_parts(inner: scheduler::Handle, blocking: BlockingPool, threads: ThreadGroup) -> Runtime {
        Runtime {
            handle: Handle { inner },
            blocking,
            threads,
            is_shut_down: false,
        }
    }

    /// Runs `future` to completion on the current thread, with this runtime as the
    /// current one. On a current-thread runtime this is what drives every task.
    ///
    /// # Panics
    ///
    /// When called from a thread that is already running a runtime (a worker thread,
    /// or inside another `block_on`): blocking there would stall or deadlock that
    /// runtime. Use `.await` instead, or `spawn_blocking` for blocking work.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task on this runtime; see [`crate::spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool; see
    /// [`crate::spawn_blocking`].
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// A handle to this runtime, usable from any thread.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime the current one on this thread until the guard drops, so
    /// that [`crate::spawn`] works outside of `block_on`.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Counters and gauges of this runtime.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// Shuts down, waiting at most `timeout` for worker threads and running blocking
    /// closures; whatever still runs after that is left to finish in the background.
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for worker threads or blocking closures.
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        if std::mem::replace(&mut self.is_shut_down, true) {
            return;
        }
        match &self.handle.inner {
            scheduler::Handle::MultiThread(h) => {
                h.shutdown();
                self.threads.wait(timeout);
                // Cancel anything the workers did not get to (all of it when they
                // did not exit in time) with this runtime as the current one.
                let _enter = crate::context::set_current(&self.handle.inner);
                h.finish_shutdown();
            }
            scheduler::Handle::CurrentThread(h) => {
                let _enter = crate::context::set_current(&self.handle.inner);
                scheduler::current_thread::Handle::shutdown(h);
            }
        }
        self.blocking.shutdown(timeout);
    }
}

impl Drop for Runtime {
    /// Shuts down and waits for running blocking closures. Dropped on a thread that is
    /// itself inside a runtime (a task owning a `Runtime`), waiting could deadlock, so
    /// it shuts down in the background instead.
    fn drop(&mut self) {
        let timeout = if rt_core::context::is_runtime_entered() {
            Some(Duration::ZERO)
        } else {
            None
        };
        self.shutdown(timeout);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").field("handle", &self.handle).finish()
    }
}
