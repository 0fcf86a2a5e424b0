//! Unix domain sockets on a real runtime: stream echo, half-close, pairs, borrowed and
//! owned splitting, readiness and try_*, datagrams with and without paths.

mod support_uds;

use std::future::poll_fn;
use std::io::{ErrorKind, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::sync::Arc;

use futures::future::join;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::io::Interest;
use rt_net::net::unix::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
use rt_net::{UnixDatagram, UnixListener, UnixStream};
use support_uds::{on_each_flavor, retry_would_block, TempDir};

/// Echoes everything it reads until end-of-stream, then closes its write side.
async fn echo(mut stream: UnixStream) {
    let mut buf = [0u8; 1024];
    loop {
        let n = stream.read(&mut buf).await.expect("echo read");
        if n == 0 {
            break;
        }
        stream.write_all(&buf[..n]).await.expect("echo write");
    }
    stream.close().await.expect("echo close");
}

#[test]
fn stream_echo_through_a_listener() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let path = dir.join("echo.sock");
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(path.as_path()));

        let server = rt_sched::spawn(async move {
            for _ in 0..3 {
                let (stream, _) = listener.accept().await.unwrap();
                rt_sched::spawn(echo(stream));
            }
        });

        for i in 0..3u8 {
            let mut client = UnixStream::connect(&path).await.unwrap();
            assert_eq!(client.peer_addr().unwrap().as_pathname(), Some(path.as_path()));
            let msg = vec![i; 10_000];
            client.write_all(&msg).await.unwrap();
            client.close().await.unwrap();
            let mut back = Vec::new();
            client.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, msg);
        }
        server.await.unwrap();
    });
}

