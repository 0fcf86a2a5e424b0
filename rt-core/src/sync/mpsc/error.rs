//! The channel errors: [`SendError`] (closed, value handed back), [`TrySendError`]
//! (full or closed, value handed back) and [`TryRecvError`] (empty or disconnected).

use std::error::Error;
use std::fmt;

/// A send failed because the channel is closed: the receiver called `close` or was
/// dropped. The value that was not sent is handed back.
///
/// `SendError<()>` is what the reservation methods (`reserve`, `poll_reserve`, ...)
/// return: there is no value to hand back yet.
///
/// # Examples
///
/// ```
/// let (tx, rx) = rt_core::sync::mpsc::unbounded_channel();
/// drop(rx);
/// let err = tx.send("hello").unwrap_err();
/// assert_eq!(err.to_string(), "channel closed");
/// assert_eq!(err.into_inner(), "hello");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T> {
    value: T,
}

impl<T> SendError<T> {
    pub(super) fn new(value: T) -> SendError<T> {
        SendError { value }
    }

    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// A reference to the value that was not sent.
    pub fn get_ref(&self) -> &T {
        &self.value
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The value is not required to be `Debug`.
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl<T> Error for SendError<T> {}

/// Why a [`TrySendError`] happened.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum TrySendKind {
    Full,
    Closed,
}

/// A `try_send` (or `try_reserve`) failed: the channel is full, or closed. The value
/// that was not sent is handed back.
///
/// # Examples
///
/// ```
/// let (tx, rx) = rt_core::sync::mpsc::channel(1);
/// tx.try_send(1).unwrap();
/// let err = tx.try_send(2).unwrap_err();
/// assert!(err.is_full());
/// assert_eq!(err.into_inner(), 2);
/// drop(rx);
/// let err = tx.try_send(3).unwrap_err();
/// assert!(err.is_closed());
/// assert_eq!(err.to_string(), "channel closed");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct TrySendError<T> {
    kind: TrySendKind,
    value: T,
}

impl<T> TrySendError<T> {
    pub(super) fn full(value: T) -> TrySendError<T> {
        TrySendError {
            kind: TrySendKind::Full,
            value,
        }
    }

    pub(super) fn closed(value: T) -> TrySendError<T> {
        TrySendError {
            kind: TrySendKind::Closed,
            value,
        }
    }

    /// Whether the channel had no free slot (it may have one later).
    pub fn is_full(&self) -> bool {
        self.kind == TrySendKind::Full
    }

    /// Whether the channel is closed (it never accepts a message again).
    pub fn is_closed(&self) -> bool {
        self.kind == TrySendKind::Closed
    }

    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// A reference to the value that was not sent.
    pub fn get_ref(&self) -> &T {
        &self.value
    }
}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(err: SendError<T>) -> TrySendError<T> {
        TrySendError::closed(err.into_inner())
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrySendError")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TrySendKind::Full => "no available capacity",
            TrySendKind::Closed => "channel closed",
        })
    }
}

impl<T> Error for TrySendError<T> {}

/// Why a [`TryRecvError`] happened.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum TryRecvKind {
    Empty,
    Disconnected,
}

/// A `try_recv` found no message: the channel is empty for now, or empty for good
/// (closed, or every sender gone, and drained).
///
/// # Examples
///
/// ```
/// let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel::<u32>();
/// assert!(rx.try_recv().unwrap_err().is_empty());
/// drop(tx);
/// let err = rx.try_recv().unwrap_err();
/// assert!(err.is_disconnected());
/// assert_eq!(err.to_string(), "receiving on a closed channel");
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct TryRecvError {
    kind: TryRecvKind,
}

impl TryRecvError {
    pub(super) fn empty() -> TryRecvError {
        TryRecvError {
            kind: TryRecvKind::Empty,
        }
    }

    pub(super) fn disconnected() -> TryRecvError {
        TryRecvError {
            kind: TryRecvKind::Disconnected,
        }
    }

    /// Whether the channel was empty but may still receive messages.
    pub fn is_empty(&self) -> bool {
        self.kind == TryRecvKind::Empty
    }

    /// Whether the channel is closed (or every sender is gone) and drained: no
    /// message will ever arrive.
    pub fn is_disconnected(&self) -> bool {
        self.kind == TryRecvKind::Disconnected
    }
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TryRecvKind::Empty => "receiving on an empty channel",
            TryRecvKind::Disconnected => "receiving on a closed channel",
        })
    }
}

impl Error for TryRecvError {}
