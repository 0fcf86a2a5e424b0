//! A listener that runs out of file descriptors keeps serving: `accept` backs off
//! instead of spinning on `EMFILE`, the connections it has keep working, and it accepts
//! again once descriptors are freed. The pauses run on the timer when the runtime has
//! time enabled (no blocking-pool thread is started), on the blocking pool otherwise.
//!
//! The only test in its binary: it lowers the process's `RLIMIT_NOFILE`, which would
//! break any test running beside it.

mod support;

use std::fs::File;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::poll_fn;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::net::TcpStream;
use rt_sched::{Builder, Runtime};
use support::tcp::{listener, nofile_limit, process_cpu_time, set_nofile_soft};
use support::watchdog;

/// Connections served before the limit is hit.
const HELD: usize = 8;
/// Connections that arrive while the process is out of descriptors.
const PENDING: usize = 8;
/// How long the listener sits on `EMFILE` while its CPU use is measured.
const STARVED: Duration = Duration::from_secs(1);
/// The CPU the whole process may use meanwhile: a spinning accept loop would use
/// about `STARVED` (one busy worker).
const CPU_BUDGET: Duration = Duration::from_millis(200);

/// How the server accepts.
#[derive(Clone, Copy, Debug)]
enum Accept {
    /// `TcpListener::accept().await`.
    Async,
    /// `poll_fn(|cx| listener.poll_accept(cx))`.
    Poll,
}

#[test]
fn listener_under_an_fd_limit_keeps_serving() {
    let multi_thread = || {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    };
    let current_thread = || Builder::new_current_thread().enable_all().build().unwrap();
    let without_time = || {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .build()
            .unwrap()
    };
    let current_thread_without_time = || Builder::new_current_thread().enable_io().build().unwrap();
    type Variant = (&'static str, fn() -> Runtime, Accept, Pauses);
    let variants: [Variant; 6] = [
        ("multi-thread", multi_thread, Accept::Async, Pauses::OnTimer),
        ("current-thread", current_thread, Accept::Async, Pauses::OnTimer),
        (
            "multi-thread, time not enabled",
            without_time,
            Accept::Async,
            Pauses::OnBlockingPool,
        ),
        (
            "current-thread, poll_accept",
            current_thread,
            Accept::Poll,
            Pauses::OnTimer,
        ),
        ("multi-thread, poll_accept", multi_thread, Accept::Poll, Pauses::OnTimer),
        (
            "current-thread, time not enabled, poll_accept",
            current_thread_without_time,
            Accept::Poll,
            Pauses::OnBlockingPool,
        ),
    ];
    for (name, runtime, accept, pauses) in variants {
        println!("--- {name}");
        watchdog(move || scenario(runtime(), accept, pauses));
    }
}

/// Where the back-off's pauses are expected to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pauses {
    /// On the runtime's timer: no blocking-pool thread is ever started (nothing else in
    /// the scenario uses the pool).
    OnTimer,
    /// On sleeping blocking-pool threads (the runtime has no timer).
    OnBlockingPool,
}

impl Pauses {
    /// `spawned_before`: the pool's spawn count when the descriptors ran out (the
    /// listener may have used the pool before, to grow the descriptor table).
    fn check(self, runtime: &rt_sched::Handle, spawned_before: u64) {
        let spawned = runtime.metrics().spawned_blocking_tasks_count() - spawned_before;
        match self {
            Pauses::OnTimer => assert_eq!(spawned, 0, "a pause ran on the blocking pool"),
            Pauses::OnBlockingPool => assert!(spawned > 0, "no pause ran on the blocking pool"),
        }
    }
}

/// Echoes each byte back until end-of-file (or a reset).
async fn echo(mut stream: TcpStream) {
    let mut b = [0; 1];
    while let Ok(1) = stream.read(&mut b).await {
        if stream.write_all(&b).await.is_err() {
            return;
        }
    }
}

/// Sends a byte on a blocking client and expects it back.
fn ping(client: &mut std::net::TcpStream, byte: u8) {
    client.write_all(&[byte]).expect("ping");
    let mut b = [0; 1];
    client.read_exact(&mut b).expect("pong");
    assert_eq!(b[0], byte);
}

fn blocking_client(stream: std::net::TcpStream) -> std::net::TcpStream {
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream
}

