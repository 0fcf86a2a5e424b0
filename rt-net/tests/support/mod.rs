//! Helpers shared by the rt-net integration tests: runtimes of each flavour under a
//! watchdog, temporary directories, and an in-memory duplex pipe; [`tcp`] for the
//! socket tests.

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

pub(crate) mod duplex;
pub(crate) mod tcp;
pub(crate) mod temp;

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use rt_sched::{Builder, Runtime};

/// How long one test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(60);

/// The two scheduler flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

impl Flavor {
    pub(crate) const ALL: [Flavor; 2] = [Flavor::CurrentThread, Flavor::MultiThread];

    /// A fresh runtime of this flavour (two workers for the multi-thread one).
    pub(crate) fn runtime(self) -> Runtime {
        let mut builder = match self {
            Flavor::CurrentThread => Builder::new_current_thread(),
            Flavor::MultiThread => {
                let mut builder = Builder::new_multi_thread();
                builder.worker_threads(2);
                builder
            }
        };
        builder.build().expect("runtime")
    }
}

/// Runs the future made by `make` on a fresh runtime of each flavour, each on its own
/// thread under the watchdog: a hang fails the test instead of blocking the suite.
pub(crate) fn each_flavor<F, Fut>(make: F)
where
    F: Fn(Flavor) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()>,
{
    for flavor in Flavor::ALL {
        let make = make.clone();
        watchdog(move || flavor.runtime().block_on(make(flavor)));
    }
}

/// Runs `body` on a new thread; fails if it panics or takes longer than [`WATCHDOG`].
pub(crate) fn watchdog(body: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(()) => thread.join().expect("test thread"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: re-raise its panic here.
            if let Err(panic) = thread.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("test hung for {WATCHDOG:?}"),
    }
}
