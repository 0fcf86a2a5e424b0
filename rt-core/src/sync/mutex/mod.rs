//! A fair asynchronous mutex: [`Mutex`] and its guards.
//!
//! [`Mutex::lock`] waits for the lock without blocking the thread and returns a
//! [`MutexGuard`]; [`Mutex::lock_owned`] returns an [`OwnedMutexGuard`] that holds an
//! `Arc` of the mutex and is `'static`; [`Mutex::try_lock`] never waits, and
//! [`Mutex::blocking_lock`] blocks a plain (non-runtime) thread. A guard can be narrowed
//! with [`MutexGuard::map`] into a [`MappedMutexGuard`].
//!
//! # Fairness
//!
//! The mutex is a [`Semaphore`](crate::sync::Semaphore) with one permit: lockers are
//! served first come, first served, and `try_lock` fails while anyone waits.
//!
//! # Cancel safety
//!
//! Dropping a `lock()` future never leaves the mutex locked: if the lock was being
//! handed to it, it passes to the next waiter.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use rt_core::sync::Mutex;
//!
//! # futures::executor::block_on(async {
//! let config = Arc::new(Mutex::new(vec!["a"]));
//! {
//!     let mut guard = config.lock().await;
//!     guard.push("b"); // the guard may be held across `.await`s
//! }
//! assert_eq!(*config.lock().await, ["a", "b"]);
//! # });
//! ```

mod error;
mod guard;
#[allow(clippy::module_inception)] // one type per file, named after it
mod mutex;
mod owned;
#[cfg(all(test, not(loom)))]
mod tests;

pub use error::TryLockError;
pub use guard::{MappedMutexGuard, MutexGuard};
pub use mutex::Mutex;
pub use owned::OwnedMutexGuard;
