//! [`Closed`]: the future of `Sender::closed` and `UnboundedSender::closed`.
//!
//! It waits in the channel's `closed_waiters` list (an intrusive `WaitList`, so
//! waiting allocates nothing), following the list's poll / wake / drop recipe: the
//! receiver's close sets the channel's `closed` flag under the list's lock, then pops
//! every node, takes its waker and, as its last access, sets the node's payload.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll};

use pin_project_lite::pin_project;

use super::chan::Chan;
use crate::loom::sync::atomic::AtomicBool;
use crate::loom::sync::atomic::Ordering::Acquire;
use crate::sync::wait_list::Node;

pin_project! {
    /// Completes once the receiver closed the channel or was dropped.
    pub(super) struct Closed<'a, T> {
        chan: &'a Chan<T>,
        // The payload is set by the notifier once it is done with the node.
        #[pin]
        node: Node<AtomicBool>,
        // Whether the node was linked (and not yet known to be unlinked).
        queued: bool,
    }

    impl<T> PinnedDrop for Closed<'_, T> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if *this.queued && !this.node.value().load(Acquire) {
                let (_, waiters) = this.chan.closed_waiters();
                // SAFETY: the node was linked into this list and is pinned; it is in
                // it still, or was popped by the notifier (which holds the lock while
                // it touches the node): either way `remove` is sound under the lock.
                unsafe { waiters.lock().remove(NonNull::from(this.node.into_ref().get_ref())) };
            }
        }
    }
}

impl<'a, T> Closed<'a, T> {
    pub(super) fn new(chan: &'a Chan<T>) -> Closed<'a, T> {
        Closed {
            chan,
            node: Node::new(AtomicBool::new(false)),
            queued: false,
        }
    }
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.project();
        let (closed, waiters) = this.chan.closed_waiters();
        if closed.load(Acquire) || this.node.value().load(Acquire) {
            return Poll::Ready(());
        }
        let mut list = waiters.lock();
        // The flag is set under this lock: checked here, it cannot be missed.
        if closed.load(Acquire) {
            return Poll::Ready(());
        }
        let node = this.node.into_ref();
        // SAFETY: the lock is held.
        unsafe { node.set_waker(cx.waker()) };
        if !*this.queued {
            // SAFETY: pinned, unlinked (not queued yet), and unlinked by our drop
            // before its memory goes away (or popped by the notifier first).
            unsafe { list.push_back(NonNull::from(node.get_ref())) };
            *this.queued = true;
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed")
            .field("queued", &self.queued)
            .finish_non_exhaustive()
    }
}
