//! The work-stealing multi-thread scheduler.
//!
//! # Structure
//!
//! * Each worker thread owns a [`Core`](worker::Core): a fixed-size local run queue, a
//!   LIFO slot and its counters. The core lives in the worker's thread-local context
//!   while a task runs, so that a task woken or spawned by the running task goes
//!   straight into the local queue (no lock, no atomic read-modify-write).
//! * The LIFO slot holds the task most recently woken by the running task: it runs
//!   next, which keeps message-passing pairs hot in cache. At most
//!   `MAX_LIFO_POLLS_PER_TICK` LIFO tasks run in a row; then the slot's task goes to the
//!   back of the queue so two tasks that wake each other cannot starve the rest.
//! * Tasks woken from outside a worker go to the shared inject queue, which workers
//!   check first every `global_queue_interval` ticks (so it cannot starve) and whenever
//!   their local queue is empty. A full local queue overflows half of itself there.
//! * An idle worker becomes a *searcher* (at most half of the workers at once, see
//!   `idle.rs`) and steals half of a random victim's queue. A worker that finds nothing
//!   parks. Parked workers are woken only when there is work no searcher will find.
//!
//! # Shutdown
//!
//! `Handle::shutdown` closes the inject queue and wakes every worker. Each worker
//! leaves its loop, cancels every task of the runtime (`OwnedTasks` is shared, so the
//! first one does most of the work, on a worker thread with the runtime context set)
//! and hands its core back. The last core handed back drains every queue.

mod handle;
mod idle;
mod worker;

pub(crate) use handle::Handle;
pub(crate) use worker::{spawn_workers, Context};
