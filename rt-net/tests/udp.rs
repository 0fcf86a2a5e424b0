//! `UdpSocket` on a real runtime: echo, connected send/recv, peek, try_* and readiness,
//! options, a socket shared by a sending and a receiving task.

mod support_uds;

use std::future::poll_fn;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use rt_net::io::Interest;
use rt_net::UdpSocket;
use support_uds::{on_each_flavor, retry_would_block};

async fn bind_local() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0")
}

/// Echoes `count` datagrams back to their senders.
async fn echo(socket: UdpSocket, count: usize) {
    let mut buf = [0u8; 1500];
    for _ in 0..count {
        let (n, peer) = socket.recv_from(&mut buf).await.expect("echo recv_from");
        socket.send_to(&buf[..n], peer).await.expect("echo send_to");
    }
}

#[test]
fn echo_with_send_to_and_recv_from() {
    on_each_flavor(|_| async {
        let server = bind_local().await;
        let server_addr = server.local_addr().unwrap();
        let echo = rt_sched::spawn(echo(server, 3));

        let client = bind_local().await;
        let mut buf = [0u8; 64];
        for msg in [&b"one"[..], b"two", b"three"] {
            assert_eq!(client.send_to(msg, server_addr).await.unwrap(), msg.len());
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], msg);
            assert_eq!(from, server_addr);
        }
        echo.await.unwrap();
    });
}

#[test]
fn send_to_resolves_a_host_and_port_string() {
    on_each_flavor(|_| async {
        let server = bind_local().await;
        let port = server.local_addr().unwrap().port();
        let client = bind_local().await;
        client.send_to(b"by name", format!("127.0.0.1:{port}")).await.unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"by name");
        assert_eq!(from, client.local_addr().unwrap());
    });
}

#[test]
fn connected_send_and_recv() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let b = bind_local().await;
        let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        assert_eq!(a.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);

        a.connect(b_addr).await.unwrap();
        b.connect(a_addr).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b_addr);

        a.send(b"ping").await.unwrap();
        let mut buf = [0u8; 16];
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"ping");
        b.send(b"pong").await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"pong");
    });
}

#[test]
fn connected_socket_ignores_other_senders() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let b = bind_local().await;
        let stranger = bind_local().await;
        a.connect(b.local_addr().unwrap()).await.unwrap();

        let a_addr = a.local_addr().unwrap();
        stranger.send_to(b"not for you", a_addr).await.unwrap();
        b.send_to(b"for you", a_addr).await.unwrap();
        let mut buf = [0u8; 16];
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"for you");
    });
}

#[test]
fn peek_leaves_the_datagram_queued() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let b = bind_local().await;
        a.send_to(b"peekaboo", b.local_addr().unwrap()).await.unwrap();

        let mut buf = [0u8; 16];
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"peekaboo"[..], a.local_addr().unwrap()));
        assert_eq!(b.peek_sender().await.unwrap(), a.local_addr().unwrap());
        let (n, _) = b.try_peek_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"peekaboo");

        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"peekaboo"[..], a.local_addr().unwrap()));
        assert_eq!(b.try_recv_from(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
    });
}

#[test]
fn try_variants_would_block_then_succeed() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let b = bind_local().await;
        let b_addr = b.local_addr().unwrap();
        let mut buf = [0u8; 16];

        assert_eq!(b.try_recv_from(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        assert_eq!(b.try_peek_from(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);

        a.writable().await.unwrap();
        let sent = retry_would_block(100, || a.try_send_to(b"try", b_addr)).await;
        assert_eq!(sent, 3);

        b.readable().await.unwrap();
        let (n, from) = retry_would_block(100, || b.try_recv_from(&mut buf)).await;
        assert_eq!((&buf[..n], from), (&b"try"[..], a.local_addr().unwrap()));

        a.connect(b_addr).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        retry_would_block(100, || a.try_send(b"again")).await;
        b.readable().await.unwrap();
        let n = retry_would_block(100, || b.try_recv(&mut buf)).await;
        assert_eq!(&buf[..n], b"again");
    });
}

#[test]
fn ready_reports_writable_at_once() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let ready = a.ready(Interest::WRITABLE).await.unwrap();
        assert!(ready.is_writable());
    });
}

#[test]
fn poll_variants() {
    on_each_flavor(|_| async {
        let a = bind_local().await;
        let b = bind_local().await;
        let b_addr = b.local_addr().unwrap();
        poll_fn(|cx| a.poll_send_ready(cx)).await.unwrap();
        poll_fn(|cx| a.poll_send_to(cx, b"polled", b_addr)).await.unwrap();
        poll_fn(|cx| b.poll_recv_ready(cx)).await.unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = poll_fn(|cx| b.poll_peek_from(cx, &mut buf)).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"polled"[..], a.local_addr().unwrap()));
        assert_eq!(
            poll_fn(|cx| b.poll_peek_sender(cx)).await.unwrap(),
            a.local_addr().unwrap()
        );
        let (n, _) = poll_fn(|cx| b.poll_recv_from(cx, &mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"polled");

        a.connect(b_addr).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        poll_fn(|cx| a.poll_send(cx, b"connected")).await.unwrap();
        let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"connected");
    });
}

