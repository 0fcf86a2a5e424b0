//! The semaphore's state word: the number of available permits and two flags.
//!
//! ```text
//!  usize bits:  [ permits (the rest) | WAITERS | CLOSED ]
//! ```
//!
//! Lock-free operations (the acquire fast path, `try_acquire`, a release while nobody
//! waits) change the word with one compare-and-swap. Everything else happens under the
//! wait-list lock.

/// Set once by `close`, never cleared. Acquirers that see it fail.
pub(super) const CLOSED: usize = 1 << 0;

/// Set while the wait list may be non-empty.
///
/// Set (together with taking every available permit) by the acquirer that is about to
/// queue, under the lock; cleared under the lock when the list becomes empty. While it
/// is set the permit count is zero, since released permits go to the waiters first,
/// so a lock-free release must take the lock instead, and a lock-free acquirer cannot
/// barge past the queue.
pub(super) const WAITERS: usize = 1 << 1;

/// How far the permit count is shifted left past the flags.
pub(super) const PERMIT_SHIFT: u32 = 2;

/// The most permits a semaphore can hold: a count that still fits after the shift,
/// with a bit of headroom so that sums of two in-range counts cannot wrap.
pub(super) const MAX_PERMITS: usize = usize::MAX >> (PERMIT_SHIFT + 1);

/// The permit count of a state word.
pub(super) const fn permits(state: usize) -> usize {
    state >> PERMIT_SHIFT
}

/// `n` permits as a state-word amount.
pub(super) const fn amount(n: usize) -> usize {
    n << PERMIT_SHIFT
}

/// The state word of a fresh semaphore with `permits` permits.
///
/// # Panics
///
/// When `permits` exceeds [`MAX_PERMITS`].
pub(super) const fn initial(permits: usize) -> usize {
    assert!(
        permits <= MAX_PERMITS,
        "a semaphore may not have more than MAX_PERMITS permits"
    );
    amount(permits)
}

/// `state` with `n` more permits.
///
/// # Panics
///
/// When the total would exceed [`MAX_PERMITS`].
pub(super) fn add(state: usize, n: usize) -> usize {
    let total = permits(state).checked_add(n).filter(|total| *total <= MAX_PERMITS);
    let Some(total) = total else {
        panic!("adding {n} permits would overflow MAX_PERMITS ({MAX_PERMITS})");
    };
    amount(total) | (state & (CLOSED | WAITERS))
}
