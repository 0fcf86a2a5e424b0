//! The two libc calls of the `net` suite: the open-file limit and the clock-tick rate.
#![allow(unsafe_code)] // libc calls; each block says why it is sound.

use std::io;

/// Raises this process's soft limit on open files to its hard limit; returns the new
/// soft limit.
///
/// # Errors
///
/// Returns the OS error of `getrlimit` or `setrlimit`.
pub(crate) fn raise_open_file_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable `rlimit` for the duration of the call.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid `rlimit` that `setrlimit` only reads.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(limit.rlim_cur)
}

/// Returns the unit of the CPU times in `/proc/<pid>/stat`, in ticks per second.
pub(crate) fn clock_ticks_per_second() -> u64 {
    // SAFETY: `sysconf` has no preconditions; it only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(ticks).ok().filter(|&ticks| ticks > 0).unwrap_or(100)
}
