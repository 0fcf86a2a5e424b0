//! `Builder`: configures and creates a [`Runtime`].

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{Callback, Runtime, SchedConfig, ThreadConfig, ThreadGroup};
use crate::blocking::BlockingPool;
use crate::park::SharedDriver;
use crate::scheduler::{self, current_thread, multi_thread};

/// Builds a [`Runtime`] with custom settings.
///
/// # Examples
///
/// ```
/// let rt = rt_sched::Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    thread_stack_size: Option<usize>,
    max_blocking_threads: usize,
    keep_alive: Duration,
    on_thread_start: Option<Callback>,
    on_thread_stop: Option<Callback>,
    event_interval: u32,
    global_queue_interval: Option<u32>,
    enable_io: bool,
    enable_time: bool,
    start_paused: bool,
    max_io_events_per_tick: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    CurrentThread,
    MultiThread,
}

impl Builder {
    /// A builder for the work-stealing multi-thread runtime (one worker per CPU by
    /// default).
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    /// A builder for the single-threaded runtime: every task runs on the thread that
    /// calls [`Runtime::block_on`].
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            thread_name: Arc::new(|| "rt-worker".to_string()),
            thread_stack_size: None,
            max_blocking_threads: 512,
            keep_alive: Duration::from_secs(10),
            on_thread_start: None,
            on_thread_stop: None,
            event_interval: 61,
            global_queue_interval: None,
            enable_io: false,
            enable_time: false,
            start_paused: false,
            max_io_events_per_tick: 1024,
        }
    }

    /// The number of worker threads of a multi-thread runtime (default: the number of
    /// CPUs). Ignored by the current-thread runtime. Zero is rejected by `build`.
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        self.worker_threads = Some(n);
        self
    }

    /// The name of every thread the runtime starts (default `"rt-worker"`).
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name: String = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// Names threads with a function, e.g. to number them.
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = Arc::new(f);
        self
    }

    /// The stack size of every thread the runtime starts (default: the platform's).
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Self {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// The most threads the blocking pool may run at once (default 512). Zero is
    /// rejected by `build`.
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        self.max_blocking_threads = n;
        self
    }

    /// How long an idle blocking thread waits for work before it exits (default 10 s).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = duration;
        self
    }

    /// Runs `f` on every runtime thread as it starts.
    pub fn on_thread_start<F: Fn() + Send + Sync + 'static>(&mut self, f: F) -> &mut Self {
        self.on_thread_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on every runtime thread just before it exits.
    pub fn on_thread_stop<F: Fn() + Send + Sync + 'static>(&mut self, f: F) -> &mut Self {
        self.on_thread_stop = Some(Arc::new(f));
        self
    }

    /// Scheduler ticks between maintenance passes (shutdown checks, metrics and, once
    /// the reactor lands, I/O polling). Default 61. Zero is rejected by `build`.
    pub fn event_interval(&mut self, ticks: u32) -> &mut Self {
        self.event_interval = ticks;
        self
    }

    /// Scheduler ticks between checks of the global queue ahead of local work, so
    /// that it cannot starve. Default 61 (multi-thread) and 31 (current-thread). Zero
    /// is rejected by `build`.
    pub fn global_queue_interval(&mut self, ticks: u32) -> &mut Self {
        self.global_queue_interval = Some(ticks);
        self
    }

    /// Enables the I/O driver: the mio-backed reactor that sockets register with.
    /// Without it, creating a socket on this runtime fails with an error.
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    /// Enables the timer driver (`rt_core::time`: `sleep`, `timeout`, `interval`).
    /// Without it, polling a timer on this runtime panics.
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Starts the clock paused (implies [`enable_time`](Self::enable_time)): time only
    /// moves through `rt_core::time::advance`, or jumps to the next timer when the
    /// runtime has nothing else to do. Only the current-thread runtime supports a
    /// paused clock; `build` rejects it on the multi-thread runtime.
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        if paused {
            self.enable_time = true;
        }
        self
    }

    /// How many I/O events the reactor takes from the OS per poll (default 1024).
    /// Zero is rejected by `build`.
    pub fn max_io_events_per_tick(&mut self, events: usize) -> &mut Self {
        self.max_io_events_per_tick = events;
        self
    }

    /// Enables every driver.
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io().enable_time()
    }

    /// Creates the runtime and starts its worker threads.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when a count or interval was set to zero; the OS error when a
    /// worker thread cannot be started.
    pub fn build(&mut self) -> io::Result<Runtime> {
        let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, format!("{what} must be at least 1"));
        if self.worker_threads == Some(0) {
            return Err(invalid("worker_threads"));
        }
        if self.max_blocking_threads == 0 {
            return Err(invalid("max_blocking_threads"));
        }
        if self.event_interval == 0 {
            return Err(invalid("event_interval"));
        }
        if self.global_queue_interval == Some(0) {
            return Err(invalid("global_queue_interval"));
        }
        if self.max_io_events_per_tick == 0 {
            return Err(invalid("max_io_events_per_tick"));
        }
        if self.start_paused && self.kind == Kind::MultiThread {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "start_paused requires the current-thread runtime",
            ));
        }
        let driver = self.build_driver()?;
        let threads = ThreadConfig {
            name: self.thread_name.clone(),
            stack_size: self.thread_stack_size,
            on_thread_start: self.on_thread_start.clone(),
            on_thread_stop: self.on_thread_stop.clone(),
        };
        let default_gqi = if self.kind == Kind::MultiThread { 61 } else { 31 };
        let config = SchedConfig {
            global_queue_interval: self.global_queue_interval.unwrap_or(default_gqi),
            event_interval: self.event_interval,
        };
        let blocking = BlockingPool::new(threads.clone(), self.max_blocking_threads, self.keep_alive);
        let group = ThreadGroup::default();
        let handle = match self.kind {
            Kind::CurrentThread => scheduler::Handle::CurrentThread(current_thread::Handle::new(
                config,
                blocking.spawner().clone(),
                driver,
            )),
            Kind::MultiThread => {
                let workers = self.worker_threads.unwrap_or_else(default_workers);
                let handle = multi_thread::Handle::new(workers, config, blocking.spawner().clone(), driver);
                if let Err(e) = multi_thread::spawn_workers(&handle, &threads, &group) {
                    handle.shutdown();
                    group.wait(None);
                    handle.finish_shutdown();
                    return Err(e);
                }
                scheduler::Handle::MultiThread(handle)
            }
        };
        Ok(Runtime::from_parts(handle, blocking, group))
    }
}

impl Builder {
    /// The reactor and timer wheel, when either is enabled.
    fn build_driver(&self) -> io::Result<Option<rt_core::loom::sync::Arc<SharedDriver>>> {
        if !self.enable_io && !self.enable_time {
            return Ok(None);
        }
        let config = rt_core::driver::Config {
            enable_io: self.enable_io,
            enable_time: self.enable_time,
            event_capacity: self.max_io_events_per_tick,
            start_paused: self.start_paused,
            allow_pause: self.kind == Kind::CurrentThread,
        };
        let (driver, handle) = rt_core::driver::Driver::new(config)?;
        Ok(Some(SharedDriver::new(driver, handle)))
    }
}

fn default_workers() -> usize {
    static CACHED: AtomicUsize = AtomicUsize::new(0);
    match CACHED.load(Ordering::Relaxed) {
        0 => {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            CACHED.store(n, Ordering::Relaxed);
            n
        }
        n => n,
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_keep_alive", &self.keep_alive)
            .field("event_interval", &self.event_interval)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("enable_io", &self.enable_io)
            .field("enable_time", &self.enable_time)
            .field("start_paused", &self.start_paused)
            .finish_non_exhaustive()
    }
}
