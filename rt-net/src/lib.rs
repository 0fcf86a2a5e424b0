//! Async networking and file I/O for the rt-stack runtime.
//!
//! This crate holds:
//!
//! * [`fs`]: [`fs::File`] and the file system functions, run on the blocking pool of
//!   `rt-sched`;
//! * [`lookup_host`] and the [`ToSocketAddrs`] trait: name resolution on the blocking
//!   pool, literal addresses without it;
//! * [`io`]: [`io::copy_bidirectional`] (the core of a proxy) and [`io::copy`], over any
//!   `futures-io` streams, and [`io::Interest`] / [`io::Ready`] for the sockets' `ready`
//!   methods;
//! * [`net`]: [`TcpListener`], [`TcpStream`], [`TcpSocket`], [`UdpSocket`] and the
//!   Unix domain sockets ([`UnixListener`], [`UnixStream`], [`UnixDatagram`]) on the
//!   reactor of `rt-core`;
//! * [`signal`]: [`signal::ctrl_c`] and Unix signal streams.
//!
//! Every I/O type implements the [`futures_io`] traits, so the `futures::io` helpers
//! (`read_to_end`, `write_all`, `BufReader`, ...) work on them unchanged.
//!
//! Everything here must run inside an rt-sched runtime; called outside one, it returns
//! an [`std::io::Error`] rather than panicking.
//!
//! # Examples
//!
//! ```
//! use futures::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # fn main() -> std::io::Result<()> {
//! # let path = std::env::temp_dir().join(format!("rt-net-doc-{}.txt", std::process::id()));
//! let rt = rt_sched::Runtime::new()?;
//! rt.block_on(async {
//!     let mut file = rt_net::fs::File::create(&path).await?;
//!     file.write_all(b"hello, file").await?;
//!     file.flush().await?;
//!
//!     let mut text = String::new();
//!     rt_net::fs::File::open(&path).await?.read_to_string(&mut text).await?;
//!     assert_eq!(text, "hello, file");
//!
//!     let addrs: Vec<_> = rt_net::lookup_host("127.0.0.1:8080").await?.collect();
//!     assert_eq!(addrs, ["127.0.0.1:8080".parse().unwrap()]);
//!     rt_net::fs::remove_file(&path).await
//! })
//! # }
//! ```
//!
//! `unsafe` is denied everywhere except in the private `sys` module (signal handlers
//! and peer credentials), where every block carries a `// SAFETY:` comment.
#![deny(unsafe_code)]
#![doc(test(attr(deny(warnings, rust_2018_idioms), allow(dead_code, unused_variables))))]
#![warn(clippy::undocumented_unsafe_blocks)]

mod addr;
mod blocking;
mod dns;
pub mod fs;
pub mod io;
pub mod net;
pub mod signal;
mod sys;

pub use addr::ToSocketAddrs;
pub use dns::lookup_host;
pub use net::{TcpListener, TcpSocket, TcpStream};
pub use net::{UdpSocket, UnixDatagram, UnixListener, UnixStream};