fn wait_for(what: &str, timeout: Duration, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !cond() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn scenario(rt: Runtime, accept: Accept, pauses: Pauses) {
    let (listener, addr): (_, SocketAddr) = rt.block_on(listener());
    let runtime = rt.handle().clone();
    let accepted = Arc::new(AtomicUsize::new(0));
    let (stop, stopped) = futures::channel::oneshot::channel::<()>();
    // The server runs in `block_on` on a thread of its own (a current-thread runtime
    // only runs while something blocks on it), while this thread plays the clients.
    let server = {
        let accepted = accepted.clone();
        std::thread::spawn(move || {
            rt.block_on(async move {
                let accept_loop = async {
                    loop {
                        let accepted_one = match accept {
                            Accept::Async => listener.accept().await,
                            Accept::Poll => poll_fn(|cx| listener.poll_accept(cx)).await,
                        };
                        let (stream, _) = accepted_one.expect("accept must not fail on EMFILE");
                        accepted.fetch_add(1, Ordering::SeqCst);
                        rt_sched::spawn(echo(stream));
                    }
                };
                futures::pin_mut!(accept_loop);
                futures::future::select(accept_loop, stopped).await;
            })
        })
    };

    // 1. Serving: HELD connections, each answering.
    let mut held: Vec<_> = (0..HELD)
        .map(|_| blocking_client(std::net::TcpStream::connect(addr).unwrap()))
        .collect();
    for (i, client) in held.iter_mut().enumerate() {
        ping(client, i as u8);
    }
    assert_eq!(accepted.load(Ordering::SeqCst), HELD);

    // 2. Out of descriptors: the client sockets of the next connections are made
    //    first, then the limit drops to the highest descriptor in use and the holes
    //    below it are filled, so that the server's next accept fails with EMFILE.
    let pending: Vec<socket2::Socket> = (0..PENDING)
        .map(|_| socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap())
        .collect();
    let (soft, _) = nofile_limit();
    // The listener grows the descriptor table on the pool (a duplicate at a high
    // number, closed right after): let that finish first, or its descriptor would be
    // counted as in use below and freed during the starved phase.
    wait_for("the blocking pool to go idle", Duration::from_secs(10), || {
        let m = runtime.metrics();
        m.blocking_queue_depth() == 0 && m.num_idle_blocking_threads() == m.num_blocking_threads()
    });
    let spawned_before = runtime.metrics().spawned_blocking_tasks_count();
    set_nofile_soft(highest_fd() + 1).expect("lowering RLIMIT_NOFILE");
    let mut fillers = Vec::new();
    while let Ok(f) = File::open("/dev/null") {
        fillers.push(f);
    }
    for socket in &pending {
        socket.connect(&addr.into()).expect("the kernel queues the connection");
    }
    std::thread::sleep(Duration::from_millis(100));
    let cpu_before = process_cpu_time();
    std::thread::sleep(STARVED);
    let cpu = process_cpu_time() - cpu_before;
    println!(
        "CPU used in {STARVED:?} on EMFILE: {cpu:?} (fillers: {})",
        fillers.len()
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        HELD,
        "no descriptor was free to accept with"
    );
    assert!(!server.is_finished(), "the accept loop must keep running");
    assert!(
        cpu < CPU_BUDGET,
        "the accept loop spins on EMFILE: {cpu:?} of CPU in {STARVED:?}"
    );
    pauses.check(&runtime, spawned_before);

    // The connections it has are still served.
    for (i, client) in held.iter_mut().enumerate() {
        ping(client, 100 + i as u8);
    }

    // 3. Descriptors freed: the queued connections are accepted and served.
    drop(fillers);
    drop(held);
    wait_for("the queued connections to be accepted", Duration::from_secs(10), || {
        accepted.load(Ordering::SeqCst) == HELD + PENDING
    });
    for (i, socket) in pending.into_iter().enumerate() {
        let mut client = blocking_client(socket.into());
        ping(&mut client, 200 + i as u8);
    }
    set_nofile_soft(soft).expect("restoring RLIMIT_NOFILE");
    stop.send(()).unwrap();
    server.join().expect("the server thread");
}

/// The highest file descriptor open in this process.
fn highest_fd() -> u64 {
    std::fs::read_dir("/proc/self/fd")
        .expect("listing /proc/self/fd")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
        .max()
        .expect("some descriptor is open")
}
