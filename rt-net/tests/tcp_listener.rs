//! `TcpListener` and `TcpSocket`: accepting (from several tasks, by polling), the
//! default backlog under a burst, bind errors, options, std conversions.

mod support;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::poll_fn;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::net::tcp::DEFAULT_BACKLOG;
use rt_net::net::{TcpListener, TcpSocket, TcpStream};
use support::tcp::{any_local, each_flavor, listener};

#[test]
fn accept_from_several_tasks() {
    const TASKS: usize = 4;
    const CLIENTS: usize = 64;
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (listener, addr) = listener().await;
            let listener = Arc::new(listener);
            let (tx, mut rx) = rt_core::sync::mpsc::unbounded_channel();
            let acceptors: Vec<_> = (0..TASKS)
                .map(|_| {
                    let (listener, tx) = (listener.clone(), tx.clone());
                    rt_sched::spawn(async move {
                        while let Ok((mut stream, _)) = listener.accept().await {
                            let mut b = [0; 1];
                            stream.read_exact(&mut b).await.unwrap();
                            if tx.send(b[0]).is_err() {
                                return;
                            }
                        }
                    })
                })
                .collect();
            drop(tx);
            for i in 0..CLIENTS {
                let mut c = TcpStream::connect(addr).await.unwrap();
                c.write_all(&[i as u8]).await.unwrap();
            }
            let mut seen = Vec::new();
            while seen.len() < CLIENTS {
                seen.push(rx.recv().await.unwrap());
            }
            seen.sort_unstable();
            assert_eq!(seen, (0..CLIENTS as u8).collect::<Vec<_>>());
            for a in acceptors {
                a.abort();
            }
        });
    });
}

#[test]
fn poll_accept_returns_the_connection() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (listener, addr) = listener().await;
            let client = rt_sched::spawn(async move { TcpStream::connect(addr).await.unwrap() });
            let (stream, peer) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
            let client = client.await.unwrap();
            assert_eq!(peer, client.local_addr().unwrap());
            assert_eq!(stream.peer_addr().unwrap(), peer);
        });
    });
}

#[test]
fn bind_to_a_used_address_names_it() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (_listener, addr) = listener().await;
            let err = TcpListener::bind(addr).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::AddrInUse, "{err}");
            assert!(err.to_string().contains(&format!("bind to {addr}")), "{err}");
        });
    });
}

/// The effective backlog: ours, capped by the kernel's `net.core.somaxconn`.
fn expected_backlog() -> usize {
    let somaxconn = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok());
    match somaxconn {
        Some(max) => {
            println!("net.core.somaxconn = {max}");
            max.min(DEFAULT_BACKLOG as usize)
        }
        None => {
            println!("cannot read /proc/sys/net/core/somaxconn; assuming it is not below {DEFAULT_BACKLOG}");
            DEFAULT_BACKLOG as usize
        }
    }
}

/// With nobody accepting, a burst of `backlog` connections completes its handshakes
/// (the kernel queues them); a backlog of 128 would make the kernel drop the SYNs of
/// the rest.
///
/// Detected without timing: nobody accepts during the burst, so the accept queue stays
/// full and a SYN the kernel dropped is dropped again at every retransmission; that
/// connect times out whatever the deadline. The deadline is only there to end it, and
/// is generous so that a loaded machine cannot fail the test.
#[test]
fn default_backlog_takes_a_burst_without_accepting() {
    const CONNECT_DEADLINE: Duration = Duration::from_secs(10);
    let backlog = expected_backlog();
    each_flavor(move |_, rt| {
        rt.block_on(async move {
            let (listener, addr) = listener().await;
            let start = Instant::now();
            let mut clients = Vec::with_capacity(backlog);
            for _ in 0..backlog {
                let client = std::net::TcpStream::connect_timeout(&addr, CONNECT_DEADLINE)
                    .unwrap_or_else(|e| panic!("connection {} of the burst (SYN dropped?): {e}", clients.len() + 1));
                clients.push(client);
            }
            // Information only: with dropped SYNs this would be a second or more.
            println!("{backlog} connections queued in {:?}", start.elapsed());
            for _ in 0..backlog {
                listener.accept().await.unwrap();
            }
        });
    });
}

#[test]
fn listen_with_a_chosen_backlog_and_options() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let socket = TcpSocket::new_v4().unwrap();
            socket.set_reuseaddr(true).unwrap();
            assert!(socket.reuseaddr().unwrap());
            socket.set_reuseport(true).unwrap();
            assert!(socket.reuseport().unwrap());
            socket.set_recv_buffer_size(64 * 1024).unwrap();
            assert!(socket.recv_buffer_size().unwrap() >= 64 * 1024);
            socket.set_send_buffer_size(64 * 1024).unwrap();
            assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
            socket.set_nodelay(true).unwrap();
            assert!(socket.nodelay().unwrap());
            socket.set_keepalive(true).unwrap();
            assert!(socket.keepalive().unwrap());
            socket.set_linger(Some(Duration::from_secs(1))).unwrap();
            assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
            socket.bind(any_local()).unwrap();
            let addr = socket.local_addr().unwrap();
            let listener = socket.listen(16).unwrap();
            assert_eq!(listener.local_addr().unwrap(), addr);
            listener.set_ttl(33).unwrap();
            assert_eq!(listener.ttl().unwrap(), 33);

            // A client socket bound to a chosen local address before connecting.
            let client = TcpSocket::new_v4().unwrap();
            client.bind(any_local()).unwrap();
            let local = client.local_addr().unwrap();
            let (stream, accepted) = futures::join!(client.connect(addr), listener.accept());
            let stream = stream.unwrap();
            assert_eq!(stream.local_addr().unwrap(), local);
            assert_eq!(accepted.unwrap().1, local);
        });
    });
}

#[test]
fn tcp_socket_connect_refused_names_the_address() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap();
            let err = TcpSocket::new_v4().unwrap().connect(addr).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
            assert!(err.to_string().contains(&addr.to_string()), "{err}");
        });
    });
}

#[test]
fn ipv6_listener_when_available() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let addr: SocketAddr = "[::1]:0".parse().unwrap();
            let listener = match TcpListener::bind(addr).await {
                Ok(l) => l,
                Err(e) => return println!("skipped: no IPv6 loopback here ({e})"),
            };
            let addr = listener.local_addr().unwrap();
            let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
            assert_eq!(accepted.unwrap().1, client.unwrap().local_addr().unwrap());
        });
    });
}

#[test]
fn std_listener_round_trip() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let listener = TcpListener::from_std(std).unwrap();
            let addr = listener.local_addr().unwrap();
            let std = listener.into_std().unwrap();
            assert_eq!(std.local_addr().unwrap(), addr);
            let listener = TcpListener::from_std(std).unwrap();
            let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
            assert_eq!(accepted.unwrap().1, client.unwrap().local_addr().unwrap());
        });
    });
}
