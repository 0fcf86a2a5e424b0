//! Creating a socket that is non-blocking from the start.
//!
//! `SOCK_NONBLOCK` (socket2's `Type::nonblocking`) exists only where the OS accepts it
//! in `socket(2)`'s type argument: Linux, Android and most BSDs. Elsewhere (macOS, iOS,
//! ...) the socket is created blocking and switched with `fcntl` right after, before
//! anyone else can see it, which comes to the same thing at the cost of one more call.

use std::io;

use socket2::{Domain, Protocol, Socket, Type};

/// A new socket of `domain`, `ty` and `protocol` in non-blocking mode.
///
/// # Errors
///
/// When the OS refuses a new socket (`EMFILE`, unsupported family, ...) or, where two
/// calls are needed, refuses to make it non-blocking.
#[cfg(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "fuchsia",
    target_os = "illumos",
    target_os = "linux",
    target_os = "netbsd",
    target_os = "openbsd",
))]
pub(crate) fn nonblocking_socket(domain: Domain, ty: Type, protocol: Option<Protocol>) -> io::Result<Socket> {
    Socket::new(domain, ty.nonblocking(), protocol)
}

/// A new socket of `domain`, `ty` and `protocol` in non-blocking mode.
///
/// # Errors
///
/// When the OS refuses a new socket (`EMFILE`, unsupported family, ...) or, where two
/// calls are needed, refuses to make it non-blocking.
#[cfg(not(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "fuchsia",
    target_os = "illumos",
    target_os = "linux",
    target_os = "netbsd",
    target_os = "openbsd",
)))]
pub(crate) fn nonblocking_socket(domain: Domain, ty: Type, protocol: Option<Protocol>) -> io::Result<Socket> {
    let socket = Socket::new(domain, ty, protocol)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}
