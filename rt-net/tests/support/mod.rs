//! Helpers shared by the `tcp_*.rs` integration tests: runtimes of each flavour (from
//! `rt-sched/tests/support`), a watchdog that turns a hang into a failure, loopback
//! listeners and connected pairs, and the process's file-descriptor limit.

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

use std::any::Any;
use std::io;
use std::net::SocketAddr;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use rt_net::net::{TcpListener, TcpStream};
use rt_sched::{Builder, Runtime};

/// The two scheduler flavours, as the tests name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// `Builder::new_current_thread()`.
    CurrentThread,
    /// `Builder::new_multi_thread().worker_threads(2)`.
    MultiThread,
}

impl Flavor {
    /// Both flavours, current-thread first.
    pub(crate) const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

    /// A fresh runtime of this flavour with every driver enabled.
    pub(crate) fn runtime(self) -> Runtime {
        match self {
            Flavor::CurrentThread => Builder::new_current_thread().enable_all().build(),
            Flavor::MultiThread => Builder::new_multi_thread().worker_threads(2).enable_all().build(),
        }
        .expect("building a runtime")
    }
}

/// How long a test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG_SECS: u64 = 30;

/// Runs `body` once per flavour on a fresh runtime, each under the [`watchdog`], and
/// fails naming every flavour that failed (both run even when the first fails).
pub(crate) fn each_flavor(body: impl Fn(Flavor, Runtime) + Send + Sync + 'static) {
    let body = Arc::new(body);
    let mut failed = Vec::new();
    for flavor in Flavor::ALL {
        let body = body.clone();
        let run = move || watchdog(WATCHDOG_SECS, move || body(flavor, flavor.runtime()));
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(run)) {
            failed.push(format!("{flavor:?}: {}", panic_message(&*payload)));
        }
    }
    assert!(failed.is_empty(), "failed on: {}", failed.join(" | "));
}

/// Runs `body` on a fresh thread and fails if it has not finished after `secs`
/// seconds, so that a hang fails the test instead of blocking the whole run. A panic
/// in `body` is re-raised here. A hung body is left behind (its thread is detached).
#[track_caller]
pub(crate) fn watchdog<R: Send + 'static>(secs: u64, body: impl FnOnce() -> R + Send + 'static) -> R {
    let name = std::thread::current().name().unwrap_or("test").to_string();
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(format!("{name}-body"))
        .spawn(move || {
            let out = panic::catch_unwind(AssertUnwindSafe(body));
            let _ = tx.send(out);
        })
        .expect("starting the test body thread");
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(Ok(out)) => {
            let _ = thread.join();
            out
        }
        Ok(Err(payload)) => {
            let _ = thread.join();
            panic::resume_unwind(payload)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("HANG: `{name}` did not finish within {secs} s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the body thread always sends"),
    }
}

/// The message of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
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
