//! `AbortHandle`: cancel a task without owning its output.

use std::fmt;

use super::{Id, RawTask};

/// A clonable handle that can abort a task; it does not keep the output.
///
/// Dropping it does nothing to the task.
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: the handle never touches the future or the output: it updates the atomic
// state word, submits the task to its scheduler (whose `Schedule` impl is `Send + Sync`
// and sends notifications of local tasks home), and its last drop frees a task whose
// future is already gone or, for tasks of `Send` futures, may be dropped anywhere.
unsafe impl Send for AbortHandle {}
// SAFETY: as above; `&AbortHandle` allows the same operations.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// # Safety
    ///
    /// `raw` carries a reference that the new handle now owns.
    pub(crate) unsafe fn new(raw: RawTask) -> AbortHandle {
        AbortHandle { raw }
    }

    /// Requests cancellation of the task; see [`JoinHandle::abort`](super::JoinHandle::abort).
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has completed.
    pub fn is_finished(&self) -> bool {
        self.raw.is_complete()
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> Self {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        // SAFETY: this handle's reference is given up exactly once, here.
        unsafe { self.raw.drop_reference() };
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle").field("id", &self.id()).finish()
    }
}
