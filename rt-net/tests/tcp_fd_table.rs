//! The descriptor table is grown ahead of need, off the accepting thread: a listener
//! makes room for twice its backlog as soon as it listens, and a stream whose
//! descriptor reaches half the table has it grown further. (Otherwise Linux grows the
//! table inside the `accept(2)` that needs the slot, and in a multithreaded process
//! that call waits for an RCU grace period, 5 to 30 ms on a busy machine, while the
//! listen queue overflows.)
//!
//! The only test in its binary: it watches the whole process's table (`FDSize` of
//! `/proc/self/status`) and raises `RLIMIT_NOFILE`.
#![cfg(target_os = "linux")]

mod support;

use std::time::{Duration, Instant};

use rt_net::net::{TcpListener, TcpStream};
use support::tcp::{any_local, raise_nofile, runtime};
use support::{watchdog, Flavor};

/// The size of this process's descriptor table.
fn fd_table_size() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("reading /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("FDSize:"))
        .and_then(|size| size.trim().parse().ok())
        .expect("an FDSize line")
}

/// Waits (a blocking-pool thread does the growing) until the table holds `want` slots.
fn wait_for_table(want: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while fd_table_size() < want {
        assert!(
            Instant::now() < deadline,
            "the descriptor table has {} slots, want {want}",
            fd_table_size()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn listening_and_accepting_grow_the_descriptor_table_ahead() {
    watchdog(|| {
        let limit = raise_nofile(1 << 14);
        if limit < 1 << 14 {
            println!("skipped: the open-file limit cannot be raised to 16384 (it is {limit})");
            return;
        }
        let initial = fd_table_size();
        assert!(initial < 1024, "the table starts small ({initial} slots)");
        let rt = runtime(Flavor::MultiThread);
        rt.block_on(async {
            // The default backlog (1,024): room for 2,048 more descriptors.
            let listener = TcpListener::bind(any_local()).await.expect("bind");
            wait_for_table(2048);
            // Fill descriptors past half of what is known (4,096 slots at least), then
            // accept one more: the table grows to four times its power of two.
            let addr = listener.local_addr().expect("local_addr");
            let filler: Vec<_> = (0..2100)
                .map(|_| std::net::UdpSocket::bind("127.0.0.1:0").expect("filler socket"))
                .collect();
            let client = std::net::TcpStream::connect(addr).expect("connect");
            let (stream, _) = listener.accept().await.expect("accept");
            let fd = std::os::fd::AsRawFd::as_raw_fd(&stream);
            assert!(fd >= 2048, "the accepted descriptor is {fd}");
            wait_for_table(4 * 4096);
            drop((stream, client, filler));
            // Streams created outside the burst path too (connect) are covered.
            let _ = TcpStream::connect(addr).await.expect("connect");
        });
    });
}
