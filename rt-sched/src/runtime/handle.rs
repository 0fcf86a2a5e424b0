//! `Handle`: a clonable reference to a runtime, usable from any thread.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;

use rt_core::task::JoinHandle;

use super::RuntimeMetrics;
use crate::scheduler;
use crate::{context, park};

/// A clonable handle to a runtime: spawn onto it, block on it, or enter it from any
/// thread. It does not keep the runtime alive: once the runtime is dropped, tasks
/// spawned through the handle are cancelled at once (their `JoinHandle` says so).
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Which scheduler a runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// All tasks run on the thread inside `block_on`.
    CurrentThread,
    /// Work-stealing worker threads.
    MultiThread,
}

/// The error of [`Handle::try_current`]: this thread is not inside a runtime.
#[derive(Debug)]
pub struct TryCurrentError(());

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("there is no current runtime: call this from inside a runtime (a task, `block_on`, or after `Handle::enter`)")
    }
}

impl Error for TryCurrentError {}

/// Keeps a runtime current on this thread; see [`Handle::enter`].
#[derive(Debug)]
pub struct EnterGuard<'a> {
    _guard: context::SetHandleGuard,
    _handle: PhantomData<&'a Handle>,
}

impl Handle {
    /// The handle of the runtime this thread is in.
    ///
    /// # Panics
    ///
    /// Outside a runtime, with a message saying how to enter one; see
    /// [`try_current`](Handle::try_current).
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(e) => panic!("{e}"),
        }
    }

    /// The handle of the runtime this thread is in.
    ///
    /// # Errors
    ///
    /// [`TryCurrentError`] outside a runtime.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        context::current_handle()
            .map(|inner| Handle { inner })
            .ok_or(TryCurrentError(()))
    }

    /// Spawns a task on this runtime; see [`crate::spawn`].
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future)
    }

    /// Runs a blocking closure on this runtime's blocking pool; see
    /// [`crate::spawn_blocking`].
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.blocking_spawner().spawn_blocking(func, Some(&self.inner))
    }

    /// Runs `future` to completion on this thread with this runtime current. On a
    /// current-thread runtime it drives the tasks too (one thread at a time).
    ///
    /// # Panics
    ///
    /// When called from a thread that already runs a runtime (see
    /// [`Runtime::block_on`](super::Runtime::block_on)).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let Some(_rt) = rt_core::context::try_enter_runtime() else {
            panic!(
                "cannot block the current thread from within a runtime: `block_on` was called \
                 on a thread that is already driving async tasks, which would stall them. \
                 Use `.await` inside async code, or move the blocking call to `spawn_blocking`."
            );
        };
        let _handle = context::set_current(&self.inner);
        match &self.inner {
            scheduler::Handle::CurrentThread(h) => scheduler::current_thread::Handle::block_on(h, future),
            scheduler::Handle::MultiThread(_) => park::block_on_thread(future),
        }
    }

    /// Makes this runtime the current one on this thread until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            _guard: context::set_current(&self.inner),
            _handle: PhantomData,
        }
    }

    /// Which scheduler the runtime uses.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
            scheduler::Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
        }
    }

    /// Counters and gauges of the runtime.
    pub fn metrics(&self) -> RuntimeMetrics {
        RuntimeMetrics::new(self.inner.clone())
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("flavor", &self.runtime_flavor())
            .finish()
    }
}
