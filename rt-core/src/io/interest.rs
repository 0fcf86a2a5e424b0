//! `Interest`: which readiness a registration or a waiter cares about.

use std::fmt;
use std::ops;

use super::ready::Ready;

/// The kinds of readiness to wait for: readable, writable, priority, or a union.
///
/// Never empty: every constant has one bit and [`remove`](Interest::remove) returns
/// `None` rather than an empty set.
///
/// # Examples
///
/// ```
/// use rt_core::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable() && !both.is_priority());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;
const PRIORITY: u8 = 1 << 2;

impl Interest {
    /// Readable: data (or end of stream, or an incoming connection) to read.
    pub const READABLE: Interest = Interest(READABLE);
    /// Writable: room to write (or a connect that completed).
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Priority: out-of-band data (`EPOLLPRI`). Only Linux and Android report it; on
    /// other systems it registers as readable.
    pub const PRIORITY: Interest = Interest(PRIORITY);

    /// The union of `self` and `other`.
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// `self` without `other`, or `None` if nothing is left.
    #[must_use]
    pub const fn remove(self, other: Interest) -> Option<Interest> {
        match self.0 & !other.0 {
            0 => None,
            bits => Some(Interest(bits)),
        }
    }

    /// Whether readable is included.
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether writable is included.
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether priority is included.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// The readiness that satisfies a waiter with this interest: the kinds asked for,
    /// their "closed" counterparts (a read on a closed stream does not block), and
    /// errors (any operation then fails at once).
    pub(crate) const fn mask(self) -> Ready {
        let mut bits = Ready::ERROR.bits();
        if self.is_readable() {
            bits |= Ready::READABLE.bits() | Ready::READ_CLOSED.bits();
        }
        if self.is_writable() {
            bits |= Ready::WRITABLE.bits() | Ready::WRITE_CLOSED.bits();
        }
        if self.is_priority() {
            bits |= Ready::PRIORITY.bits() | Ready::READ_CLOSED.bits();
        }
        Ready::from_bits(bits)
    }

    /// The mio interest to register with.
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut mio = None::<mio::Interest>;
        let mut add = |i: mio::Interest| mio = Some(mio.map_or(i, |m| m.add(i)));
        if self.is_readable() {
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        if self.is_priority() {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            add(mio::Interest::PRIORITY);
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            add(mio::Interest::READABLE);
        }
        mio.expect("an interest is never empty")
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;

    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [(READABLE, "READABLE"), (WRITABLE, "WRITABLE"), (PRIORITY, "PRIORITY")];
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}
