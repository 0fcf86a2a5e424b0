//! The driver: what a scheduler's worker parks on when it has nothing to run.
//!
//! A [`Driver`] blocks its thread until there is work. While it waits it runs the
//! runtime's event sources: with I/O enabled it waits in `mio::Poll::poll` and dispatches
//! readiness to the registered sources (see [`crate::io`]); without I/O it waits on a
//! condvar. Its [`Handle`] is the cloneable, thread-safe side: any thread can wake the
//! parked one with [`Handle::unpark`], and I/O sources find the reactor through it (via
//! the runtime context, [`crate::context::set_current_handle`]).
//!
//! # Examples
//!
//! A thread parked on a driver, woken from another thread:
//!
//! ```
//! use rt_core::driver::{Config, Driver};
//!
//! let (mut driver, handle) = Driver::new(Config { enable_io: true, ..Config::default() })?;
//! let remote = handle.clone();
//! let waker = std::thread::spawn(move || remote.unpark());
//! driver.park(&handle); // returns once unparked (or spuriously)
//! waker.join().unwrap();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Protocol
//!
//! - The driver is owned by one thread at a time (`&mut self` on every method); the
//!   handle is shared by all of them.
//! - An unpark is never lost: if no thread is parked, the next park returns at once
//!   (see `unpark.rs` for the state machine).
//! - With I/O, the reactor's `mio::Waker` has a token of its own, never handed to a
//!   registration, so its events are told apart from readiness events.

mod config;
mod handle;
mod park;
mod unpark;

pub use config::Config;
pub use handle::{AutoAdvanceGuard, Handle};
pub use park::Driver;
pub(crate) use unpark::Unparker;

#[cfg(all(test, not(loom)))]
mod tests;
