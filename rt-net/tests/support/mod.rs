//! Helpers shared by the rt-net integration tests: runtimes of each flavour under a
//! watchdog, temporary directories, and an in-memory duplex pipe; [`tcp`] for the
//! socket tests.

// Every test crate includes this module and uses a different subset of it.
#![allow(dead_code)]

pub(crate) mod duplex;
mod flavor;
pub(crate) mod tcp;
pub(crate) mod temp;
mod watchdog;

use std::future::Future;
use std::time::Duration;

use rt_sched::Runtime;

pub(crate) use flavor::Flavor;

/// How long one test body may run before the watchdog calls it a hang.
pub(crate) const WATCHDOG: Duration = Duration::from_secs(60);

impl Flavor {
    /// A fresh runtime of this flavour (two workers for the multi-thread one).
    pub(crate) fn runtime(self) -> Runtime {
        self.builder().build().expect("runtime")
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
    watchdog::run(WATCHDOG, body)
}
