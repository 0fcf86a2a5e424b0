//! The OS calls that `std` and `mio` do not wrap: peer credentials of a Unix socket,
//! process-wide signal handlers, growing the descriptor table ahead of need, and
//! creating a non-blocking socket where `SOCK_NONBLOCK` does not exist, and (on Linux)
//! stream reads and writes that skip the C library's cancellation points. This is the
//! only module of the crate allowed `unsafe`; every block says why it is sound.
#![allow(unsafe_code)]

#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
mod peer_cred;
#[cfg(any(
    target_os = "linux",
    target_os = "android",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd",
    target_os = "dragonfly"
))]
pub(crate) use peer_cred::peer_cred;

pub(crate) mod fd_table;
pub(crate) mod signal;
pub(crate) mod socket;
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(crate) mod stream_io;
