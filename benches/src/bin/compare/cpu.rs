//! CPU time of this process, for rows measured per CPU second.
#![allow(unsafe_code)] // `getrusage` is a C call.

use std::time::Duration;

/// Returns the CPU time (user + system, every thread) this process has used so far.
///
/// Linux derives the total from the scheduler's nanosecond run-time accounting, so the
/// difference of two readings is exact to the microsecond the call reports.
///
/// # Panics
///
/// Panics when `getrusage` fails, which it cannot for `RUSAGE_SELF` and a valid pointer.
pub(crate) fn process_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` points to writable memory of the right size and alignment for a
    // `rusage`; `RUSAGE_SELF` is a valid `who`.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_SELF) failed");
    // SAFETY: `getrusage` returned 0, so it filled `usage` (and it was zeroed before).
    let usage = unsafe { usage.assume_init() };
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

/// Converts a `timeval` (never negative here) to a `Duration`.
fn timeval(tv: libc::timeval) -> Duration {
    Duration::from_secs(tv.tv_sec.max(0) as u64) + Duration::from_micros(tv.tv_usec.max(0) as u64)
}
