//! `copy_bidirectional` and `copy` over the in-memory duplex pipe of `support`: both
//! directions, end of file and half-close, errors on either side, flushing before a
//! wait, large transfers, and the cooperative budget.
//!
//! Each proxy test wires `client <-> (a) proxy (b) <-> upstream`, with the proxy
//! running `copy_bidirectional(a, b)` in its own task.

mod support;

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use rt_core::task::JoinHandle;
use rt_net::io::{copy, copy_bidirectional, copy_bidirectional_with_sizes, copy_with_size};
use support::duplex::{duplex, DuplexStream, Faults};
use support::{each_flavor, watchdog, Flavor};

struct Proxy {
    client: DuplexStream,
    upstream: DuplexStream,
    /// The proxy's end facing the client.
    a: Faults,
    /// The proxy's end facing upstream.
    b: Faults,
    task: JoinHandle<io::Result<(u64, u64)>>,
}

/// Starts a proxy task between two pipes buffering `cap` bytes each way.
fn proxy(cap: usize, sizes: Option<(usize, usize)>) -> Proxy {
    let (client, mut a) = duplex(cap);
    let (mut b, upstream) = duplex(cap);
    let (fa, fb) = (a.faults(), b.faults());
    let task = rt_sched::spawn(async move {
        match sizes {
            None => copy_bidirectional(&mut a, &mut b).await,
            Some((ab, ba)) => copy_bidirectional_with_sizes(&mut a, &mut b, ab, ba).await,
        }
    });
    Proxy {
        client,
        upstream,
        a: fa,
        b: fb,
        task,
    }
}

async fn read_exactly(stream: &mut DuplexStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0; n];
    stream.read_exact(&mut buf).await.unwrap();
    buf
}

/// Reads to the end in 64 KiB steps (`read_to_end` zero-fills its whole spare capacity
/// on every short read, which makes debug builds crawl on a 1,000-byte pipe).
async fn read_all(stream: &mut (impl AsyncRead + Unpin)) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = vec![0; 64 * 1024];
    loop {
        match stream.read(&mut buf).await.unwrap() {
            0 => return all,
            n => all.extend_from_slice(&buf[..n]),
        }
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i % 253) as u8 ^ seed).collect()
}

#[test]
fn copies_both_ways_and_propagates_half_close() {
    each_flavor(|_| async {
        let Proxy {
            mut client,
            mut upstream,
            a,
            b,
            task,
        } = proxy(64, None);

        client.write_all(b"hello").await.unwrap();
        assert_eq!(read_exactly(&mut upstream, 5).await, b"hello");
        upstream.write_all(b"world!").await.unwrap();
        assert_eq!(read_exactly(&mut client, 6).await, b"world!");

        // The client half-closes: upstream sees EOF, and the proxy closes its write
        // half towards upstream, but not the one towards the client.
        client.close().await.unwrap();
        let mut rest = Vec::new();
        upstream.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert!(b.write_closed(), "write half towards upstream closed");
        assert!(!a.write_closed(), "write half towards the client still open");

        // The other direction keeps flowing after the half-close.
        upstream.write_all(b"late reply").await.unwrap();
        assert_eq!(read_exactly(&mut client, 10).await, b"late reply");
        assert!(!task.is_finished());

        upstream.close().await.unwrap();
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        assert_eq!(task.await.unwrap().unwrap(), (5, 16));
        assert!(a.write_closed());
    });
}

#[test]
fn a_dropped_peer_is_end_of_file() {
    each_flavor(|_| async {
        let Proxy {
            client,
            mut upstream,
            task,
            ..
        } = proxy(64, None);
        drop(client);
        let mut rest = Vec::new();
        upstream.read_to_end(&mut rest).await.unwrap();
        drop(upstream);
        assert_eq!(task.await.unwrap().unwrap(), (0, 0));
    });
}

