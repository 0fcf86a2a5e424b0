//! Running blocking calls on the runtime's blocking pool, with `io::Error`s instead of
//! panics when there is no runtime.
//!
//! `rt_sched::spawn_blocking` panics outside a runtime. Every blocking call of this crate
//! goes through [`runtime`] first, which asks `rt_sched::Handle::try_current` and turns
//! its absence into an [`io::Error`], so that `rt_net::fs::read(..)` polled by a foreign
//! executor fails instead of panicking.

use std::io;

use rt_core::task::{JoinError, JoinHandle};

/// The handle of the current runtime.
///
/// # Errors
///
/// [`io::ErrorKind::Other`] when this thread is not inside an rt-sched runtime.
pub(crate) fn runtime() -> io::Result<rt_sched::Handle> {
    rt_sched::Handle::try_current().map_err(|_| {
        io::Error::other(
            "no runtime running: rt-net file system and DNS operations run on the blocking pool \
             and must be called from inside an rt-sched runtime",
        )
    })
}

/// Queues `f` on the current runtime's blocking pool.
///
/// # Errors
///
/// Outside a runtime (see [`runtime`]); `f` is then dropped unrun.
pub(crate) fn spawn<F, R>(f: F) -> io::Result<JoinHandle<R>>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    Ok(runtime()?.spawn_blocking(f))
}

/// Runs `f` on the blocking pool and waits for its result.
///
/// # Errors
///
/// Those of `f`; outside a runtime; when the runtime shuts down before `f` ran (see
/// [`join_error`]).
///
/// # Cancel safety
///
/// Dropping the future does not stop `f` once it was queued: it runs to completion and
/// its result is dropped.
pub(crate) async fn run<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match spawn(f)?.await {
        Ok(res) => res,
        Err(e) => Err(join_error(e)),
    }
}

/// The error for a blocking call that did not complete.
///
/// Not `ErrorKind::Interrupted` (what `From<JoinError>` gives a cancellation): loops such
/// as `read_exact` retry on `Interrupted`, and a runtime that shut down will never run
/// the retry either, so they would spin.
pub(crate) fn join_error(e: JoinError) -> io::Error {
    let msg = if e.is_cancelled() {
        "blocking operation cancelled: the runtime is shutting down"
    } else {
        "blocking operation panicked"
    };
    io::Error::other(msg)
}
