//! `SO_PEERCRED` (Linux, Android) and `getpeereid` (BSDs, Apple): who is at the other end
//! of a Unix stream.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

use crate::net::unix::UCred;

/// The peer credentials of the connected Unix stream socket `fd`.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
    let mut cred = libc::ucred { pid: 0, uid: 0, gid: 0 };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `fd` is a live descriptor for the duration of the borrow; `cred` and `len`
    // are valid, writable and correctly sized for `SO_PEERCRED`, and the kernel writes at
    // most `len` bytes into `cred`.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            std::ptr::addr_of_mut!(cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred {
        pid: Some(cred.pid),
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The peer credentials of the connected Unix stream socket `fd` (no pid on these OSes).
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(crate) fn peer_cred(fd: BorrowedFd<'_>) -> io::Result<UCred> {
    let mut uid: libc::uid_t = 0;
    let mut gid: libc::gid_t = 0;
    // SAFETY: `fd` is a live descriptor for the duration of the borrow and both out
    // pointers are valid, writable locals of the types `getpeereid` expects.
    let rc = unsafe { libc::getpeereid(fd.as_raw_fd(), &mut uid, &mut gid) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(UCred { pid: None, uid, gid })
}
