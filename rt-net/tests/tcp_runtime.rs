//! TCP types and the runtime's lifetime: sockets made outside a runtime are refused
//! with an error, and I/O on a stream whose runtime has shut down fails instead of
//! hanging.

mod support;

use std::future::Future;
use std::io;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::net::{TcpListener, TcpSocket, TcpStream};
use support::tcp::{any_local, each_flavor, pair};
use support::watchdog;

#[test]
fn sockets_outside_a_runtime_are_an_error() {
    watchdog(|| {
        let err = futures::executor::block_on(TcpListener::bind(any_local())).unwrap_err();
        assert!(err.to_string().contains("no reactor running"), "{err}");

        let err = TcpListener::from_std(std::net::TcpListener::bind(any_local()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("no reactor running"), "{err}");

        // A listener for the clients below (blocking, so it needs no reactor).
        let std = std::net::TcpListener::bind(any_local()).unwrap();
        let addr = std.local_addr().unwrap();

        let err = futures::executor::block_on(TcpStream::connect(addr)).unwrap_err();
        assert!(err.to_string().contains("no reactor running"), "{err}");

        let client = std::net::TcpStream::connect(addr);
        let err = TcpStream::from_std(client.unwrap()).unwrap_err();
        assert!(err.to_string().contains("no reactor running"), "{err}");

        // A TcpSocket is only configuration: it works, until it joins the reactor.
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(any_local()).unwrap();
        let err = socket.listen(8).unwrap_err();
        assert!(err.to_string().contains("no reactor running"), "{err}");
    });
}

#[test]
fn a_runtime_without_io_is_an_error() {
    watchdog(|| {
        let rt = rt_sched::Builder::new_current_thread().enable_time().build().unwrap();
        let err = rt.block_on(TcpListener::bind(any_local())).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Other, "{err}");
    });
}

#[test]
fn io_after_runtime_shutdown_fails_instead_of_hanging() {
    each_flavor(|flavor, rt| {
        let (mut client, mut server) = rt.block_on(pair());
        // A read in flight when the runtime goes away.
        let mut pending_read = Box::pin(async move {
            let mut buf = [0; 8];
            let res = server.read(&mut buf).await;
            (server, res)
        });
        rt.block_on(async {
            let waker = futures::task::noop_waker();
            let mut cx = std::task::Context::from_waker(&waker);
            assert!(pending_read.as_mut().poll(&mut cx).is_pending());
        });
        drop(rt);

        let (_server, res) = futures::executor::block_on(pending_read);
        let err = res.expect_err("a read on a shut-down reactor must fail");
        println!("{flavor:?}: pending read after shutdown: {err}");

        let err = futures::executor::block_on(client.read(&mut [0; 8])).expect_err("a new read must fail");
        println!("{flavor:?}: new read after shutdown: {err}");
        let err = futures::executor::block_on(client.write_all(b"x")).expect_err("a write must fail");
        println!("{flavor:?}: write after shutdown: {err}");
    });
}
