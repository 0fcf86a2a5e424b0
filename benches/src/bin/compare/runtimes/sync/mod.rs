//! The synchronisation primitives of each side, as far as the `sync` workloads need them.
//!
//! [`SyncPrimitives`] extends a [`Runtime`] with the channel, semaphore and notification
//! types that side is measured with: rt-sched is paired with `rt_core::sync`, tokio with
//! `tokio::sync`. Each side runs only its own primitives on its own runtime, and the
//! workloads are generic over [`SyncPrimitives`], so both run the same source.
//!
//! The small traits below ([`OneshotSender`], [`Semaphore`], [`Notify`], [`MpscSender`],
//! [`MpscReceiver`]) mirror the
//! tokio-shaped methods the workloads call, so a workload reads like plain tokio code.
//! Their implementations only forward to each crate's own method (no boxing, no extra
//! state), and name it with a path so a forward can never call itself.

mod rt_core;
mod tokio;

use std::fmt::Debug;
use std::future::Future;

use super::Runtime;

/// A runtime together with the synchronisation primitives it is measured with.
pub(crate) trait SyncPrimitives: Runtime + 'static {
    /// Sending half of a oneshot channel.
    type OneshotSender<T: Send + 'static>: OneshotSender<T>;

    /// Receiving half of a oneshot channel: a future of the value.
    type OneshotReceiver<T: Send + 'static>: Future<Output = Result<T, Self::RecvError>> + Send + 'static;

    /// Error of a oneshot receiver whose sender was dropped.
    type RecvError: Debug;

    /// A counting semaphore.
    type Semaphore: Semaphore;

    /// A notification without data (`notify_one` stores a permit when nobody waits).
    type Notify: Notify;

    /// Sending half of a bounded multi-producer, single-consumer channel.
    type MpscSender<T: Send + 'static>: MpscSender<T>;

    /// Receiving half of a bounded multi-producer, single-consumer channel.
    type MpscReceiver<T: Send + 'static>: MpscReceiver<T>;

    /// Creates a oneshot channel.
    fn oneshot<T: Send + 'static>() -> (Self::OneshotSender<T>, Self::OneshotReceiver<T>);

    /// Creates a bounded mpsc channel holding at most `capacity` messages.
    fn mpsc_channel<T: Send + 'static>(capacity: usize) -> (Self::MpscSender<T>, Self::MpscReceiver<T>);
}

/// The sending half of a oneshot channel.
pub(crate) trait OneshotSender<T>: Send + 'static {
    /// Sends `value`, or gives it back when the receiver is gone.
    fn send(self, value: T) -> Result<(), T>;
}

/// A counting semaphore.
pub(crate) trait Semaphore: Send + Sync + 'static {
    /// A permit: released when dropped.
    type Permit<'a>: Send
    where
        Self: 'a;

    /// Error of acquiring from a closed semaphore.
    type AcquireError: Debug;

    /// Creates a semaphore with `permits` permits.
    fn new(permits: usize) -> Self;

    /// Waits for one permit.
    fn acquire(&self) -> impl Future<Output = Result<Self::Permit<'_>, Self::AcquireError>> + Send;
}

/// A notification without data.
pub(crate) trait Notify: Send + Sync + 'static {
    /// Creates a notify with no stored permit.
    fn new() -> Self;

    /// Wakes one waiter, or stores a permit for the next one.
    fn notify_one(&self);

    /// Waits for a notification (or consumes the stored permit).
    fn notified(&self) -> impl Future<Output = ()> + Send;
}

/// The sending half of a bounded mpsc channel.
pub(crate) trait MpscSender<T>: Clone + Send + Sync + 'static {
    /// Error of sending on a channel whose receiver is gone.
    type SendError: Debug;

    /// Waits for a free slot, then sends `value`.
    fn send(&self, value: T) -> impl Future<Output = Result<(), Self::SendError>> + Send;
}

/// The receiving half of a bounded mpsc channel.
pub(crate) trait MpscReceiver<T>: Send + 'static {
    /// Waits for the next message; `None` once every sender is gone and the channel is
    /// empty.
    fn recv(&mut self) -> impl Future<Output = Option<T>> + Send;
}
