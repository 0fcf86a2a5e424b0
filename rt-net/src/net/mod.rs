//! Networking on the runtime's reactor: TCP, UDP and Unix-domain sockets.
//!
//! Every socket here is registered with the reactor of the runtime it was created in
//! (through `rt_core::io::PollEvented`), so it must be created from inside an
//! `rt-sched` runtime built with I/O enabled (`Builder::enable_io()` or `enable_all()`);
//! outside one, constructors return an error instead of a socket that would never wake.
//!
//! The stream types implement the `futures-io` traits, so the `futures::io` helpers
//! (`AsyncReadExt`, `AsyncWriteExt`, `copy`, ...) work on them unchanged.
//!
//! # Examples
//!
//! An echo server:
//!
//! ```no_run
//! use rt_net::net::TcpListener;
//!
//! # fn main() -> std::io::Result<()> {
//! let rt = rt_sched::Builder::new_multi_thread().enable_all().build()?;
//! rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:7000").await?;
//!     loop {
//!         let (stream, _peer) = listener.accept().await?;
//!         rt_sched::spawn(async move {
//!             let (reader, mut writer) = stream.into_split();
//!             futures::io::copy(reader, &mut writer).await
//!         });
//!     }
//! })
//! # }
//! ```

mod backoff;
mod error;
mod io_stream;
pub mod tcp;

pub use tcp::{TcpListener, TcpSocket, TcpStream};

mod udp;
pub use udp::UdpSocket;

pub mod unix;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
