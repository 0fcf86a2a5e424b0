//! Async networking and file I/O for the rt-stack runtime.
//!
//! This crate will hold `TcpListener`, `TcpStream`, `UdpSocket`, `UnixListener`,
//! `UnixStream`, `UnixDatagram`, `fs::File` and the fs functions, `lookup_host`,
//! `copy_bidirectional` and signal handling, all built on the mio-backed reactor of
//! `rt-core` and, for files and DNS, the blocking pool of `rt-sched`. The I/O types
//! implement the `futures-io` traits so `futures::io` helpers work on them unchanged.
//!
//! It is filled by the reactor and sockets work (issue 4); today it only re-exports the
//! runtime so that the dependency graph of the workspace is already in place.
#![forbid(unsafe_code)]

pub mod net;

pub use net::{TcpListener, TcpSocket, TcpStream};
