//! Why a oneshot receive produced no value.

use std::fmt;

/// The channel ended without a value: the [`Sender`](super::Sender) was dropped without
/// sending, or the receiver was [closed](super::Receiver::close) before a value arrived.
///
/// Returned by awaiting a [`Receiver`](super::Receiver) and by
/// [`blocking_recv`](super::Receiver::blocking_recv).
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot;
///
/// let (tx, rx) = oneshot::channel::<u32>();
/// drop(tx);
/// let err = futures::executor::block_on(rx).unwrap_err();
/// assert_eq!(err.to_string(), "channel closed");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(pub(super) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl std::error::Error for RecvError {}

/// Why [`try_recv`](super::Receiver::try_recv) returned no value.
///
/// # Examples
///
/// ```
/// use rt_core::sync::oneshot::{self, error::TryRecvError};
///
/// let (tx, mut rx) = oneshot::channel::<u32>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value yet; one may still be sent.
    Empty,
    /// No value and none will come: the sender was dropped, the receiver was closed,
    /// or the value was already received.
    Closed,
}

impl TryRecvError {
    /// Whether a value may still arrive.
    pub fn is_empty(&self) -> bool {
        matches!(self, TryRecvError::Empty)
    }

    /// Whether the channel is finished: no value will ever arrive.
    pub fn is_closed(&self) -> bool {
        matches!(self, TryRecvError::Closed)
    }
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("channel empty"),
            TryRecvError::Closed => f.write_str("channel closed"),
        }
    }
}

impl std::error::Error for TryRecvError {}
