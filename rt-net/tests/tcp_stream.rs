//! `TcpStream` on real loopback sockets, on both runtime flavours: echo, many clients,
//! half-close, refused and reset connections, peek, the readiness / `try_*` API and
//! socket options.

mod support;

use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::poll_fn;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::io::Interest;
use rt_net::net::TcpStream;
use support::tcp::{each_flavor, listener, pair};

/// Echoes everything it reads until end-of-file, then closes its write side.
async fn echo(mut stream: TcpStream) -> io::Result<u64> {
    let (mut reader, mut writer) = TcpStream::split(&mut stream);
    let n = futures::io::copy(&mut reader, &mut writer).await?;
    writer.close().await?;
    Ok(n)
}

#[test]
fn echo_round_trip() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, server) = pair().await;
            let server = rt_sched::spawn(echo(server));
            let msg = vec![7u8; 100_000];
            // Write and read at once, so that neither side's buffers fill up and stall.
            let (mut r, mut w) = TcpStream::split(&mut client);
            let write = async {
                w.write_all(&msg).await.unwrap();
                w.close().await.unwrap();
            };
            let mut back = Vec::new();
            let read = r.read_to_end(&mut back);
            let ((), got) = futures::join!(write, read);
            assert_eq!(got.unwrap(), msg.len());
            assert_eq!(back, msg);
            assert_eq!(server.await.unwrap().unwrap(), msg.len() as u64);
        });
    });
}

#[test]
fn many_concurrent_clients() {
    const CLIENTS: usize = 200;
    const ROUNDS: usize = 10;
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (listener, addr) = listener().await;
            let server = rt_sched::spawn(async move {
                let mut conns = Vec::new();
                for _ in 0..CLIENTS {
                    let (stream, _) = listener.accept().await.unwrap();
                    conns.push(rt_sched::spawn(echo(stream)));
                }
                for conn in conns {
                    conn.await.unwrap().unwrap();
                }
            });
            let clients: Vec<_> = (0..CLIENTS)
                .map(|i| {
                    rt_sched::spawn(async move {
                        let mut stream = TcpStream::connect(addr).await.unwrap();
                        for round in 0..ROUNDS {
                            let msg = format!("client {i} round {round}");
                            stream.write_all(msg.as_bytes()).await.unwrap();
                            let mut back = vec![0; msg.len()];
                            stream.read_exact(&mut back).await.unwrap();
                            assert_eq!(back, msg.as_bytes());
                        }
                    })
                })
                .collect();
            for client in clients {
                client.await.unwrap();
            }
            server.await.unwrap();
        });
    });
}

#[test]
fn half_close_peer_reads_eof_and_still_writes_back() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, mut server) = pair().await;
            client.write_all(b"ping").await.unwrap();
            client.shutdown(Shutdown::Write).unwrap();

            let mut got = Vec::new();
            server.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"ping", "the server reads the data, then end-of-file");
            server.write_all(b"pong").await.unwrap();
            server.close().await.unwrap();

            let mut back = Vec::new();
            client.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, b"pong", "the half-closed client still reads");
        });
    });
}

#[test]
fn connection_refused_is_a_clear_error() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            // A port that was just free: nothing listens on it.
            let addr = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let err = TcpStream::connect(addr).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused, "{err}");
            let msg = err.to_string();
            assert!(msg.contains(&addr.to_string()) && msg.contains("connect"), "{msg}");
        });
    });
}

#[test]
fn peer_reset_mid_read() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, server) = pair().await;
            let reader = rt_sched::spawn(async move {
                let mut buf = [0; 16];
                client.read(&mut buf).await
            });
            // Let the reader block in its read before the reset arrives.
            rt_core::time::sleep(Duration::from_millis(20)).await;
            assert!(!reader.is_finished());
            server.set_linger(Some(Duration::ZERO)).unwrap();
            drop(server);
            let err = reader.await.unwrap().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionReset, "{err}");
        });
    });
}

#[test]
fn peek_leaves_the_data_in_place() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, server) = pair().await;
            let peeker = rt_sched::spawn(async move {
                let mut buf = [0; 5];
                let n = server.peek(&mut buf).await.unwrap();
                (server, buf, n)
            });
            client.write_all(b"hello").await.unwrap();
            let (mut server, buf, n) = peeker.await.unwrap();
            assert!(n > 0 && buf[..n] == b"hello"[..n]);

            let mut buf = [0; 5];
            let n = poll_fn(|cx| server.poll_peek(cx, &mut buf)).await.unwrap();
            assert!(n > 0 && buf[..n] == b"hello"[..n]);

            let mut all = [0; 5];
            server.read_exact(&mut all).await.unwrap();
            assert_eq!(&all, b"hello", "peeked bytes are read again");
        });
    });
}

