//! The runtime abstraction the workloads are written against.
//!
//! Every workload is a generic function over [`Runtime`], instantiated once for our
//! runtime ([`Ours`]) and once for the peer ([`Peer`], tokio). Both instantiations are
//! the same source, so neither side gets a different loop, a different join strategy or
//! a different channel. The implementations are thin: each method forwards to the
//! runtime's own API and the associated types are the runtime's own types (no boxing,
//! no wrapping), so the abstraction costs nothing at run time.

mod net;
mod rt_sched;
mod sync;
mod tokio;

use std::fmt::Debug;
use std::future::Future;

pub(crate) use self::net::{Listener, NetRuntime, Stream, TimerRuntime};
pub(crate) use self::sync::{MpscReceiver, MpscSender, Notify, OneshotSender, Semaphore, SyncPrimitives};
pub(crate) use self::tokio::Tokio;

/// The runtime under test: rt-sched.
///
/// Point this at [`Tokio`] to check the harness itself: both columns then measure tokio,
/// so every ratio should be close to 1 and its distance from 1 shows the noise.
pub(crate) type Ours = self::rt_sched::RtSched;

/// The runtime we are compared with.
pub(crate) type Peer = Tokio;

/// Worker threads of both runtimes (the issue fixes it at 2, the core count of the
/// machines these numbers are taken on).
pub(crate) const WORKER_THREADS: usize = 2;

/// A multi-thread async runtime, as far as the workloads need one.
///
/// A value of the implementing type owns one runtime; dropping it shuts the runtime down.
pub(crate) trait Runtime: Sized {
    /// Name shown in the table and written as `peer_name` in the JSON report.
    const NAME: &'static str;

    /// Cloneable handle that spawns onto the runtime from any thread.
    type Handle: Clone + Send + Sync + 'static;

    /// Error a join handle yields when its task panicked or was cancelled.
    type JoinError: Debug;

    /// Handle to await a spawned task's output.
    type JoinHandle<T: Send + 'static>: Future<Output = Result<T, Self::JoinError>> + Send + 'static;

    /// Builds a multi-thread runtime with [`WORKER_THREADS`] workers and every driver
    /// enabled.
    ///
    /// # Panics
    ///
    /// Panics when the runtime cannot be built: a benchmark has nothing to measure then.
    fn build() -> Self;

    /// Returns a handle to this runtime.
    fn handle(&self) -> Self::Handle;

    /// Runs `future` to completion on the current thread, inside the runtime's context.
    fn block_on<F: Future>(&self, future: F) -> F::Output;

    /// Spawns `future` onto the runtime of the current context (a worker thread or
    /// `block_on`).
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Spawns `future` through `handle`, from any thread.
    fn spawn_on<F>(handle: &Self::Handle, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Yields back to the scheduler once (the runtime's own `yield_now`).
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// Builds a runtime and runs a few empty tasks on it, so its workers have started and
/// been woken once before anything is timed.
pub(crate) fn fresh<R: Runtime>() -> R {
    let runtime = R::build();
    runtime.block_on(async {
        let handles: Vec<_> = (0..2 * WORKER_THREADS).map(|_| R::spawn(async {})).collect();
        for handle in handles {
            handle.await.expect("warm-up task failed");
        }
    });
    runtime
}

/// Runs `root` as a task on a worker of `runtime` and returns its output.
///
/// On a multi-thread runtime the future given to `block_on` runs on the calling thread,
/// outside the workers, so its spawns would take the remote path; a root task spawned
/// onto the runtime spawns locally.
pub(crate) fn on_worker<R, T>(runtime: &R, root: impl Future<Output = T> + Send + 'static) -> T
where
    R: Runtime,
    T: Send + 'static,
{
    let root = R::spawn_on(&runtime.handle(), root);
    runtime.block_on(root).expect("root task failed")
}
