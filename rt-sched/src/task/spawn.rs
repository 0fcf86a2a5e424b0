//! The `spawn` functions.

use std::future::Future;

use rt_core::task::JoinHandle;

use crate::context;

/// Spawns a task on the current runtime.
///
/// The future starts running right away on a worker (it does not wait for the handle
/// to be awaited). Dropping the returned [`JoinHandle`] detaches the task; awaiting it
/// gives the output, or a [`JoinError`](crate::task::JoinError) if the task panicked
/// or was aborted. A panic in the task is caught: the worker thread lives on.
///
/// # Panics
///
/// Outside a runtime (no task, `block_on` or `Handle::enter` on this thread). Use
/// [`Handle::spawn`](crate::Handle::spawn) from other threads.
///
/// # Examples
///
/// ```
/// let rt = rt_sched::Runtime::new().unwrap();
/// rt.block_on(async {
///     let handle = rt_sched::spawn(async { "done" });
///     assert_eq!(handle.await.unwrap(), "done");
/// });
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut future = Some(future);
    let spawned = context::with_current_handle(|handle| handle.map(|h| h.spawn(future.take().unwrap())));
    match spawned {
        Some(join) => join,
        None => {
            panic!("`spawn` called outside of a runtime: call it from a task or `block_on`, or use `Handle::spawn`")
        }
    }
}

/// Runs a blocking closure on the current runtime's blocking pool.
///
/// Threads are started on demand up to the runtime's `max_blocking_threads`; beyond
/// that, closures wait in a queue. A closure that has not started when the runtime
/// shuts down is dropped unrun (its handle reports cancellation); one that runs is
/// waited for (see `Runtime::shutdown_timeout`). Aborting the handle only prevents a
/// closure that has not started yet.
///
/// # Panics
///
/// Outside a runtime.
///
/// # Examples
///
/// ```
/// let rt = rt_sched::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     rt_sched::spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0))
///         .await
///         .unwrap()
/// });
/// assert!(n > 0);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match context::current_handle() {
        Some(handle) => handle.blocking_spawner().spawn_blocking(func, Some(&handle)),
        None => panic!("`spawn_blocking` called outside of a runtime"),
    }
}
