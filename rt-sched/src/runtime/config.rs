//! Settings shared by the schedulers and the blocking pool.

use std::fmt;
use std::io;
use std::sync::Arc;

/// A user callback run on runtime threads.
pub(crate) type Callback = Arc<dyn Fn() + Send + Sync>;

/// How runtime threads are named and started.
#[derive(Clone)]
pub(crate) struct ThreadConfig {
    pub(crate) name: Arc<dyn Fn() -> String + Send + Sync>,
    pub(crate) stack_size: Option<usize>,
    pub(crate) on_thread_start: Option<Callback>,
    pub(crate) on_thread_stop: Option<Callback>,
}

impl ThreadConfig {
    pub(crate) fn thread_builder(&self) -> ThreadBuilder {
        let mut builder = ThreadBuilder::new().name((self.name)());
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        builder
    }
}

impl Default for ThreadConfig {
    fn default() -> Self {
        ThreadConfig {
            name: Arc::new(|| "rt-worker".to_string()),
            stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
        }
    }
}

impl fmt::Debug for ThreadConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadConfig")
            .field("stack_size", &self.stack_size)
            .finish_non_exhaustive()
    }
}

/// A thread builder over the shim (loom threads under `--cfg loom`).
pub(crate) struct ThreadBuilder(rt_core::loom::thread::Builder);

impl ThreadBuilder {
    fn new() -> Self {
        ThreadBuilder(rt_core::loom::thread::Builder::new())
    }

    fn name(self, name: String) -> Self {
        ThreadBuilder(self.0.name(name))
    }

    fn stack_size(self, size: usize) -> Self {
        ThreadBuilder(self.0.stack_size(size))
    }

    pub(crate) fn spawn<F: FnOnce() + Send + 'static>(self, f: F) -> io::Result<rt_core::loom::thread::JoinHandle<()>> {
        self.0.spawn(f)
    }
}

/// Scheduler tuning shared by both flavours.
#[derive(Clone, Debug)]
pub(crate) struct SchedConfig {
    /// Ticks between checks of the global queue ahead of the local one.
    pub(crate) global_queue_interval: u32,
    /// Ticks between maintenance passes (shutdown check, metrics, later I/O polling).
    pub(crate) event_interval: u32,
}
