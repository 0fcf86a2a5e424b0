//! The run's clock: offsets from the moment the load starts.

use std::time::{Duration, Instant};

/// The instant the run started; every component reads offsets from it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    start: Instant,
}

impl Clock {
    /// A clock started now.
    pub(crate) fn start() -> Clock {
        Clock { start: Instant::now() }
    }

    /// The time since the start.
    pub(crate) fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// How long until the offset `at` (zero if it is past).
    pub(crate) fn until(&self, at: Duration) -> Duration {
        at.saturating_sub(self.elapsed())
    }
}