#[test]
fn connect_errors() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let err = UnixStream::connect(dir.join("nothing-here.sock")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        assert!(
            err.to_string().contains("nothing-here.sock"),
            "the error names the path: {err}"
        );

        // A socket file nobody listens on any more.
        let path = dir.join("stale.sock");
        drop(UnixListener::bind(&path).unwrap());
        let err = UnixStream::connect(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");

        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn half_close_lets_the_peer_answer() {
    on_each_flavor(|_| async {
        let (mut client, mut server) = UnixStream::pair().unwrap();
        client.write_all(b"question").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();

        let mut question = Vec::new();
        server.read_to_end(&mut question).await.unwrap();
        assert_eq!(question, b"question");
        server.write_all(b"answer").await.unwrap();
        drop(server);

        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, b"answer");
        // Writing after the shutdown fails.
        assert_eq!(client.write(b"more").await.unwrap_err().kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn pair_readiness_and_try_io() {
    on_each_flavor(|_| async {
        let (a, b) = UnixStream::pair().unwrap();
        let mut buf = [0u8; 32];
        assert_eq!(b.try_read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);

        a.writable().await.unwrap();
        retry_would_block(100, || a.try_write(b"hello ")).await;
        let bufs = [IoSlice::new(b"vectored "), IoSlice::new(b"world")];
        retry_would_block(100, || a.try_write_vectored(&bufs)).await;

        let mut got = Vec::new();
        while got.len() < 20 {
            b.readable().await.unwrap();
            let (head, tail) = buf.split_at_mut(4);
            let mut slices = [IoSliceMut::new(head), IoSliceMut::new(tail)];
            match b.try_read_vectored(&mut slices) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, b"hello vectored world");

        let ready = b.ready(Interest::READABLE | Interest::WRITABLE).await.unwrap();
        assert!(ready.is_writable());
        drop(a);
        // The peer is gone: readable, and a read says end-of-stream.
        b.readable().await.unwrap();
        assert_eq!(retry_would_block(100, || b.try_read(&mut buf)).await, 0);
    });
}

#[test]
fn poll_readiness() {
    on_each_flavor(|_| async {
        let (a, b) = UnixStream::pair().unwrap();
        poll_fn(|cx| a.poll_write_ready(cx)).await.unwrap();
        retry_would_block(100, || a.try_write(b"x")).await;
        poll_fn(|cx| b.poll_read_ready(cx)).await.unwrap();
        let mut buf = [0u8; 1];
        assert_eq!(retry_would_block(100, || b.try_read(&mut buf)).await, 1);
    });
}

#[test]
fn borrowed_split_reads_and_writes_concurrently() {
    on_each_flavor(|_| async {
        let (mut stream, peer) = UnixStream::pair().unwrap();
        let echo = rt_sched::spawn(echo(peer));
        {
            // `futures::AsyncReadExt::split` (by value) would win method resolution.
            let (mut reader, mut writer) = UnixStream::split(&mut stream);
            let msg = vec![7u8; 256 * 1024]; // more than the socket buffers hold
            let write = async {
                writer.write_all(&msg).await.unwrap();
                writer.close().await.unwrap();
            };
            let read = async {
                let mut back = Vec::new();
                reader.read_to_end(&mut back).await.unwrap();
                back
            };
            let ((), back) = join(write, read).await;
            assert_eq!(back.len(), msg.len());
        }
        echo.await.unwrap();
    });
}

/// What `UnixStream::split`'s docs say about method resolution, checked by the compiler
/// (this file has `futures::io::AsyncReadExt` in scope): `stream.split()` on a value is
/// the trait's lock-based split, while `UnixStream::split(&mut stream)` and
/// `(&mut stream).split()` are the borrowed split of this crate.
#[test]
fn with_async_read_ext_in_scope_only_split_on_a_value_is_the_trait_s() {
    on_each_flavor(|_| async {
        let (mut stream, _peer) = UnixStream::pair().unwrap();
        let (_r, _w): (ReadHalf<'_>, WriteHalf<'_>) = UnixStream::split(&mut stream);
        // Clippy suggests dropping the `&mut`, which would pick the trait's split: the
        // point of this line.
        #[allow(clippy::needless_borrow)]
        let (_r, _w): (ReadHalf<'_>, WriteHalf<'_>) = (&mut stream).split();
        let (r, w): (futures::io::ReadHalf<UnixStream>, futures::io::WriteHalf<UnixStream>) = stream.split();
        let _stream: UnixStream = r.reunite(w).unwrap();
    });
}

#[test]
fn owned_halves_in_two_tasks_and_reunite() {
    on_each_flavor(|_| async {
        let (stream, peer) = UnixStream::pair().unwrap();
        let echo = rt_sched::spawn(echo(peer));
        let (mut reader, mut writer) = stream.into_split();

        let writer_task = rt_sched::spawn(async move {
            for i in 0..100u8 {
                writer.write_all(&[i; 100]).await.unwrap();
            }
            writer
        });
        let reader_task = rt_sched::spawn(async move {
            let mut buf = vec![0u8; 100 * 100];
            reader.read_exact(&mut buf).await.unwrap();
            assert!(buf
                .chunks(100)
                .enumerate()
                .all(|(i, c)| c.iter().all(|&b| b == i as u8)));
            reader
        });
        let writer = writer_task.await.unwrap();
        let reader = reader_task.await.unwrap();

        let mut stream = reader.reunite(writer).expect("halves of one stream");
        stream.write_all(b"whole again").await.unwrap();
        let mut buf = [0u8; 11];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"whole again");
        drop(stream);
        echo.await.unwrap();
    });
}

#[test]
fn reunite_refuses_halves_of_different_streams() {
    on_each_flavor(|_| async {
        let (a, _a_peer) = UnixStream::pair().unwrap();
        let (b, _b_peer) = UnixStream::pair().unwrap();
        let (a_read, _a_write): (OwnedReadHalf, OwnedWriteHalf) = a.into_split();
        let (_b_read, b_write) = b.into_split();
        let err = a_read.reunite(b_write).unwrap_err();
        assert!(err.to_string().contains("not from the same"), "{err}");
    });
}

#[test]
fn dropping_the_owned_write_half_shuts_down_writing() {
    on_each_flavor(|_| async {
        let (stream, mut peer) = UnixStream::pair().unwrap();
        let (_reader, writer) = stream.into_split();
        drop(writer);
        let mut buf = Vec::new();
        assert_eq!(peer.read_to_end(&mut buf).await.unwrap(), 0, "end-of-stream");

        let (stream, peer) = UnixStream::pair().unwrap();
        let (_reader, writer) = stream.into_split();
        writer.forget();
        let mut buf = [0u8; 1];
        assert_eq!(
            peer.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock,
            "forget() does not shut down"
        );
    });
}

#[test]
fn peer_cred_names_this_process() {
    on_each_flavor(|_| async {
        let (a, _b) = UnixStream::pair().unwrap();
        let cred = a.peer_cred().unwrap();
        // SAFETY: getuid/getgid/getpid have no preconditions and cannot fail.
        let (uid, gid, pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
        assert_eq!(cred.uid(), uid);
        assert_eq!(cred.gid(), gid);
        #[cfg(target_os = "linux")]
        assert_eq!(cred.pid(), Some(pid));
        let _ = pid;
    });
}

#[test]
fn poll_accept_and_std_conversions() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let path = dir.join("poll.sock");
        let std_listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let listener = UnixListener::from_std(std_listener).unwrap();

        let client = rt_sched::spawn({
            let path = path.clone();
            async move {
                let mut s = UnixStream::connect(&path).await.unwrap();
                s.write_all(b"hi").await.unwrap();
            }
        });
        let (mut stream, _) = poll_fn(|cx| listener.poll_accept(cx)).await.unwrap();
        let mut buf = [0u8; 2];
        stream.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");
        client.await.unwrap();

        let std_stream = stream.into_std().unwrap();
        let stream = UnixStream::from_std(std_stream).unwrap();
        assert!(stream.take_error().unwrap().is_none());
        let std_listener = listener.into_std().unwrap();
        assert_eq!(std_listener.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    });
}

#[test]
fn many_tasks_accept_on_one_listener() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let path = dir.join("many.sock");
        let listener = Arc::new(UnixListener::bind(&path).unwrap());
        let acceptors: Vec<_> = (0..4)
            .map(|_| {
                let listener = listener.clone();
                rt_sched::spawn(async move {
                    let (mut s, _) = listener.accept().await.unwrap();
                    s.write_all(b"!").await.unwrap();
                })
            })
            .collect();
        for _ in 0..4 {
            let mut c = UnixStream::connect(&path).await.unwrap();
            let mut b = [0u8; 1];
            c.read_exact(&mut b).await.unwrap();
        }
        for a in acceptors {
            a.await.unwrap();
        }
    });
}

