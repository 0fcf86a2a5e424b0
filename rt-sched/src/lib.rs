//! Runtimes for the rt-stack async stack: a work-stealing multi-thread scheduler, a
//! current-thread scheduler, and a blocking pool.
//!
//! The API follows tokio's, so moving a program over is mostly a change of imports:
//!
//! ```
//! let rt = rt_sched::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
//! let sum = rt.block_on(async {
//!     let mut handles = Vec::new();
//!     for i in 0..10u64 {
//!         handles.push(rt_sched::spawn(async move { i * i }));
//!     }
//!     let mut sum = 0;
//!     for h in handles {
//!         sum += h.await?;
//!     }
//!     Ok::<_, rt_sched::task::JoinError>(sum)
//! })?;
//! assert_eq!(sum, 285);
//! # Ok::<_, Box<dyn std::error::Error>>(())
//! ```
//!
//! Or with the attribute macro:
//!
//! ```
//! #[rt_sched::main(worker_threads = 2)]
//! async fn main() {
//!     let answer = rt_sched::spawn(async { 42 }).await.unwrap();
//!     assert_eq!(answer, 42);
//! }
//! ```
//!
//! # What runs where
//!
//! * [`spawn`] puts a future on the runtime's workers. A task is one heap allocation
//!   (about 100 bytes plus the future); see `rt_core::task` for the model.
//! * [`spawn_blocking`] runs a closure on the blocking pool, whose threads are started
//!   on demand (up to 512 by default) and exit after 10 s idle.
//! * [`task::LocalSet`] runs futures that are not `Send` on the current thread.
//!
//! # Scheduling
//!
//! Each multi-thread worker has a 256-slot local queue and a LIFO slot for the task the
//! running task just woke; a global queue takes work from other threads and is checked
//! every 61 ticks; idle workers steal half of a random victim's queue, at most half of
//! them searching at once; a parked worker is woken only when nobody else would find
//! the work. Every task poll gets a cooperative budget of 128 (see `rt_core::coop`), so
//! a task that is always ready cannot starve the others. The details are documented
//! in the scheduler modules.
//!
//! # I/O and timers
//!
//! With [`Builder::enable_io`] / [`Builder::enable_time`] (both in
//! [`Builder::enable_all`] and [`Runtime::new`]) the runtime owns a driver: the mio
//! reactor and the timer wheel of `rt_core`. A worker with nothing to run parks *in*
//! the driver when no other worker does (waiting in `epoll`, bounded by the next timer)
//! and on its condvar otherwise; waking a worker parked in the driver goes through the
//! reactor's `mio::Waker`. Busy workers poll the driver without blocking every
//! `event_interval` ticks, so I/O and timers are serviced under load too. A
//! current-thread runtime built with [`Builder::start_paused`] runs timers on a paused
//! clock that jumps to the next deadline when nothing else can happen. At shutdown,
//! pending I/O fails with an error and pending timers fire.
//!
//! # Panics and errors
//!
//! A panic in a task is caught and handed to its [`JoinHandle`](task::JoinHandle) as a
//! [`JoinError`](task::JoinError); the worker thread lives on. Calling `block_on` on a
//! thread that already runs a runtime panics with a clear message instead of
//! deadlocking. Builder mistakes (zero workers) are errors from
//! [`Builder::build`], not panics.
#![warn(clippy::undocumented_unsafe_blocks)]

mod blocking;
mod context;
mod park;
mod queue;
mod runtime;
mod scheduler;
pub mod task;
mod util;

pub use rt_macros::{main, test};
pub use runtime::{Builder, EnterGuard, Handle, Runtime, RuntimeFlavor, RuntimeMetrics, TryCurrentError};
pub use task::{spawn, spawn_blocking};
