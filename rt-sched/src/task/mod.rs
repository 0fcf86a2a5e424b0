//! Spawning and managing tasks.
//!
//! * [`spawn`] runs a future concurrently on the current runtime and returns a
//!   [`JoinHandle`]; [`spawn_blocking`] runs a blocking closure on the blocking pool.
//! * [`yield_now`] lets other tasks run; [`JoinSet`] owns a group of tasks;
//!   [`LocalSet`] / [`spawn_local`] run futures that are not `Send`.
//! * [`consume_budget`] / [`unconstrained`] control the cooperative budget (see
//!   `rt_core::coop`).

mod join_set;
mod local;
mod spawn;
mod yield_now;

pub use join_set::JoinSet;
pub use local::{spawn_local, LocalSet};
pub use rt_core::coop::{consume_budget, unconstrained};
pub use rt_core::task::{id, try_id, AbortHandle, Id, JoinError, JoinHandle};
pub use spawn::{spawn, spawn_blocking};
pub use yield_now::yield_now;
