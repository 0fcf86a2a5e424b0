//! Compile-time properties of the TCP types: what is `Send` / `Sync` (so streams and
//! the futures of their methods can move to spawned tasks) and how small a stream is.

use std::future::Future;

use rt_net::net::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
use rt_net::net::{TcpListener, TcpSocket, TcpStream};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn types_are_send_and_sync() {
    assert_send_sync::<TcpStream>();
    assert_send_sync::<TcpListener>();
    assert_send_sync::<TcpSocket>();
    assert_send_sync::<ReadHalf<'static>>();
    assert_send_sync::<WriteHalf<'static>>();
    assert_send_sync::<OwnedReadHalf>();
    assert_send_sync::<OwnedWriteHalf>();
    assert_send_sync::<ReuniteError>();
}

/// Never run: only checks that the futures are `Send`, so they can be spawned.
#[allow(dead_code)]
fn futures_are_send(listener: &TcpListener, stream: &TcpStream, socket: TcpSocket) {
    fn check<F: Future + Send>(_: F) {}
    check(TcpListener::bind("127.0.0.1:0"));
    check(TcpStream::connect("127.0.0.1:1"));
    check(listener.accept());
    check(stream.readable());
    check(stream.writable());
    check(stream.peek(&mut []));
    check(socket.connect("127.0.0.1:1".parse().unwrap()));
}

/// A stream is its registration and nothing else: no buffers ride along with each
/// connection (the per-connection memory goal is 512 bytes for a whole server).
#[test]
fn a_stream_is_small() {
    let size = std::mem::size_of::<TcpStream>();
    println!("size_of::<TcpStream>() = {size} bytes");
    assert!(size <= 64, "TcpStream grew to {size} bytes");
}
