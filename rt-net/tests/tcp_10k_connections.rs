//! 10,000 concurrent TCP connections on loopback: a server process (this test) and a
//! client process (this test binary again, started by the test), since one process may
//! not hold both ends of 10,000 connections under these machines' open-file cap.
//!
//! The client opens all its connections at once (10,000 concurrent `connect`s on its
//! own runtime), so the server also takes a 10,000-connection accept burst. Each
//! connection echoes one byte, then all of them stay open together until the server
//! has counted them.
//!
//! Skipped, with the reason printed, when either process cannot raise its open-file
//! limit high enough.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::net::TcpStream;
use support::tcp::{listener, raise_nofile};
use support::watchdog;

const CONNS: usize = 10_000;
/// Descriptors a process needs beside its connections (runtime, stdio, test harness).
const SPARE_FDS: u64 = 64;
/// Set in the client process: the server's address.
const CLIENT_ENV: &str = "RT_NET_10K_CLIENT_OF";
/// The prefix of the client process's report line.
const REPORT: &str = "10k-client:";

#[test]
fn ten_thousand_concurrent_connections() {
    if let Ok(addr) = std::env::var(CLIENT_ENV) {
        return client_process(addr.parse().expect("server address"));
    }
    let limit = raise_nofile(CONNS as u64 + SPARE_FDS);
    if limit < CONNS as u64 + SPARE_FDS {
        println!(
            "skipped: RLIMIT_NOFILE is {limit} and cannot be raised to {}",
            CONNS as u64 + SPARE_FDS
        );
        return;
    }
    watchdog(server_process);
}

/// Accepts CONNS connections, echoes a byte on each, and holds them until the client
/// process, which holds them too, is told to finish.
fn server_process() {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (listener, addr) = rt.block_on(listener());
    let open = Arc::new(AtomicUsize::new(0));
    let max_open = Arc::new(AtomicUsize::new(0));
    let rss_before = rss_bytes();
    let server = {
        let (open, max_open) = (open.clone(), max_open.clone());
        rt.spawn(async move {
            for _ in 0..CONNS {
                let (mut stream, _) = listener.accept().await.expect("accept");
                let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                max_open.fetch_max(now, Ordering::SeqCst);
                let open = open.clone();
                rt_sched::spawn(async move {
                    let mut b = [0; 1];
                    if stream.read_exact(&mut b).await.is_ok() && stream.write_all(&b).await.is_ok() {
                        // Hold the connection until the client closes it.
                        let _ = stream.read(&mut b).await;
                    }
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        })
    };

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ten_thousand_concurrent_connections",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CLIENT_ENV, addr.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting the client process");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let report = lines
        .by_ref()
        .map_while(Result::ok)
        // libtest may have printed `test <name> ... ` on the same line.
        .find_map(|line| line.find(REPORT).map(|at| line[at..].to_owned()))
        .expect("the client process ended without a report");
    println!("{report}");
    if report.contains("skipped") {
        child.wait().unwrap();
        return;
    }

    // Every connection is open at both ends now.
    assert_eq!(
        open.load(Ordering::SeqCst),
        CONNS,
        "server-side connections open at once"
    );
    let rss_after = rss_bytes();
    if let (Some(before), Some(after)) = (rss_before, rss_after) {
        let per_conn = after.saturating_sub(before) / CONNS as u64;
        println!("server RSS growth per connection (stream + its echo task): {per_conn} bytes");
    }

    // Let the client close everything; every server task sees it.
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "client process: {status}");
    rt.block_on(async {
        server.await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while open.load(Ordering::SeqCst) > 0 {
            assert!(
                Instant::now() < deadline,
                "{} connections never saw the close",
                open.load(Ordering::SeqCst)
            );
            rt_core::time::sleep(Duration::from_millis(10)).await;
        }
    });
    assert_eq!(max_open.load(Ordering::SeqCst), CONNS);
}

/// The client side: CONNS connections opened at once, one byte echoed on each, all
/// held until stdin closes.
fn client_process(addr: SocketAddr) {
    let limit = raise_nofile(CONNS as u64 + SPARE_FDS);
    if limit < CONNS as u64 + SPARE_FDS {
        println!("{REPORT} skipped: the client's RLIMIT_NOFILE is {limit}");
        return;
    }
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let start = Instant::now();
    let streams = rt.block_on(async move {
        let tasks: Vec<_> = (0..CONNS)
            .map(|i| {
                rt_sched::spawn(async move {
                    let mut stream = TcpStream::connect(addr)
                        .await
                        .unwrap_or_else(|e| panic!("connection {i}: {e}"));
                    stream.write_all(&[i as u8]).await.unwrap();
                    let mut b = [0; 1];
                    stream.read_exact(&mut b).await.unwrap();
                    assert_eq!(b[0], i as u8);
                    stream
                })
            })
            .collect();
        let mut streams = Vec::with_capacity(CONNS);
        for task in tasks {
            streams.push(task.await.unwrap());
        }
        streams
    });
    let elapsed = start.elapsed();
    println!(
        "{REPORT} {} connections opened and echoed in {elapsed:?}",
        streams.len()
    );
    std::io::stdout().flush().unwrap();
    // Hold them until the server has counted them (it closes our stdin).
    let _ = std::io::stdin().read_line(&mut String::new());
    // Close with a reset: no TIME_WAIT left behind on 10,000 client ports.
    for stream in &streams {
        let _ = stream.set_linger(Some(Duration::ZERO));
    }
    rt.block_on(async move { drop(streams) });
}

/// The resident set size of this process, from `/proc/self/statm`.
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
