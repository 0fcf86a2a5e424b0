//! The current-thread scheduler: every task runs on the thread inside `block_on`.
//!
//! # Protocol
//!
//! * The [`Core`] (local run queue, tick, parker) is owned by whichever thread is in
//!   `block_on`; it sits in the handle's `core` slot otherwise. A second thread that
//!   calls `block_on` while the core is taken polls only its own future, and takes the
//!   core over when it is released (the releasing thread wakes every waiter).
//! * While the core is in use it lives in the thread's context, so tasks woken on that
//!   thread are pushed onto the local queue without a lock. Wakes from other threads
//!   go to the inject queue and unpark the driving thread.
//! * The loop alternates: poll the `block_on` future when its waker fired, then run up
//!   to `event_interval` tasks (checking the inject queue first every
//!   `global_queue_interval` ticks), then park when nothing is runnable.
//! * Shutdown (dropping the runtime) takes the core, cancels every task with the
//!   runtime's context set, and drops every queued notification.

mod handle;

pub(crate) use handle::{Context, Handle};
