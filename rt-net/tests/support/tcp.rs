//! Helpers of the `tcp_*.rs` tests: runtimes with I/O enabled, loopback listeners and
//! connected pairs, the process's file-descriptor limit and CPU time.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use rt_net::net::{TcpListener, TcpStream};
use rt_sched::{Builder, Runtime};

use super::{watchdog, Flavor};

/// A fresh runtime of `flavor` with every driver enabled (two workers for the
/// multi-thread one).
pub(crate) fn runtime(flavor: Flavor) -> Runtime {
    match flavor {
        Flavor::CurrentThread => Builder::new_current_thread().enable_all().build(),
        Flavor::MultiThread => Builder::new_multi_thread().worker_threads(2).enable_all().build(),
    }
    .expect("building a runtime")
}

/// Runs `body` once per flavour, with a fresh runtime of that flavour, under the
/// [`watchdog`]. The body gets the runtime itself (not only a future to block on) so
/// that it can also test what happens around and after `block_on`.
pub(crate) fn each_flavor(body: impl Fn(Flavor, Runtime) + Send + Sync + Clone + 'static) {
    for flavor in Flavor::ALL {
        println!("--- {flavor:?}");
        let body = body.clone();
        watchdog(move || body(flavor, runtime(flavor)));
    }
}

/// `127.0.0.1:0`: a loopback address on a port the OS picks.
pub(crate) fn any_local() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A listener on a free loopback port (call from inside a runtime).
pub(crate) async fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind(any_local()).await.expect("bind a loopback listener");
    let addr = listener.local_addr().expect("listener address");
    (listener, addr)
}

/// A connected pair `(client, server)` on loopback (call from inside a runtime).
pub(crate) async fn pair() -> (TcpStream, TcpStream) {
    let (listener, addr) = listener().await;
    let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
    let client = client.expect("connect");
    let (server, peer) = accepted.expect("accept");
    assert_eq!(peer, client.local_addr().unwrap());
    (client, server)
}

/// The soft and hard `RLIMIT_NOFILE` of this process.
pub(crate) fn nofile_limit() -> (u64, u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for the duration of the call.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    assert_eq!(rc, 0, "getrlimit: {}", io::Error::last_os_error());
    (lim.rlim_cur, lim.rlim_max)
}

/// Sets the soft `RLIMIT_NOFILE` of this process (the hard limit stays).
pub(crate) fn set_nofile_soft(soft: u64) -> io::Result<()> {
    let (_, hard) = nofile_limit();
    let lim = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `lim` is a valid `rlimit`, only read during the call.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Raises the soft `RLIMIT_NOFILE` to at least `want` (up to the hard limit); returns
/// the soft limit now in force.
pub(crate) fn raise_nofile(want: u64) -> u64 {
    let (soft, hard) = nofile_limit();
    if soft < want {
        let _ = set_nofile_soft(want.min(hard));
    }
    nofile_limit().0
}

/// CPU time (user + system) this process has used so far, all threads.
pub(crate) fn process_cpu_time() -> Duration {
    // SAFETY: `rusage` is plain old data; all-zero is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable `rusage` for the duration of the call.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}
