//! Counting live threads so that shutdown can wait for them with a deadline
//! (`std::thread::JoinHandle::join` has no timeout).

use std::time::{Duration, Instant};

use rt_core::loom::sync::{Arc, Condvar, Mutex};

/// A set of threads whose exit can be awaited.
#[derive(Clone, Debug, Default)]
pub(crate) struct ThreadGroup {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    live: Mutex<usize>,
    exited: Condvar,
}

/// Held by a thread of the group; dropping it (at thread exit) counts the exit.
#[derive(Debug)]
pub(crate) struct Member {
    inner: Arc<Inner>,
}

impl ThreadGroup {
    /// Counts one more thread; give the member to that thread.
    pub(crate) fn join(&self) -> Member {
        *self.inner.live.lock() += 1;
        Member {
            inner: self.inner.clone(),
        }
    }

    /// Waits until every member exited, at most `timeout` (`None`: forever).
    /// Returns whether they all exited.
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut live = self.inner.live.lock();
        while *live > 0 {
            match deadline {
                None => live = self.inner.exited.wait(live),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    live = self.inner.exited.wait_timeout(live, deadline - now).0;
                }
            }
        }
        true
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let mut live = self.inner.live.lock();
        *live -= 1;
        if *live == 0 {
            self.inner.exited.notify_all();
        }
    }
}
