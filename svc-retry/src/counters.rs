//! [`Counters`] and [`Stats`]: what a proxy exports about its retries.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by a [`Retry`](crate::Retry) service, its clones and its response
/// futures (and by every service a [`RetryLayer`](crate::RetryLayer) builds).
///
/// Plain relaxed atomics (statistics, not part of any synchronisation protocol, so they do
/// not go through the loom shim).
///
/// # Examples
///
/// ```
/// use svc_retry::Counters;
///
/// let counters = Counters::default();
/// assert_eq!((counters.requests(), counters.retries(), counters.abandoned()), (0, 0, 0));
/// ```
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    retries: AtomicU64,
    abandoned: AtomicU64,
}

impl Counters {
    /// Original requests received (retries not included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Retries sent to the inner service.
    pub fn retries(&self) -> u64 {
        self.retries.load(Ordering::Relaxed)
    }

    /// Retries the policy asked for but that were abandoned because the inner service was
    /// not ready at once (the failure being retried was returned instead).
    pub fn abandoned(&self) -> u64 {
        self.abandoned.load(Ordering::Relaxed)
    }

    pub(crate) fn add_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn add_abandoned(&self) {
        self.abandoned.fetch_add(1, Ordering::Relaxed);
    }
}

/// A snapshot of a [`Retry`](crate::Retry) service's counters and of its policy's budget,
/// from [`Retry::stats`](crate::Retry::stats).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Original requests received.
    pub requests: u64,
    /// Retries sent.
    pub retries: u64,
    /// Retries refused by the policy's budget (0 without a budget). A budget shared by
    /// several services counts the refusals of all of them.
    pub refused: u64,
    /// Retries abandoned because the inner service was not ready at once.
    pub abandoned: u64,
}
