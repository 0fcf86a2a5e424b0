//! The blocking pool: threads for work that blocks (file I/O, DNS, CPU-heavy closures),
//! so that it never stalls the async workers.
//!
//! # Protocol
//!
//! * A blocking task is an ordinary task (one allocation, `JoinHandle`, abort) whose
//!   future runs the closure on its first poll. It is queued in `Shared::queue`.
//! * Threads are started on demand: a push that finds no idle thread starts one, up to
//!   `max_blocking_threads`; beyond that, tasks wait in the queue.
//! * An idle thread waits on the condvar for at most `keep_alive`, then exits.
//! * `num_notify` counts wake-ups handed to idle threads, so a spurious condvar wake-up
//!   never makes two threads believe they were meant for one task.
//! * Shutdown closes the owned list (queued tasks are cancelled: their closures are
//!   dropped unrun and their `JoinHandle`s see a cancelled error), wakes every thread,
//!   and waits, for at most the given timeout, for the running closures to return and
//!   for every thread to drop its runtime handle (so that a runtime dropped with a
//!   wait has closed its reactor's descriptors when the drop returns).

mod pool;
mod task;

pub(crate) use pool::{BlockingPool, Spawner};
