//! Async synchronisation primitives: channels, permits and notifications.
//!
//! Every type here is runtime-agnostic: it only stores and wakes [`Waker`]s, so it works
//! on any executor. All shared state goes through the crate's `loom` shim, and each
//! primitive has loom models in `tests/loom_sync_*.rs`.
//!
//! [`Waker`]: std::task::Waker

pub mod watch;

mod blocking;
pub(crate) mod wait_list;

pub mod semaphore;
pub use semaphore::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError};

pub mod mutex;
pub use mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};

pub mod mpsc;

pub mod oneshot;

pub mod notify;
pub use notify::{Notified, Notify};
