//! A latest-value channel: one [`Sender`] stores a value, many [`Receiver`]s read it
//! and wait for it to change.
//!
//! Only the most recent value is kept. A receiver that falls behind skips the values it
//! missed and sees the latest one: use it for configuration, service discovery, or a
//! shutdown flag, not for a stream of events (use an `mpsc` channel for that).
//!
//! The channel is runtime-agnostic: waiting only stores and wakes [`Waker`]s.
//!
//! # Examples
//!
//! A configuration reloaded by one task and followed by a worker:
//!
//! ```
//! use rt_core::sync::watch;
//!
//! #[derive(Debug, Clone, PartialEq)]
//! struct Config {
//!     timeout_ms: u64,
//! }
//!
//! # futures::executor::block_on(async {
//! let (tx, mut rx) = watch::channel(Config { timeout_ms: 100 });
//!
//! let worker = std::thread::spawn(move || {
//!     futures::executor::block_on(async move {
//!         let mut applied = Vec::new();
//!         // `changed` fails once the sender is gone and the last value was seen.
//!         while rx.changed().await.is_ok() {
//!             applied.push(rx.borrow_and_update().timeout_ms);
//!         }
//!         applied
//!     })
//! });
//!
//! tx.send_modify(|config| config.timeout_ms = 250);
//! drop(tx);
//!
//! // Updates coalesce: the worker saw the last value, maybe not every one before it.
//! assert_eq!(worker.join().unwrap().last(), Some(&250));
//! # });
//! ```
//!
//! # Closing
//!
//! - Dropping the [`Sender`] closes the channel. Receivers keep the last value:
//!   [`Receiver::borrow`] still works, and [`Receiver::changed`] returns `Ok` until that
//!   value is seen, then [`RecvError`].
//! - When every [`Receiver`] is gone, [`Sender::send`] returns the value in a
//!   [`SendError`] and [`Sender::closed`] completes. [`Sender::send_replace`],
//!   [`Sender::send_modify`] and [`Sender::send_if_modified`] still update the value, and
//!   [`Sender::subscribe`] creates a new receiver.
//!
//! # Cancel safety
//!
//! [`Receiver::changed`], [`Receiver::wait_for`] and [`Sender::closed`] are cancel
//! safe: a change is only marked seen when `changed` completes, so a future dropped
//! early loses nothing.
//!
//! # Locking
//!
//! The value sits behind a lock, which a [`Ref`] holds: keep borrows short, never hold
//! one across an `.await`, and do not borrow or send on the same channel from a thread
//! that holds a `Ref` of it (that deadlocks). The closures given to
//! [`Sender::send_modify`], [`Sender::send_if_modified`] and [`Receiver::wait_for`] run
//! under the same lock.
//!
//! # Implementation notes
//!
//! - **Versions.** One atomic word holds a version counter (bumped by 2 under the value
//!   lock on each visible write) and, in bit 0, the closed flag. Each receiver keeps the
//!   version it last saw: "changed" is a comparison, with no per-receiver queue, which is
//!   why updates coalesce. A 64-bit counter never wraps in practice; on 32-bit targets a
//!   receiver could miss a change only across exactly 2³¹ sends.
//! - **Waiters.** The wakers of waiting receivers live in a slab behind a mutex, one slot
//!   per receiver, allocated the first time that receiver waits and kept until it is
//!   dropped. Polling `changed` again replaces the waker in the slot (no clone when
//!   [`Waker::will_wake`]), so waiting allocates nothing in the steady state and a
//!   receiver polled from many `select!` iterations still holds one waker. A send takes
//!   the wakers out of the slots in batches of 32 onto the stack and wakes them outside
//!   the lock. Compared with an intrusive list of waiting futures (what tokio does), a
//!   send scans every receiver that ever waited rather than only the waiting ones, and a
//!   cancelled `changed` leaves a stale waker until the next send or the receiver's drop
//!   (a spurious wake at worst); in exchange there is no `unsafe`, no pinned node, and no
//!   lock taken when a `changed` future is dropped. Watch channels have few receivers,
//!   which makes the scan cheap.
//! - **Value lock.** A mutex, so a [`Ref`] excludes other readers for its lifetime;
//!   borrows are meant to be short. (`Sender<T>` and `Receiver<T>` are `Send + Sync`
//!   when `T: Send`.)
//!
//! [`Waker`]: std::task::Waker
//! [`Waker::will_wake`]: std::task::Waker::will_wake

mod borrow;
mod error;
mod receiver;
mod sender;
mod shared;
#[cfg(all(test, not(loom)))]
mod tests;

pub use borrow::Ref;
pub use error::{RecvError, SendError};
pub use receiver::Receiver;
pub use sender::Sender;

use crate::loom::sync::Arc;
use shared::Shared;

/// Creates a watch channel holding `init`.
///
/// The receiver starts having seen `init`: its [`changed`](Receiver::changed) waits for
/// the first send.
///
/// # Examples
///
/// ```
/// let (tx, rx) = rt_core::sync::watch::channel(0);
/// assert_eq!(*rx.borrow(), 0);
/// assert_eq!(rx.has_changed(), Ok(false));
/// tx.send(1).unwrap();
/// assert_eq!(rx.has_changed(), Ok(true));
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared::new(init));
    let seen = shared.state().version();
    let rx = Receiver::new(shared.clone(), seen);
    (Sender::new(shared), rx)
}
