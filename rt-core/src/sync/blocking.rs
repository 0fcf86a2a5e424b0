//! Blocking a plain thread on a future, for the `blocking_*` methods of every
//! primitive (and for mpsc's `try_recv` waiting out a send that is half done).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crate::loom::thread::{self, Thread};

/// Panics with a message naming `method` when the current thread drives a runtime:
/// blocking it would stall every task the runtime runs on it, possibly the very task
/// that would unblock us.
pub(crate) fn assert_not_in_runtime(method: &str) {
    if crate::context::is_runtime_entered() {
        panic!(
            "`{method}` called from inside a runtime: blocking this thread would stall the \
             tasks it drives; `.await` the async variant instead, or call it from a \
             blocking-pool thread"
        );
    }
}

/// Polls `future` on this thread, parking the thread between polls until its waker
/// unparks it.
///
/// `Arc` here is `std`'s: [`Waker::from`] needs it, and the waker only unparks.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(Thread);

    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }

    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        // A wake that came before the park leaves the token set: `park` returns at once.
        thread::park();
    }
}