#[test]
fn broadcast_and_ttl_options() {
    on_each_flavor(|_| async {
        let socket = bind_local().await;
        assert!(!socket.broadcast().unwrap());
        socket.set_broadcast(true).unwrap();
        assert!(socket.broadcast().unwrap());
        socket.set_broadcast(false).unwrap();
        assert!(!socket.broadcast().unwrap());

        socket.set_ttl(42).unwrap();
        assert_eq!(socket.ttl().unwrap(), 42);

        socket.set_multicast_ttl_v4(7).unwrap();
        assert_eq!(socket.multicast_ttl_v4().unwrap(), 7);
        socket.set_multicast_loop_v4(false).unwrap();
        assert!(!socket.multicast_loop_v4().unwrap());
        socket.set_multicast_loop_v4(true).unwrap();
        assert!(socket.multicast_loop_v4().unwrap());
        assert!(socket.take_error().unwrap().is_none());
    });
}

#[test]
fn broadcast_send_needs_the_flag() {
    on_each_flavor(|_| async {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let target = SocketAddr::from((Ipv4Addr::BROADCAST, 9));
        let err = socket.send_to(b"x", target).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        socket.set_broadcast(true).unwrap();
        // With the flag the kernel accepts the datagram; without a route to a broadcast
        // network (a sandbox) it may still refuse for that other reason.
        match socket.send_to(b"x", target).await {
            Ok(n) => assert_eq!(n, 1),
            Err(e) => assert_ne!(e.kind(), ErrorKind::PermissionDenied, "{e}"),
        }
    });
}

#[test]
fn multicast_join_and_leave() {
    on_each_flavor(|_| async {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let group = Ipv4Addr::new(239, 255, 42, 99);
        match socket.join_multicast_v4(group, Ipv4Addr::UNSPECIFIED) {
            Ok(()) => socket.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED).unwrap(),
            // No multicast-capable interface in this sandbox: nothing more to check.
            Err(e) if e.kind() == ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENODEV) => {}
            Err(e) => panic!("join_multicast_v4: {e}"),
        }
        let err = socket
            .join_multicast_v4(Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::UNSPECIFIED)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "a unicast group is refused: {err}");
    });
}

#[test]
fn one_socket_shared_by_a_sending_and_a_receiving_task() {
    const COUNT: u32 = 200;
    on_each_flavor(|_| async {
        let peer = bind_local().await;
        let peer_addr = peer.local_addr().unwrap();
        let echo = rt_sched::spawn(echo(peer, COUNT as usize));

        let socket = Arc::new(bind_local().await);
        socket.connect(peer_addr).await.unwrap();

        let receiver = rt_sched::spawn({
            let socket = socket.clone();
            async move {
                let mut seen = vec![false; COUNT as usize];
                let mut buf = [0u8; 4];
                for _ in 0..COUNT {
                    let n = socket.recv(&mut buf).await.unwrap();
                    assert_eq!(n, 4);
                    seen[u32::from_be_bytes(buf) as usize] = true;
                }
                seen.iter().all(|&s| s)
            }
        });
        let sender = rt_sched::spawn({
            let socket = socket.clone();
            async move {
                for i in 0..COUNT {
                    socket.send(&i.to_be_bytes()).await.unwrap();
                    // Keep the receive queues short: loopback drops nothing below
                    // the socket buffer size, but do not lean on it.
                    if i % 16 == 15 {
                        rt_sched::task::yield_now().await;
                    }
                }
            }
        });
        sender.await.unwrap();
        assert!(receiver.await.unwrap(), "every datagram came back");
        echo.await.unwrap();
    });
}

#[test]
fn std_conversions_round_trip() {
    on_each_flavor(|_| async {
        let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = std_socket.local_addr().unwrap();
        let socket = UdpSocket::from_std(std_socket).unwrap();
        assert_eq!(socket.local_addr().unwrap(), addr);

        let other = bind_local().await;
        other.send_to(b"to std", addr).await.unwrap();
        socket.readable().await.unwrap();

        let back = socket.into_std().unwrap();
        back.set_nonblocking(false).unwrap();
        let mut buf = [0u8; 16];
        let (n, _) = back.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"to std");
    });
}

#[test]
fn bind_errors_say_what_failed() {
    on_each_flavor(|_| async {
        let taken = bind_local().await;
        let addr = taken.local_addr().unwrap();
        let err = UdpSocket::bind(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        assert!(
            err.to_string().contains(&addr.to_string()),
            "the error names the address: {err}"
        );
    });
}

#[test]
fn outside_a_runtime_construction_fails_instead_of_panicking() {
    let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let err = UdpSocket::from_std(std_socket).unwrap_err();
    assert!(err.to_string().contains("reactor"), "{err}");
}

#[test]
fn udp_socket_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<UdpSocket>();
}
