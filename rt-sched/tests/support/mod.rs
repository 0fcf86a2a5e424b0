//! Helpers shared by the `rt_*.rs` integration tests: runtimes of each flavour, a
//! watchdog that turns a hang into a failure, drop counters and polling with a deadline.

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

use std::any::Any;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

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

    /// A fresh runtime of this flavour (two workers for the multi-thread one).
    pub(crate) fn runtime(self) -> Runtime {
        match self {
            Flavor::CurrentThread => current_thread(),
            Flavor::MultiThread => multi_thread(2),
        }
    }
}

/// A current-thread runtime with every driver enabled.
pub(crate) fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("building a current-thread runtime")
}

/// A multi-thread runtime with `workers` worker threads.
pub(crate) fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("building a multi-thread runtime")
}

/// How long a test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG_SECS: u64 = 20;

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

/// Like [`each_flavor`], with one worker on the multi-thread runtime, so that tasks
/// compete for a single thread on both flavours.
pub(crate) fn each_single_worker(body: impl Fn(Flavor, Runtime) + Send + Sync + 'static) {
    let body = Arc::new(body);
    let mut failed = Vec::new();
    for flavor in Flavor::ALL {
        let body = body.clone();
        let run = move || {
            watchdog(WATCHDOG_SECS, move || {
                let rt = match flavor {
                    Flavor::CurrentThread => current_thread(),
                    Flavor::MultiThread => multi_thread(1),
                };
                body(flavor, rt)
            })
        };
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
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("HANG: `{name}` did not finish within {secs} s")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the body thread always sends"),
    }
}

/// Polls `cond` every millisecond until it holds or `timeout` passes; returns whether
/// it held.
pub(crate) fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Yields to the scheduler until `cond` holds; panics after `timeout`.
pub(crate) async fn yield_until(timeout: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        rt_sched::task::yield_now().await;
    }
}

/// A shared counter, typically of drops.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub(crate) fn new() -> Counter {
        Counter::default()
    }

    pub(crate) fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    pub(crate) fn incr(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }

    /// A value that bumps this counter when it is dropped.
    pub(crate) fn guard(&self) -> DropGuard {
        DropGuard(self.clone())
    }

    /// A future that parks forever and bumps this counter when it is dropped.
    pub(crate) fn pending_forever(&self) -> impl Future<Output = ()> + Send + 'static {
        let guard = self.guard();
        async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }
    }
}

/// Bumps its [`Counter`] when dropped.
#[derive(Debug)]
pub(crate) struct DropGuard(Counter);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.incr();
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

/// Runs `f`, expecting it to panic; returns the panic message.
#[track_caller]
pub(crate) fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => panic_message(&*payload),
    }
}
