//! The runtime: a scheduler, its worker threads and its blocking pool, owned together.

mod builder;
mod config;
mod handle;
mod metrics;
#[allow(clippy::module_inception)]
mod runtime;
mod threads;

pub use builder::Builder;
pub use handle::{EnterGuard, Handle, RuntimeFlavor, TryCurrentError};
pub use metrics::RuntimeMetrics;
pub use runtime::Runtime;

pub(crate) use config::{Callback, SchedConfig, ThreadConfig};
pub(crate) use threads::ThreadGroup;