#[test]
fn a_read_error_on_one_side_ends_the_copy_with_it() {
    each_flavor(|_| async {
        let Proxy {
            mut client,
            mut upstream,
            b,
            task,
            ..
        } = proxy(64, None);
        client.write_all(b"request").await.unwrap();
        assert_eq!(read_exactly(&mut upstream, 7).await, b"request");
        b.fail_reads(io::ErrorKind::ConnectionReset);
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}

#[test]
fn a_write_error_on_one_side_ends_the_copy_with_it() {
    each_flavor(|_| async {
        let Proxy {
            mut upstream, a, task, ..
        } = proxy(64, None);
        a.fail_writes(io::ErrorKind::BrokenPipe);
        upstream.write_all(b"reply").await.unwrap();
        let err = task.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    });
}

#[test]
fn large_transfers_both_ways_at_once() {
    const LEN: usize = 4 * 1024 * 1024 + 17;
    // Pipes much smaller than the copy buffers, and copy buffers smaller than the pipes.
    for (cap, sizes) in [(1000, None), (64 * 1024, Some((7, 1500)))] {
        watchdog(move || {
            Flavor::MultiThread.runtime().block_on(async move {
                let Proxy {
                    client, upstream, task, ..
                } = proxy(cap, sizes);
                let up = pattern(LEN, 0x55);
                let down = pattern(LEN + 1, 0xaa);
                let (mut client_rd, mut client_wr) = client.split();
                let (mut upstream_rd, mut upstream_wr) = upstream.split();

                let (up_c, down_c) = (up.clone(), down.clone());
                let send_up = rt_sched::spawn(async move {
                    client_wr.write_all(&up_c).await.unwrap();
                    client_wr.close().await.unwrap();
                });
                let send_down = rt_sched::spawn(async move {
                    upstream_wr.write_all(&down_c).await.unwrap();
                    upstream_wr.close().await.unwrap();
                });
                let recv_up = rt_sched::spawn(async move { read_all(&mut upstream_rd).await });
                let got_down = read_all(&mut client_rd).await;
                let got_up = recv_up.await.unwrap();
                send_up.await.unwrap();
                send_down.await.unwrap();

                assert!(got_up == up, "client to upstream differs");
                assert!(got_down == down, "upstream to client differs");
                assert_eq!(task.await.unwrap().unwrap(), (LEN as u64, LEN as u64 + 1));
            });
        });
    }
}

#[test]
fn flushes_before_waiting_for_more_to_read() {
    each_flavor(|_| async {
        let (mut client, mut a) = duplex(64);
        let (b, mut upstream) = duplex(64);
        let fb = b.faults();
        // A writer that holds bytes until flushed: without a flush before the proxy
        // waits for the client, "ping" would never reach upstream.
        let mut b = BufWriter::with_capacity(64 * 1024, b);
        let task = rt_sched::spawn(async move { copy_bidirectional(&mut a, &mut b).await });

        client.write_all(b"ping").await.unwrap();
        assert_eq!(read_exactly(&mut upstream, 4).await, b"ping");
        drop(client);
        drop(upstream);
        assert_eq!(task.await.unwrap().unwrap(), (4, 0));
        assert!(fb.flushes() >= 1);
    });
}

#[rt_sched::test]
async fn zero_buffer_sizes_are_invalid_input() {
    let (mut a, mut b) = duplex(8);
    for (ab, ba) in [(0, 8), (8, 0)] {
        let err = copy_bidirectional_with_sizes(&mut a, &mut b, ab, ba).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
    let err = copy_with_size(&mut a, &mut b, 0).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

/// Always ready: reads return zeros, writes swallow everything.
struct Firehose;

impl AsyncRead for Firehose {
    fn poll_read(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        buf.fill(0);
        Poll::Ready(Ok(buf.len()))
    }
}

impl AsyncWrite for Firehose {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn an_endless_copy_does_not_starve_other_tasks() {
    // One thread: if the copies never yielded, nothing else could ever run.
    watchdog(|| {
        Flavor::CurrentThread.runtime().block_on(async {
            let both = rt_sched::spawn(async { copy_bidirectional(&mut Firehose, &mut Firehose).await });
            let one = rt_sched::spawn(async { copy(&mut Firehose, &mut Firehose).await });
            let other = rt_sched::spawn(async { 42 });
            assert_eq!(other.await.unwrap(), 42);
            rt_sched::task::yield_now().await;
            both.abort();
            one.abort();
            assert!(both.await.unwrap_err().is_cancelled());
            assert!(one.await.unwrap_err().is_cancelled());
        });
    });
}

#[rt_sched::test]
async fn copy_moves_everything_and_flushes_without_closing() {
    let data = pattern(100_000, 3);
    let (mut w, mut r) = duplex(1 << 20);
    let fw = w.faults();
    let n = copy(&mut &data[..], &mut w).await.unwrap();
    assert_eq!(n, data.len() as u64);
    assert!(fw.flushes() >= 1);
    assert!(!fw.write_closed());
    drop(w);
    let mut got = Vec::new();
    r.read_to_end(&mut got).await.unwrap();
    assert!(got == data);
}
