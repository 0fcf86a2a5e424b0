//! Helpers of the UDP, Unix-socket and signal tests: runtimes of each flavour under a
//! watchdog, a temporary directory for socket paths, and polling helpers.
//!
//! (Separate from `tests/support/`, which the TCP and fs tests share.)

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rt_sched::{Builder, Runtime};

/// How long one test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(30);

/// The two scheduler flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    pub(crate) const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

    /// A fresh runtime of this flavour with I/O and time (two workers for the
    /// multi-thread one).
    pub(crate) fn runtime(self) -> Runtime {
        match self {
            Flavor::CurrentThread => Builder::new_current_thread().enable_all().build(),
            Flavor::MultiThread => Builder::new_multi_thread().worker_threads(2).enable_all().build(),
        }
        .expect("building the runtime")
    }
}

/// Runs the future made by `make` on a fresh runtime of each flavour, each under the
/// [`watchdog`]; fails naming every flavour that failed (both run).
pub(crate) fn on_each_flavor<F, Fut>(make: F)
where
    F: Fn(Flavor) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()>,
{
    let mut failed = Vec::new();
    for flavor in Flavor::ALL {
        let make = make.clone();
        let run = move || watchdog(WATCHDOG, move || flavor.runtime().block_on(make(flavor)));
        if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(run)) {
            failed.push(format!("{flavor:?}: {}", panic_message(&*payload)));
        }
    }
    assert!(failed.is_empty(), "failed on: {}", failed.join(" | "));
}

/// Runs `body` on a fresh thread; fails if it has not finished after `limit`, so that a
/// hang fails the test instead of blocking the suite. A panic in `body` is re-raised.
#[track_caller]
pub(crate) fn watchdog<R: Send + 'static>(limit: Duration, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(body)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => {
            let _ = thread.join();
            out
        }
        Ok(Err(payload)) => {
            let _ = thread.join();
            panic::resume_unwind(payload)
        }
        Err(_) => panic!("HANG: the test body did not finish within {limit:?}"),
    }
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// A fresh directory under the system temp dir (short path: socket paths are limited
/// to about 100 bytes), removed with its contents on drop.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("rt-uds-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("creating a temp dir");
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// `name` inside the directory.
    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Retries `op` while it fails with `WouldBlock`, yielding in between, at most `tries`
/// times: readiness can be spurious, so a `try_*` after `readable()` may still block.
pub(crate) async fn retry_would_block<T>(tries: usize, mut op: impl FnMut() -> std::io::Result<T>) -> T {
    for _ in 0..tries {
        match op() {
            Ok(v) => return v,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => rt_sched::task::yield_now().await,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    panic!("still WouldBlock after {tries} tries")
}
