//! A fair counting semaphore: [`Semaphore`], its permits and its futures.
//!
//! A [`Semaphore`] holds a number of permits. [`acquire`](Semaphore::acquire) waits for
//! one, [`acquire_many`](Semaphore::acquire_many) for several at once, and the
//! `try_*` variants never wait. A permit ([`SemaphorePermit`], or
//! [`OwnedSemaphorePermit`] when it must be `'static`) gives its permits back when it is
//! dropped; [`forget`](SemaphorePermit::forget) keeps them out for good.
//!
//! # Fairness
//!
//! Waiters are served first come, first served. A request for many permits holds its
//! place at the head of the queue and collects permits as they are released; requests
//! behind it, however small, wait. There is no barging: `try_acquire` fails while
//! anyone waits.
//!
//! # Cancel safety
//!
//! Every acquire future may be dropped at any time. One that was waiting leaves the
//! queue (losing its place) and gives back the permits already assigned to it, which go
//! to the next waiters. Permits are never lost or leaked.
//!
//! # Closing
//!
//! [`close`](Semaphore::close) fails every waiter and every later acquire with
//! [`AcquireError`] (or a closed [`TryAcquireError`]). Permits already held stay valid.
//!
//! # Example: a concurrency limit
//!
//! ```
//! use std::sync::Arc;
//! use rt_core::sync::Semaphore;
//!
//! async fn handle(limit: Arc<Semaphore>, request: u32) -> u32 {
//!     let _permit = limit.acquire().await.expect("the limit is never closed");
//!     request * 2 // at most `limit` of these run at once
//! }
//!
//! let limit = Arc::new(Semaphore::new(8));
//! let out = futures::executor::block_on(handle(limit.clone(), 21));
//! assert_eq!(out, 42);
//! assert_eq!(limit.available_permits(), 8);
//! ```
//!
//! # Implementation
//!
//! See `waiters.rs` for the protocol: an atomic permit counter with `CLOSED` and
//! `WAITERS` flags (one compare-and-swap per acquire or release while nobody waits),
//! and under a lock an intrusive FIFO of waiter nodes that live inside the pinned
//! acquire futures (no allocation per waiter).

mod acquire;
mod error;
mod permit;
#[allow(clippy::module_inception)] // one type per file, named after it
mod semaphore;
mod state;
#[cfg(all(test, not(loom)))]
mod tests;
mod waiters;

pub use acquire::{Acquire, AcquireOwned};
// The poll-based acquire state machine, for `mpsc::PollSender` (a reusable boxed node).
pub(crate) use acquire::RawAcquire;
pub use error::{AcquireError, TryAcquireError};
pub use permit::{OwnedSemaphorePermit, SemaphorePermit};
pub use semaphore::Semaphore;
