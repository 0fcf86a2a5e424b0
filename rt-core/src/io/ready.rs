//! `Ready` (a set of readiness kinds) and `ReadyEvent` (readiness observed at a tick).

use std::fmt;
use std::ops;

/// A set of readiness kinds, as reported by the OS for a registered source.
///
/// # Examples
///
/// ```
/// use rt_core::io::Ready;
///
/// let ready = Ready::READABLE | Ready::WRITE_CLOSED;
/// assert!(ready.is_readable() && ready.is_write_closed());
/// // A closed direction counts as ready: the operation will not block.
/// assert!(ready.is_writable());
/// assert!(!Ready::EMPTY.is_readable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

impl Ready {
    /// No readiness.
    pub const EMPTY: Ready = Ready(0);
    /// Readable.
    pub const READABLE: Ready = Ready(1 << 0);
    /// Writable.
    pub const WRITABLE: Ready = Ready(1 << 1);
    /// The read half is closed (end of stream, or the peer hung up).
    pub const READ_CLOSED: Ready = Ready(1 << 2);
    /// The write half is closed (the peer will not read any more).
    pub const WRITE_CLOSED: Ready = Ready(1 << 3);
    /// An error is pending on the source.
    pub const ERROR: Ready = Ready(1 << 4);
    /// Priority (out-of-band) data is readable.
    pub const PRIORITY: Ready = Ready(1 << 5);
    /// Every kind.
    pub const ALL: Ready = Ready(0b11_1111);

    /// Readiness kinds that, once reported, stay: a closed half never reopens, so they
    /// are never cleared (an edge-triggered reactor would not report them again).
    pub(crate) const CLOSED: Ready = Ready(Ready::READ_CLOSED.0 | Ready::WRITE_CLOSED.0);

    pub(crate) const fn bits(self) -> u8 {
        self.0
    }

    /// The set with the given bits (masked to the defined kinds).
    pub(crate) const fn from_bits(bits: u8) -> Ready {
        Ready(bits & Ready::ALL.0)
    }

    /// Whether no kind is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether a read will not block: readable, or the read half is closed.
    pub const fn is_readable(self) -> bool {
        self.0 & (Ready::READABLE.0 | Ready::READ_CLOSED.0) != 0
    }

    /// Whether a write will not block: writable, or the write half is closed.
    pub const fn is_writable(self) -> bool {
        self.0 & (Ready::WRITABLE.0 | Ready::WRITE_CLOSED.0) != 0
    }

    /// Whether the read half is closed.
    pub const fn is_read_closed(self) -> bool {
        self.0 & Ready::READ_CLOSED.0 != 0
    }

    /// Whether the write half is closed.
    pub const fn is_write_closed(self) -> bool {
        self.0 & Ready::WRITE_CLOSED.0 != 0
    }

    /// Whether an error is pending.
    pub const fn is_error(self) -> bool {
        self.0 & Ready::ERROR.0 != 0
    }

    /// Whether priority data is readable.
    pub const fn is_priority(self) -> bool {
        self.0 & Ready::PRIORITY.0 != 0
    }

    /// Whether every kind in `other` is in `self`.
    pub const fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    /// The kinds in both sets.
    #[must_use]
    pub const fn intersection(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }

    /// The readiness a mio event reports.
    pub(crate) fn from_mio(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        let kinds = [
            (event.is_readable(), Ready::READABLE),
            (event.is_writable(), Ready::WRITABLE),
            (event.is_read_closed(), Ready::READ_CLOSED),
            (event.is_write_closed(), Ready::WRITE_CLOSED),
            (event.is_error(), Ready::ERROR),
            (event.is_priority(), Ready::PRIORITY),
        ];
        for (set, kind) in kinds {
            if set {
                ready |= kind;
            }
        }
        ready
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;

    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl ops::Sub for Ready {
    type Output = Ready;

    /// The kinds in `self` and not in `other`.
    fn sub(self, other: Ready) -> Ready {
        Ready(self.0 & !other.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
            (Ready::PRIORITY, "PRIORITY"),
        ];
        let mut set = f.debug_set();
        for (kind, name) in names {
            if self.contains(kind) {
                set.entry(&format_args!("{name}"));
            }
        }
        set.finish()
    }
}

/// Readiness observed on a registration, with the tick it was observed at.
///
/// Returned by the readiness polls; give it back to
/// [`PollEvented::clear_readiness`](super::PollEvented::clear_readiness) after an
/// operation hit `WouldBlock`. The tick makes the clear safe: if an event arrived after
/// this one was observed, the clear does nothing, so the new edge is not lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyEvent {
    pub(crate) tick: u16,
    pub(crate) ready: Ready,
}

impl ReadyEvent {
    /// The readiness observed (only the kinds the poll asked for).
    pub fn ready(&self) -> Ready {
        self.ready
    }
}
