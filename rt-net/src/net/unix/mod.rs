//! Unix domain sockets: [`UnixListener`] and [`UnixStream`] for byte streams,
//! [`UnixDatagram`] for messages, addressed by filesystem paths.
//!
//! They mirror the TCP and UDP types: the same readiness methods (`ready`, `readable`,
//! `writable`), the same non-blocking `try_*` calls, the `futures-io` traits on streams,
//! borrowed and owned splitting, and the same out-of-descriptors back-off on `accept`.
//!
//! Socket files are not removed when a listener or datagram socket is dropped; remove
//! them yourself (a later `bind` to an existing path fails with `AddrInUse`).

mod datagram;
mod listener;
mod split;
mod split_owned;
mod stream;
mod ucred;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;
pub use ucred::UCred;
