//! A channel for sending exactly one value between tasks (or threads).
//!
//! [`channel`] returns a [`Sender`] and a [`Receiver`]. The sender's
//! [`send`](Sender::send) never waits; the receiver is a future resolving to the value.
//! The usual use is a reply: a request carries a `Sender` and the caller awaits the
//! `Receiver`.
//!
//! # When one side goes away
//!
//! | event | effect on the other side |
//! |---|---|
//! | `Sender` dropped without sending | the receiver resolves to [`RecvError`]; `try_recv` returns [`TryRecvError::Closed`] |
//! | `Receiver` dropped | `send` returns `Err(value)`; [`Sender::closed`] resolves; a value already sent is dropped with the receiver |
//! | [`Receiver::close`] | as a drop for the sender, but a value sent before the close can still be received |
//!
//! The value is dropped exactly once, by whichever side ends up holding it: the
//! receiver that took it, the receiver being dropped, or the caller of a failed `send`.
//!
//! # Cancel safety
//!
//! Awaiting `&mut Receiver` and [`Sender::closed`] are cancel safe: dropping the
//! `.await` loses nothing and either may be awaited again. Awaiting the `Receiver` by
//! value and dropping the future drops the receiver (and so a value sent before).
//!
//! # Cooperative scheduling
//!
//! Polling the receiver and [`Sender::poll_closed`] spend one unit of the task's
//! [`coop`](crate::coop) budget, like every runtime resource.
//!
//! # Examples
//!
//! ```
//! use rt_core::sync::oneshot;
//!
//! let (tx, rx) = oneshot::channel();
//! std::thread::spawn(move || {
//!     tx.send(6 * 7).unwrap();
//! });
//! let answer = futures::executor::block_on(rx).unwrap();
//! assert_eq!(answer, 42);
//! ```
//!
//! # Implementation
//!
//! One allocation per channel (`shared.rs`): an atomic state word (`state.rs`, which
//! documents the protocol), the value slot and one waker slot per side. Each slot is owned by exactly one side at a time,
//! handed over by the transitions of the state word; no lock is taken. A send is one
//! write and one compare-and-swap (plus a wake when the receiver is waiting).

pub mod error;
mod receiver;
mod sender;
mod shared;
mod state;
#[cfg(all(test, not(loom)))]
mod tests;

pub use error::{RecvError, TryRecvError};
pub use receiver::Receiver;
pub use sender::Sender;

use crate::loom::sync::Arc;

/// Creates a oneshot channel: one [`Sender`] and one [`Receiver`] sharing a single
/// allocation.
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot;
///
/// let (tx, mut rx) = oneshot::channel::<String>();
/// tx.send("hello".to_owned()).unwrap();
/// assert_eq!(rx.try_recv().unwrap(), "hello");
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(shared::Shared::new());
    (Sender::new(shared.clone()), Receiver::new(shared))
}
