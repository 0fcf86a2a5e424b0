//! A `UnixListener` that runs out of file descriptors keeps serving: `accept` backs off
//! instead of spinning on `EMFILE`, the connections it has keep working, and it accepts
//! again once descriptors are free. The pauses run on the timer when the runtime has
//! time enabled (no blocking-pool thread is started), on the blocking pool otherwise.
//!
//! The only test in its binary: it exhausts the process's descriptors, which would break
//! any test running beside it.

mod support_uds;

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::time::Duration;

use futures::future::poll_fn;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::{UnixListener, UnixStream};
use rt_sched::{Builder, Runtime};
use support_uds::{watchdog, TempDir};

/// Connections served before descriptors run out.
const HELD: usize = 4;
/// Connections that arrive while the process is out of descriptors.
const PENDING: usize = 4;
/// How long the listener sits on `EMFILE` while its CPU use is measured.
const STARVED: Duration = Duration::from_millis(1000);
/// The CPU the whole process may use meanwhile: a spinning accept loop burns about
/// `STARVED` (one busy worker).
const CPU_BUDGET: Duration = Duration::from_millis(250);

/// Builds one of the runtimes the scenario runs on.
type MakeRuntime = fn() -> Runtime;

/// How the server accepts.
#[derive(Clone, Copy, Debug)]
enum Accept {
    /// `UnixListener::accept().await`.
    Async,
    /// `poll_fn(|cx| listener.poll_accept(cx))`.
    Poll,
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
    fn check(self, runtime: &rt_sched::Handle) {
        let threads = runtime.metrics().num_blocking_threads();
        match self {
            Pauses::OnTimer => assert_eq!(threads, 0, "a pause ran on the blocking pool"),
            // Idle pool threads live for 10 s, longer than the scenario's starved phase.
            Pauses::OnBlockingPool => assert!(threads > 0, "no pause ran on the blocking pool"),
        }
    }
}

#[test]
fn unix_listener_under_an_fd_limit_keeps_serving() {
    let multi_thread: MakeRuntime = || {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    };
    let current_thread: MakeRuntime = || Builder::new_current_thread().enable_all().build().unwrap();
    let io_only: MakeRuntime = || {
        Builder::new_multi_thread()
            .worker_threads(2)
            .enable_io()
            .build()
            .unwrap()
    };
    let current_thread_io_only: MakeRuntime = || Builder::new_current_thread().enable_io().build().unwrap();
    let variants: [(&str, MakeRuntime, Accept, Pauses); 5] = [
        ("multi-thread", multi_thread, Accept::Async, Pauses::OnTimer),
        ("current-thread", current_thread, Accept::Async, Pauses::OnTimer),
        ("multi-thread, I/O only", io_only, Accept::Async, Pauses::OnBlockingPool),
        (
            "current-thread, poll_accept",
            current_thread,
            Accept::Poll,
            Pauses::OnTimer,
        ),
        (
            "current-thread, I/O only, poll_accept",
            current_thread_io_only,
            Accept::Poll,
            Pauses::OnBlockingPool,
        ),
    ];
    for (name, runtime, accept, pauses) in variants {
        println!("--- {name}");
        watchdog(Duration::from_secs(60), move || scenario(runtime(), accept, pauses));
    }
}

/// Echoes each byte back until end-of-stream.
async fn echo(mut stream: UnixStream) {
    let mut b = [0u8; 1];
    while let Ok(1) = stream.read(&mut b).await {
        if stream.write_all(&b).await.is_err() {
            return;
        }
    }
}

/// Sends a byte on a blocking client and expects it back.
fn ping(client: &mut StdUnixStream, byte: u8) {
    client.write_all(&[byte]).expect("ping");
    let mut b = [0u8; 1];
    client.read_exact(&mut b).expect("pong");
    assert_eq!(b[0], byte);
}