#[test]
fn try_read_and_try_write_would_block() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, server) = pair().await;
            let mut buf = [0; 64];
            let err = server.try_read(&mut buf).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

            assert_eq!(client.try_write(b"abc").unwrap(), 3);
            server.readable().await.unwrap();
            assert_eq!(server.try_read(&mut buf).unwrap(), 3);
            assert_eq!(&buf[..3], b"abc");

            // Vectored forms.
            let n = client
                .try_write_vectored(&[IoSlice::new(b"de"), IoSlice::new(b"f")])
                .unwrap();
            assert_eq!(n, 3);
            server.readable().await.unwrap();
            let (mut a, mut b) = ([0; 2], [0; 8]);
            let n = server
                .try_read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
                .unwrap();
            assert_eq!((n, &a, &b[..1]), (3, b"de", &b"f"[..]));

            // Fill the send path while the peer does not read, until WouldBlock.
            let chunk = vec![1u8; 64 * 1024];
            let mut sent = 0usize;
            loop {
                match client.try_write(&chunk) {
                    Ok(n) => sent += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => panic!("try_write: {e}"),
                }
                assert!(sent < 256 << 20, "the send path never filled up");
            }
            // Drain it from the peer; the writer becomes writable again.
            let drain = rt_sched::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                let mut got = 0;
                while got < sent {
                    server.readable().await.unwrap();
                    match server.try_read(&mut buf) {
                        Ok(n) => got += n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => panic!("try_read: {e}"),
                    }
                }
                got
            });
            client.writable().await.unwrap();
            assert!(client.try_write(b"x").unwrap() > 0);
            assert!(drain.await.unwrap() >= sent);
        });
    });
}

#[test]
fn readable_from_several_tasks_on_a_shared_stream() {
    const TASKS: usize = 4;
    const TOTAL: usize = 256 * 1024;
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, server) = pair().await;
            let server = Arc::new(server);
            let received = Arc::new(AtomicUsize::new(0));
            let readers: Vec<_> = (0..TASKS)
                .map(|_| {
                    let (server, received) = (server.clone(), received.clone());
                    rt_sched::spawn(async move {
                        let mut buf = [0; 4096];
                        loop {
                            server.readable().await.unwrap();
                            match server.try_read(&mut buf) {
                                Ok(0) => return,
                                Ok(n) => {
                                    received.fetch_add(n, Ordering::Relaxed);
                                }
                                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                                Err(e) => panic!("try_read: {e}"),
                            }
                        }
                    })
                })
                .collect();
            for chunk in vec![3u8; TOTAL].chunks(1000) {
                client.write_all(chunk).await.unwrap();
                rt_sched::task::yield_now().await;
            }
            client.close().await.unwrap();
            // Every reader sees end-of-file: none of them lost its wake-up.
            for reader in readers {
                reader.await.unwrap();
            }
            assert_eq!(received.load(Ordering::Relaxed), TOTAL);
        });
    });
}

#[test]
fn ready_reports_writable_on_a_fresh_stream() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, _server) = pair().await;
            let ready = client.ready(Interest::WRITABLE).await.unwrap();
            assert!(ready.is_writable());
        });
    });
}

#[test]
fn socket_options_round_trip() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, server) = pair().await;
            client.set_nodelay(true).unwrap();
            assert!(client.nodelay().unwrap());
            client.set_nodelay(false).unwrap();
            assert!(!client.nodelay().unwrap());
            client.set_linger(Some(Duration::from_secs(3))).unwrap();
            assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(3)));
            client.set_linger(None).unwrap();
            assert_eq!(client.linger().unwrap(), None);
            client.set_ttl(42).unwrap();
            assert_eq!(client.ttl().unwrap(), 42);
            assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
            assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
            assert!(client.take_error().unwrap().is_none());
        });
    });
}

#[test]
fn std_round_trip_keeps_the_connection() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, mut server) = pair().await;
            let std = client.into_std().unwrap();
            std.set_nonblocking(false).unwrap();
            io::Write::write_all(&mut &std, b"via std").unwrap();
            let mut client = TcpStream::from_std(std).unwrap();
            let mut buf = [0; 7];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"via std");
            client.write_all(b"!").await.unwrap();
            server.read_exact(&mut buf[..1]).await.unwrap();
            assert_eq!(buf[0], b'!');
        });
    });
}

#[test]
fn connect_through_std_blocking_peer() {
    // A blocking std listener on another thread, an async client.
    each_flavor(|_, rt| {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr: SocketAddr = std_listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = std_listener.accept().unwrap();
            io::Write::write_all(&mut s, b"from std").unwrap();
        });
        rt.block_on(async {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let mut got = Vec::new();
            stream.read_to_end(&mut got).await.unwrap();
            assert_eq!(got, b"from std");
        });
        peer.join().unwrap();
    });
}
