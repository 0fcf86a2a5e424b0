//! Multi-producer, single-consumer channels: bounded ([`channel`]) and unbounded
//! ([`unbounded_channel`]).
//!
//! Any number of senders (clone them) send messages to one receiver, which takes them
//! out in order: each sender's messages in the order it sent them, and a message whose
//! send completed before another send began first. Like everything in [`sync`](crate::sync), the channels only store and
//! wake [`Waker`](std::task::Waker)s, so they work on any executor (and between plain
//! threads, through the `blocking_*` methods).
//!
//! # Bounded or unbounded
//!
//! A bounded channel holds at most `buffer` messages: [`Sender::send`] waits for a
//! free slot, which is what slows a producer down to its consumer's pace
//! (backpressure). [`Sender::try_send`] fails instead, telling a full channel
//! ([`TrySendError::is_full`]) from a closed one. An unbounded channel never waits:
//! [`UnboundedSender::send`] is a plain function, and memory is the only limit.
//!
//! # Reserving a slot first
//!
//! [`Sender::reserve`] waits for a slot and returns a [`Permit`]; sending with it never
//! waits and never fails for lack of room, and dropping it gives the slot back.
//! [`Sender::reserve_owned`] returns an [`OwnedPermit`] that holds the sender (for
//! `'static` use), and [`Sender::reserve_many`] reserves several slots at once.
//! [`PollSender`] offers the same as a poll function, for code that implements
//! `Service::poll_ready`: reserve in `poll_ready`, send in `call`, and give back a
//! reservation that will not be used with [`PollSender::abort_send`].
//!
//! # Closing
//!
//! * When every sender (and permit, and `PollSender`) is gone, the receiver gets the
//!   remaining messages, then `None`.
//! * [`Receiver::close`] stops new sends (they fail, and waiting senders are woken with
//!   an error) but keeps the messages already sent; permits reserved before the close
//!   may still send. `recv` returns the rest, then `None`.
//! * Dropping the receiver closes the channel and drops the messages in it; senders
//!   get their values back in the errors. [`Sender::closed`] waits for this.
//!
//! # Cancel safety
//!
//! * `recv` and `recv_many` are cancel safe: a message is only taken out when the
//!   future completes.
//! * `reserve`, `reserve_many`, `reserve_owned` and `closed` are cancel safe: a
//!   dropped future reserves nothing and gives back slots assigned to it.
//! * `send` gives back its slot when dropped, but drops the value with it: it is cancel
//!   safe for the channel, not for the value. Reserve first to keep the value.
//!
//! # Examples
//!
//! A producer thread and a consumer task:
//!
//! ```
//! use rt_core::sync::mpsc;
//!
//! let (tx, mut rx) = mpsc::channel(16);
//! let producer = std::thread::spawn(move || {
//!     for i in 0..100 {
//!         tx.blocking_send(i).unwrap();
//!     }
//! });
//! let sum = futures::executor::block_on(async {
//!     let mut sum = 0;
//!     while let Some(i) = rx.recv().await {
//!         sum += i;
//!     }
//!     sum
//! });
//! producer.join().unwrap();
//! assert_eq!(sum, 4950);
//! ```
//!
//! # Implementation
//!
//! The messages live in a lock-free linked list of fixed-size blocks (`list.rs`,
//! `block.rs`): a send claims an index with one `fetch_add`, writes its slot and sets
//! the slot's ready bit; the receiver reads slots in index order and recycles drained
//! blocks to the end of the list, so a channel in a steady state does not allocate.
//! The bounded channel's capacity is a [`Semaphore`](crate::sync::Semaphore) (one
//! permit per slot, FIFO among waiting senders, one compare-and-swap per acquire or
//! release while nobody waits). A send wakes the receiver only when it has registered
//! a waker, which the sender checks with a load after a fence rather than a
//! read-modify-write (`rx_waker.rs`). `chan.rs` documents the shared state and when
//! the receiver is done.

mod block;
mod bounded;
mod chan;
mod closed;
pub mod error;
mod list;
mod permit;
mod poll_sender;
mod receiver;
mod rx_waker;
#[cfg(all(test, not(loom)))]
mod tests;
mod unbounded;

pub use bounded::{channel, Sender};
pub use error::{SendError, TryRecvError, TrySendError};
pub use permit::{OwnedPermit, Permit, PermitIterator};
pub use poll_sender::PollSender;
pub use receiver::Receiver;
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender};
