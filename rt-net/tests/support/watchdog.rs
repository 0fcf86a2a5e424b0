//! Running a test body under a time limit. Shared by `tests/support/` and
//! `tests/support_uds/`.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `body` on a fresh thread; fails if it has not finished after `limit`, so that a
/// hang fails the test instead of blocking the suite. A panic in `body` is re-raised.
#[track_caller]
pub(crate) fn run<R: Send + 'static>(limit: Duration, body: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(body)));
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => {
            let _ = thread.join();
            out
        }
        Ok(Err(payload)) => {
            let _ = thread.join();
            panic::resume_unwind(payload)
        }
        Err(_) => panic!("HANG: the test body did not finish within {limit:?}"),
    }
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}