#[test]
fn datagram_pair() {
    on_each_flavor(|_| async {
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"first").await.unwrap();
        a.send(b"second").await.unwrap();
        let mut buf = [0u8; 16];
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first", "message boundaries are kept");
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
        assert_eq!(b.try_recv(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
        assert!(a.peer_addr().unwrap().is_unnamed());

        retry_would_block(100, || b.try_send(b"try")).await;
        a.readable().await.unwrap();
        let n = retry_would_block(100, || a.try_recv(&mut buf)).await;
        assert_eq!(&buf[..n], b"try");

        poll_fn(|cx| a.poll_send(cx, b"polled")).await.unwrap();
        let n = poll_fn(|cx| b.poll_recv(cx, &mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"polled");
    });
}

#[test]
fn datagram_send_to_and_recv_from_paths() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let server_path = dir.join("server.sock");
        let client_path = dir.join("client.sock");
        let server = Arc::new(UnixDatagram::bind(&server_path).unwrap());
        let client = UnixDatagram::bind(&client_path).unwrap();
        assert_eq!(server.local_addr().unwrap().as_pathname(), Some(server_path.as_path()));

        let echo = rt_sched::spawn({
            let server = server.clone();
            async move {
                let mut buf = [0u8; 64];
                for _ in 0..2 {
                    let (n, from) = server.recv_from(&mut buf).await.unwrap();
                    let from = from.as_pathname().expect("a bound sender has a path").to_owned();
                    server.send_to(&buf[..n], &from).await.unwrap();
                }
            }
        });

        for msg in [&b"ping"[..], b"pong"] {
            client.send_to(msg, &server_path).await.unwrap();
            let mut buf = [0u8; 64];
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], msg);
            assert_eq!(from.as_pathname(), Some(server_path.as_path()));
        }
        echo.await.unwrap();

        let err = client.send_to(b"x", dir.join("nobody.sock")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    });
}

#[test]
fn datagram_unbound_connect_and_shutdown() {
    on_each_flavor(|_| async {
        let dir = TempDir::new();
        let server_path = dir.join("dgram.sock");
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        assert!(client.local_addr().unwrap().is_unnamed());
        assert_eq!(client.peer_addr().unwrap_err().kind(), ErrorKind::NotConnected);

        client.connect(&server_path).unwrap();
        client.send(b"unbound").await.unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"unbound");
        assert!(from.is_unnamed());

        retry_would_block(100, || client.try_send_to(b"to path", &server_path)).await;
        server.readable().await.unwrap();
        let (n, _) = retry_would_block(100, || server.try_recv_from(&mut buf)).await;
        assert_eq!(&buf[..n], b"to path");

        client.shutdown(Shutdown::Write).unwrap();
        assert!(client.send(b"after shutdown").await.is_err());

        let std_socket = server.into_std().unwrap();
        let server = UnixDatagram::from_std(std_socket).unwrap();
        assert!(server.take_error().unwrap().is_none());
    });
}

#[test]
fn outside_a_runtime_construction_fails_instead_of_panicking() {
    let err = UnixStream::pair().unwrap_err();
    assert!(err.to_string().contains("reactor"), "{err}");
    assert!(UnixDatagram::pair().is_err());
}

#[test]
fn unix_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<UnixListener>();
    assert_send_sync::<UnixStream>();
    assert_send_sync::<UnixDatagram>();
    assert_send_sync::<OwnedReadHalf>();
    assert_send_sync::<OwnedWriteHalf>();
    assert_send_sync::<rt_net::net::unix::ReadHalf<'static>>();
    assert_send_sync::<rt_net::net::unix::WriteHalf<'static>>();
}
