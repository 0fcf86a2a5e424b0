//! The two scheduler flavours behind one handle.

pub(crate) mod current_thread;
pub(crate) mod multi_thread;

use std::future::Future;
use std::ptr::NonNull;

use rt_core::loom::sync::Arc;
use rt_core::task::JoinHandle;

use crate::blocking;

/// A handle to either scheduler.
#[derive(Clone, Debug)]
pub(crate) enum Handle {
    CurrentThread(Arc<current_thread::Handle>),
    MultiThread(Arc<multi_thread::Handle>),
}

/// The scheduler state of the current thread (see `context.rs`).
#[derive(Clone, Copy)]
pub(crate) enum ContextPtr {
    CurrentThread(NonNull<current_thread::Context>),
    MultiThread(NonNull<multi_thread::Context>),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::CurrentThread(h) => current_thread::Handle::spawn(h, future),
            Handle::MultiThread(h) => multi_thread::Handle::spawn(h, future),
        }
    }

    /// The reactor / timer handle of this runtime, when a driver is enabled.
    pub(crate) fn driver_handle(&self) -> Option<&rt_core::driver::Handle> {
        match self {
            Handle::CurrentThread(h) => h.driver_handle(),
            Handle::MultiThread(h) => h.driver_handle(),
        }
    }

    pub(crate) fn blocking_spawner(&self) -> &blocking::Spawner {
        match self {
            Handle::CurrentThread(h) => &h.blocking,
            Handle::MultiThread(h) => &h.blocking,
        }
    }
}
