//! Helpers of the UDP, Unix-socket and signal tests: runtimes of each flavour under a
//! watchdog, a temporary directory for socket paths, and polling helpers.
//!
//! (Separate from `tests/support/`, which the TCP and fs tests share; the flavours, the
//! watchdog and the temporary directory come from files there.)

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

#[path = "../support/flavor.rs"]
mod flavor;
#[path = "../support/temp.rs"]
mod temp;
#[path = "../support/watchdog.rs"]
mod watchdog;

use std::future::Future;
use std::ops::Deref;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

use rt_sched::Runtime;

pub(crate) use flavor::Flavor;
pub(crate) use watchdog::{panic_message, run as watchdog};

/// How long one test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(30);

impl Flavor {
    /// A fresh runtime of this flavour with I/O and time (two workers for the
    /// multi-thread one).
    pub(crate) fn runtime(self) -> Runtime {
        self.builder().enable_all().build().expect("building the runtime")
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

/// A fresh directory under the system temp dir (short path: socket paths are limited
/// to about 100 bytes), removed with its contents on drop.
#[derive(Debug)]
pub(crate) struct TempDir(temp::TempDir);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        TempDir(temp::TempDir::new("uds"))
    }
}

impl Deref for TempDir {
    type Target = temp::TempDir;

    fn deref(&self) -> &temp::TempDir {
        &self.0
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