/// Serves on `rt` while blocking clients on another thread run [`clients`]: the test
/// thread drives the runtime (a current-thread runtime runs tasks only in `block_on`).
fn scenario(rt: Runtime, accept: Accept, pauses: Pauses) {
    let dir = TempDir::new();
    let path = dir.join("limit.sock");
    let listener = rt.block_on(async { UnixListener::bind(&path) }).unwrap();
    let server = rt.spawn(async move {
        loop {
            let accepted = match accept {
                Accept::Async => listener.accept().await,
                Accept::Poll => poll_fn(|cx| listener.poll_accept(cx)).await,
            };
            let (stream, _) = accepted.expect("accept never fails on EMFILE");
            rt_sched::spawn(echo(stream));
        }
    });
    let (done_tx, done_rx) = rt_core::sync::oneshot::channel::<()>();
    let runtime = rt.handle().clone();
    let clients = std::thread::spawn(move || {
        let _done = done_tx; // dropped (waking the runtime) when the clients finish or panic
        clients(&path, || pauses.check(&runtime));
    });
    let _ = rt.block_on(done_rx);
    server.abort();
    if let Err(panic) = clients.join() {
        std::panic::resume_unwind(panic);
    }
}

/// The client side: connections served, then starved of descriptors, then served again.
/// `check_pauses` runs after the starved phase.
fn clients(path: &std::path::Path, check_pauses: impl FnOnce()) {
    let path = path.to_owned();
    let mut held: Vec<StdUnixStream> = (0..HELD).map(|_| StdUnixStream::connect(&path).unwrap()).collect();
    for (i, c) in held.iter_mut().enumerate() {
        ping(c, i as u8);
    }
    // Client sockets for later, created while descriptors are still free.
    let mut pending: Vec<socket2::Socket> = (0..PENDING).map(|_| unix_socket()).collect();

    let fill = exhaust_descriptors();
    let addr = socket2::SockAddr::unix(&path).unwrap();
    for c in &pending {
        c.connect(&addr).expect("connect lands in the backlog");
        (&*c).write_all(b"p").unwrap();
    }

    let before = process_cpu_time();
    std::thread::sleep(STARVED);
    let used = process_cpu_time() - before;
    assert!(
        used < CPU_BUDGET,
        "accept spun on EMFILE: {used:?} of CPU in {STARVED:?}"
    );
    check_pauses();

    for (i, c) in held.iter_mut().enumerate() {
        ping(c, 100 + i as u8);
    }

    drop(fill);
    for c in &mut pending {
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut b = [0u8; 1];
        (&*c)
            .read_exact(&mut b)
            .expect("a pending connection is served once descriptors are free");
        assert_eq!(&b, b"p");
    }
}

fn unix_socket() -> socket2::Socket {
    socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap()
}

/// Lowers the soft descriptor limit to just above what is open and opens files until
/// none is left; dropping the result closes them and restores the limit.
fn exhaust_descriptors() -> Filler {
    let old = nofile_limit();
    let highest = std::fs::read_dir("/proc/self/fd")
        .map(|dir| {
            dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
                .max()
                .unwrap_or(64)
        })
        .unwrap_or(1024);
    set_nofile_soft((highest + 16).min(old.rlim_max));
    let mut files = Vec::new();
    while let Ok(f) = File::open("/dev/null") {
        files.push(f);
    }
    Filler { files, old }
}

struct Filler {
    files: Vec<File>,
    old: libc::rlimit,
}

impl Drop for Filler {
    fn drop(&mut self) {
        self.files.clear();
        set_nofile_soft(self.old.rlim_cur);
    }
}

fn nofile_limit() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) }, 0);
    limit
}

fn set_nofile_soft(soft: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: nofile_limit().rlim_max,
    };
    // SAFETY: `limit` is a valid rlimit; lowering (or restoring) the soft limit below the
    // hard one is always permitted.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// User plus system CPU time of the whole process.
fn process_cpu_time() -> Duration {
    // SAFETY: all-zeroes is a valid rusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) }, 0);
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
