//! The core of the rt-stack async runtime: tasks, the cooperative budget, the runtime
//! context, and the concurrency shim that makes all of it checkable under loom.
//!
//! Most users never name this crate: they depend on `rt-sched` (the runtime and
//! `spawn`) and `rt-net` (sockets), which re-export what they need from here. Scheduler
//! authors use [`task`]'s low-level half: [`task::Schedule`], [`task::new_task`],
//! [`task::OwnedTasks`] and [`task::Inject`].
//!
//! [`sync`] holds the runtime-agnostic primitives (`oneshot`, `mpsc`, `Semaphore`,
//! `Notify`, `watch`, `Mutex`).
//!
//! [`driver`] is what a scheduler's worker parks on when it has nothing to run: a
//! [`driver::Driver`] waits in the mio reactor (or on a condvar when I/O is disabled)
//! and its cloneable [`driver::Handle`] wakes it from any thread. The reactor itself is
//! [`io`]: per-registration readiness with a tick (a clear after `WouldBlock` never
//! loses a new edge), generation-checked tokens, separate read and write wakers plus a
//! multi-waiter list, readiness polls that spend the cooperative budget, and errors
//! instead of hangs at shutdown. [`io::PollEvented`] wraps a mio source; rt-net's
//! sockets are built on it. Schedulers make their driver's handle current with
//! [`context::set_current_handle`] so that sources find it.
//!
//! [`time`] holds the timers (`sleep`, `timeout`, `interval`, `Instant`) and the runtime's
//! clock (pausable for tests), on a hierarchical timer wheel the driver turns: it sleeps
//! at most until the next deadline and fires what is due when it wakes.
//!
//! # A task without a runtime
//!
//! The smallest possible scheduler: a queue of notified tasks, drained by hand.
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use rt_core::task::{self, Notified, OwnedTasks, Schedule, Task};
//!
//! #[derive(Clone)]
//! struct Queue(Arc<(Mutex<Vec<Notified<Queue>>>, OwnedTasks<Queue>)>);
//!
//! impl Schedule for Queue {
//!     fn schedule(&self, task: Notified<Self>) {
//!         self.0 .0.lock().unwrap().push(task);
//!     }
//!     fn release(&self, task: &Task<Self>) -> Option<Task<Self>> {
//!         // SAFETY: every task of this scheduler is bound to this one list.
//!         unsafe { self.0 .1.remove(task) }
//!     }
//! }
//!
//! let queue = Queue(Arc::new((Mutex::new(Vec::new()), OwnedTasks::new(1))));
//! let (task, notified, mut join) = task::new_task(async { 1 + 1 }, queue.clone());
//! let notified = queue.0 .1.bind(task, notified).unwrap();
//! notified.run();
//! let waker = futures::task::noop_waker();
//! let out = std::pin::Pin::new(&mut join).poll(&mut std::task::Context::from_waker(&waker));
//! assert!(matches!(out, std::task::Poll::Ready(Ok(2))));
//! # use std::future::Future;
//! ```
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod context;
pub mod coop;
pub mod driver;
pub mod io;
#[doc(hidden)]
pub mod loom;
pub mod sync;
pub mod task;
pub mod time;
