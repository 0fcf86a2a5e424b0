//! TCP: [`TcpListener`], [`TcpStream`], [`TcpSocket`] and the halves of a split stream.
//!
//! # Memory
//!
//! A [`TcpStream`] is its reactor registration and nothing else: no read or write
//! buffer, no extra allocation. A server that keeps 10,000 idle connections pays for
//! 10,000 registrations and the kernel's socket buffers, not for per-stream buffers.
//! [`TcpStream::into_split`] adds one allocation (the `Arc` the owned halves share);
//! [`TcpStream::split`] adds none.
//!
//! # Listen backlog
//!
//! [`TcpListener::bind`] listens with a backlog of [`DEFAULT_BACKLOG`] (1,024), so that
//! a burst of connections opened at once waits in the kernel's accept queue instead of
//! having its SYNs dropped (the kernel caps the value at `net.core.somaxconn`). Use
//! [`TcpSocket::listen`] for another value.
//!
//! # When the process runs out of file descriptors
//!
//! `accept` that fails with `EMFILE`, `ENFILE`, `ENOBUFS` or `ENOMEM` does not return
//! the error and does not spin: it waits a short, growing delay (1 ms doubling up to
//! 256 ms, on the runtime's timer) and tries again, so the server keeps serving the
//! connections it has and resumes accepting once descriptors are freed. See
//! [`TcpListener::accept`]; the Unix listener does the same.

mod listener;
mod socket;
mod split;
mod split_owned;
mod stream;

pub use listener::{TcpListener, DEFAULT_BACKLOG};
pub use socket::TcpSocket;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use stream::TcpStream;
