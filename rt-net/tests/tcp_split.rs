//! Borrowed and owned halves of a `TcpStream`: concurrent reading and writing, the
//! write half's shutdown, `reunite`.

mod support;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::net::tcp::{ReadHalf, WriteHalf};
use rt_net::net::TcpStream;
use support::tcp::{each_flavor, pair};

#[test]
fn split_reads_and_writes_at_once() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, mut server) = pair().await;
            let echo = rt_sched::spawn(async move {
                let (mut r, mut w) = TcpStream::split(&mut server);
                assert_eq!(r.peer_addr().unwrap(), w.peer_addr().unwrap());
                futures::io::copy(&mut r, &mut w).await.unwrap()
            });
            let data = vec![9u8; 1 << 20];
            let (mut r, mut w) = TcpStream::split(&mut client);
            let write = async {
                w.write_all(&data).await.unwrap();
                w.close().await.unwrap();
            };
            let mut back = Vec::new();
            let ((), n) = futures::join!(write, r.read_to_end(&mut back));
            // The echo task ends when it reads end-of-file; it does not close, so the
            // client's read ends when the server stream is dropped with the task.
            assert_eq!(n.unwrap(), data.len());
            assert_eq!(back, data);
            assert_eq!(echo.await.unwrap(), data.len() as u64);
        });
    });
}

/// What `TcpStream::split`'s docs say about method resolution, checked by the compiler
/// (this file has `futures::io::AsyncReadExt` in scope): `stream.split()` on a value is
/// the trait's lock-based split, while `TcpStream::split(&mut stream)` and
/// `(&mut stream).split()` are the borrowed split of this crate.
#[test]
fn with_async_read_ext_in_scope_only_split_on_a_value_is_the_trait_s() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (mut client, _server) = pair().await;
            let (_r, _w): (ReadHalf<'_>, WriteHalf<'_>) = TcpStream::split(&mut client);
            // Clippy suggests dropping the `&mut`, which would pick the trait's split: the
            // point of this line.
            #[allow(clippy::needless_borrow)]
            let (_r, _w): (ReadHalf<'_>, WriteHalf<'_>) = (&mut client).split();
            let (r, w): (futures::io::ReadHalf<TcpStream>, futures::io::WriteHalf<TcpStream>) = client.split();
            let _client: TcpStream = r.reunite(w).unwrap();
        });
    });
}

#[test]
fn owned_halves_on_different_tasks() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, mut server) = pair().await;
            let (mut read, mut write) = client.into_split();
            let writer = rt_sched::spawn(async move {
                write.write_all(b"from the write half").await.unwrap();
                write
            });
            let mut buf = [0; 19];
            server.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"from the write half");
            let write = writer.await.unwrap();

            server.write_all(b"to the read half").await.unwrap();
            let reader = rt_sched::spawn(async move {
                let mut buf = [0; 16];
                read.read_exact(&mut buf).await.unwrap();
                assert_eq!(&buf, b"to the read half");
                read
            });
            let read = reader.await.unwrap();

            // Reunited, the stream works as before.
            let mut stream = read.reunite(write).expect("halves of one stream");
            stream.write_all(b"!").await.unwrap();
            server.read_exact(&mut buf[..1]).await.unwrap();
            assert_eq!(buf[0], b'!');
        });
    });
}

#[test]
fn dropping_the_owned_write_half_shuts_down_writing() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, mut server) = pair().await;
            let (mut read, write) = client.into_split();
            drop(write);
            let mut got = Vec::new();
            server.read_to_end(&mut got).await.unwrap();
            assert!(got.is_empty(), "the peer reads end-of-file");

            // The read direction still works.
            server.write_all(b"still here").await.unwrap();
            let mut buf = [0; 10];
            read.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"still here");
        });
    });
}

#[test]
fn forgetting_the_owned_write_half_does_not_shut_down() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (client, mut server) = pair().await;
            let (mut read, write) = client.into_split();
            write.forget();
            server.write_all(b"x").await.unwrap();
            let mut buf = [0; 1];
            read.read_exact(&mut buf).await.unwrap();
            // Had the write direction been shut down, end-of-file would be there by now.
            rt_core::time::sleep(std::time::Duration::from_millis(50)).await;
            let err = server
                .try_read(&mut buf)
                .expect_err("no end-of-file: the write direction is open");
            assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
            drop(read);
        });
    });
}

#[test]
fn reunite_refuses_halves_of_different_streams() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (a, _a_peer) = pair().await;
            let (b, _b_peer) = pair().await;
            let (a_read, a_write) = a.into_split();
            let (b_read, b_write) = b.into_split();
            let err = a_read.reunite(b_write).unwrap_err();
            assert!(err.to_string().contains("not from the same socket"), "{err}");
            let rt_net::net::tcp::ReuniteError(a_read, b_write) = err;
            assert!(a_read.reunite(a_write).is_ok());
            assert!(b_write.reunite(b_read).is_ok());
        });
    });
}
