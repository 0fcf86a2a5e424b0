//! Reads and writes on a connected, non-blocking stream socket, as raw system calls.
//!
//! `std` (and so mio) reads a socket with the C library's `recv` and writes it with
//! `send`. In a multi-threaded process glibc makes both *cancellation points*: around the
//! system call it switches the thread's cancellation mode on and off, two atomic
//! read-modify-writes per call. A non-blocking socket call never waits, so there is
//! nothing to cancel, and a server makes one read and one write per request: measured
//! with `perf` on the hello-world HTTP server, that bookkeeping was 1.6 % of the server's
//! CPU time. On Linux these calls therefore go straight to the kernel through `syscall`,
//! which is not a cancellation point; elsewhere they go through `std` as before.
//!
//! For TCP these are the calls `std` makes: `recvfrom` with no flags and no address, and
//! `sendto` with `MSG_NOSIGNAL` (a write to a closed connection fails with `EPIPE`
//! instead of raising `SIGPIPE`), so behaviour, errors included, does not change. For
//! Unix stream sockets `std` used `read` / `write`; the one difference is that a write to
//! a closed peer now also fails with `EPIPE` rather than raising `SIGPIPE` (which Rust
//! programs ignore by default anyway).

use std::io;
use std::os::fd::{AsFd, AsRawFd};

/// `recvfrom(fd, buf, len, 0, NULL, NULL)`: the bytes read, `0` at end of stream.
///
/// # Errors
///
/// The OS error, as `std::io::Read::read` on the socket would return it (`WouldBlock`
/// when nothing is ready).
pub(crate) fn read(fd: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `recvfrom` writes at most `buf.len()` bytes into `buf`, which is valid and
    // exclusively borrowed for the call; the address pointers are null, so the kernel
    // writes no address. Every argument is passed as a full register (`c_long`, a
    // pointer or `usize`), as the kernel reads them. The descriptor is open while `fd` is borrowed.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_recvfrom,
            libc::c_long::from(fd.as_fd().as_raw_fd()),
            buf.as_mut_ptr(),
            buf.len(),
            0 as libc::c_long,
            std::ptr::null_mut::<libc::sockaddr>(),
            std::ptr::null_mut::<libc::socklen_t>(),
        )
    };
    result(rc)
}

/// `sendto(fd, buf, len, MSG_NOSIGNAL, NULL, 0)`: the bytes written.
///
/// # Errors
///
/// The OS error, as `std::io::Write::write` on the socket would return it (`WouldBlock`
/// when the send buffer is full, `BrokenPipe` once the peer is gone).
pub(crate) fn write(fd: impl AsFd, buf: &[u8]) -> io::Result<usize> {
    // SAFETY: `sendto` reads at most `buf.len()` bytes from `buf`, which is valid for the
    // call; a null address with length 0 is how a connected socket is written. The
    // descriptor is open while `fd` is borrowed.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_sendto,
            libc::c_long::from(fd.as_fd().as_raw_fd()),
            buf.as_ptr(),
            buf.len(),
            libc::c_long::from(libc::MSG_NOSIGNAL),
            std::ptr::null::<libc::sockaddr>(),
            0 as libc::c_long,
        )
    };
    result(rc)
}

/// A `syscall` return value as a byte count or the `errno` error.
fn result(rc: libc::c_long) -> io::Result<usize> {
    usize::try_from(rc).map_err(|_| io::Error::last_os_error())
}

#[cfg(test)]
mod tests {
    use std::io::{ErrorKind, Read, Write};
    use std::os::unix::net::UnixStream;

    #[test]
    fn reads_writes_and_reports_errors_like_std() {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(super::read(&a, &mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        b.write_all(b"hello").unwrap();
        assert_eq!(super::read(&a, &mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        assert_eq!(super::write(&a, b"back").unwrap(), 4);
        let mut got = [0u8; 4];
        b.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"back");
        drop(b);
        assert_eq!(super::read(&a, &mut buf).unwrap(), 0);
        // No SIGPIPE: the write fails with EPIPE.
        assert_eq!(super::write(&a, b"x").unwrap_err().kind(), ErrorKind::BrokenPipe);
    }
}
