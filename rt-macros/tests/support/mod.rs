//! A stand-in for the `rt_sched` API the macros generate calls to.
//!
//! `Builder` records what the generated code asked for, and `Runtime::block_on` runs the
//! future on the calling thread while [`current`] reports that configuration, so a test
//! body can check which runtime it is running in. Scheduling is not simulated: the
//! macros only decide which builder calls are made.

use std::cell::Cell;
use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

/// The runtime flavor a `Builder` was created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    CurrentThread,
    MultiThread,
}

/// Everything the generated builder chain configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Config {
    pub(crate) flavor: Flavor,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) enabled_all: bool,
}

impl Config {
    pub(crate) fn new(flavor: Flavor, worker_threads: Option<usize>) -> Config {
        Config {
            flavor,
            worker_threads,
            enabled_all: true,
        }
    }
}

thread_local! {
    static CURRENT: Cell<Option<Config>> = const { Cell::new(None) };
}

/// The configuration of the runtime blocking on the calling thread, if any.
pub(crate) fn current() -> Option<Config> {
    CURRENT.with(Cell::get)
}

/// Mirrors `rt_sched::Builder`: `&mut self` methods, like tokio's.
#[derive(Debug)]
pub(crate) struct Builder {
    config: Config,
}

impl Builder {
    pub(crate) fn new_multi_thread() -> Builder {
        Builder::new(Flavor::MultiThread)
    }

    pub(crate) fn new_current_thread() -> Builder {
        Builder::new(Flavor::CurrentThread)
    }

    fn new(flavor: Flavor) -> Builder {
        let config = Config {
            flavor,
            worker_threads: None,
            enabled_all: false,
        };
        Builder { config }
    }

    pub(crate) fn worker_threads(&mut self, threads: usize) -> &mut Builder {
        self.config.worker_threads = Some(threads);
        self
    }

    pub(crate) fn enable_all(&mut self) -> &mut Builder {
        self.config.enabled_all = true;
        self
    }

    pub(crate) fn build(&mut self) -> io::Result<Runtime> {
        Ok(Runtime { config: self.config })
    }
}

/// Mirrors `rt_sched::Runtime::block_on`, polling on the calling thread.
#[derive(Debug)]
pub(crate) struct Runtime {
    config: Config,
}

impl Runtime {
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        let previous = CURRENT.with(|current| current.replace(Some(self.config)));
        let _restore = Restore(previous);
        let mut future = pin!(future);
        let waker = Waker::from(Arc::new(Unpark(thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            match future.as_mut().poll(&mut cx) {
                Poll::Ready(output) => return output,
                Poll::Pending => thread::park(),
            }
        }
    }
}

/// Puts back the previous `CURRENT` value, even when the future panics.
struct Restore(Option<Config>);

impl Drop for Restore {
    fn drop(&mut self) {
        CURRENT.with(|current| current.set(self.0));
    }
}

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Returns `Pending` once (after waking itself), so `block_on` has to park and re-poll.
pub(crate) async fn yield_now() {
    struct YieldNow(bool);

    impl Future for YieldNow {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    YieldNow(false).await;
}
