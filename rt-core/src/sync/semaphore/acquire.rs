//! The acquire futures: [`Acquire`], [`AcquireOwned`], and the state machine they share.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::waiters::Waiter;
use super::{AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit};
use crate::coop;
use crate::sync::wait_list::Node;

/// Where a [`RawAcquire`] is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Not polled yet, or polled and served by the fast path: the node is not linked.
    Idle,
    /// The node was linked by `poll_enqueue` and not handed back yet.
    Queued,
    /// Completed, or given up: the node is the owner's again and holds no permits.
    Done,
}

pin_project! {
    /// The acquire state machine: a wait-list node and the request. The semaphore is
    /// passed to each call rather than stored, so that the borrowed and the owned
    /// futures (and the mutex's lock futures) can share it.
    ///
    /// Whoever embeds it must call [`cancel`](RawAcquire::cancel) with the same
    /// semaphore when dropped before completion.
    pub(crate) struct RawAcquire {
        #[pin]
        node: Node<Waiter>,
        permits: u32,
        phase: Phase,
    }
}

impl RawAcquire {
    /// A request for `permits` permits; nothing happens until it is polled.
    pub(crate) fn new(permits: u32) -> RawAcquire {
        RawAcquire {
            node: Node::new(Waiter::new(permits as usize)),
            permits,
            phase: Phase::Idle,
        }
    }

    /// The number of permits requested.
    pub(crate) fn permits(&self) -> u32 {
        self.permits
    }

    /// Polls for the permits of `sem`, always the same semaphore. `Ready(Ok)` means they
    /// are now the caller's (to be put in a permit or released).
    ///
    /// # Panics
    ///
    /// When polled again after it returned `Ready`.
    pub(crate) fn poll_acquire(
        self: Pin<&mut Self>,
        sem: &Semaphore,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let this = self.project();
        let node = this.node.into_ref();
        let n = *this.permits as usize;
        let out = match *this.phase {
            Phase::Idle => match sem.try_acquire_raw(n) {
                Ok(()) => Poll::Ready(Ok(())),
                Err(e) if e.is_closed() => Poll::Ready(Err(AcquireError::closed())),
                Err(_) => {
                    // SAFETY: the node is pinned inside this future and unlinked (phase
                    // `Idle`); if it gets linked, the phase becomes `Queued` and the
                    // future hands it back (`poll_queued` ready, or `cancel` on drop)
                    // before its memory goes away.
                    let poll = unsafe { sem.poll_enqueue(node, n, cx.waker()) };
                    if poll.is_pending() {
                        *this.phase = Phase::Queued;
                    }
                    poll
                }
            },
            // SAFETY: phase `Queued`: linked by `poll_enqueue` on `sem`, not handed back.
            Phase::Queued => unsafe { sem.poll_queued(node, n, cx.waker()) },
            Phase::Done => panic!("`Acquire` polled after completion"),
        };
        if out.is_ready() {
            *this.phase = Phase::Done;
        }
        out
    }

    /// Gives up: unlinks the node if it is queued and returns any permits assigned to
    /// it. Does nothing once completed.
    pub(crate) fn cancel(self: Pin<&mut Self>, sem: &Semaphore) {
        let this = self.project();
        if *this.phase == Phase::Queued {
            *this.phase = Phase::Done;
            // SAFETY: phase `Queued`: linked by `poll_enqueue` on `sem`, not handed back.
            unsafe { sem.dequeue(this.node.into_ref(), *this.permits as usize) };
        }
    }
}

impl fmt::Debug for RawAcquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawAcquire")
            .field("permits", &self.permits)
            .field("phase", &self.phase)
            .finish()
    }
}

/// Polls `raw` under the cooperative budget.
fn poll_budgeted(raw: Pin<&mut RawAcquire>, sem: &Semaphore, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
    let budget = ready!(coop::poll_proceed(cx));
    let out = ready!(raw.poll_acquire(sem, cx));
    budget.made_progress();
    Poll::Ready(out)
}

pin_project! {
    /// The future of [`Semaphore::acquire`] and [`Semaphore::acquire_many`].
    ///
    /// # Cancel safety
    ///
    /// Dropping it before it completes unlinks it from the queue (losing its place) and
    /// gives back any permits already assigned to it; none are lost or leaked.
    #[must_use = "futures do nothing unless polled"]
    pub struct Acquire<'a> {
        sem: &'a Semaphore,
        #[pin]
        raw: RawAcquire,
    }

    impl PinnedDrop for Acquire<'_> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.raw.cancel(this.sem);
        }
    }
}

impl<'a> Acquire<'a> {
    pub(super) fn new(sem: &'a Semaphore, permits: u32) -> Acquire<'a> {
        Acquire {
            sem,
            raw: RawAcquire::new(permits),
        }
    }
}

impl<'a> Future for Acquire<'a> {
    type Output = Result<SemaphorePermit<'a>, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let sem: &'a Semaphore = this.sem;
        let permits = this.raw.permits();
        poll_budgeted(this.raw, sem, cx).map(|out| out.map(|()| SemaphorePermit::new(sem, permits)))
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("semaphore", self.sem)
            .field("raw", &self.raw)
            .finish()
    }
}

pin_project! {
    /// The future of [`Semaphore::acquire_owned`] and [`Semaphore::acquire_many_owned`].
    ///
    /// # Cancel safety
    ///
    /// As for [`Acquire`]: dropping it gives back any assigned permits and loses its
    /// place in the queue.
    #[must_use = "futures do nothing unless polled"]
    pub struct AcquireOwned {
        // `None` once the permits were handed out in an `OwnedSemaphorePermit`.
        sem: Option<Arc<Semaphore>>,
        #[pin]
        raw: RawAcquire,
    }

    impl PinnedDrop for AcquireOwned {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(sem) = this.sem {
                this.raw.cancel(sem);
            }
        }
    }
}

impl AcquireOwned {
    pub(super) fn new(sem: Arc<Semaphore>, permits: u32) -> AcquireOwned {
        AcquireOwned {
            sem: Some(sem),
            raw: RawAcquire::new(permits),
        }
    }
}

impl Future for AcquireOwned {
    type Output = Result<OwnedSemaphorePermit, AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let sem = this.sem.as_ref().expect("`AcquireOwned` polled after completion");
        let permits = this.raw.permits();
        match ready!(poll_budgeted(this.raw, sem, cx)) {
            Ok(()) => {
                let sem = this.sem.take().expect("checked above");
                Poll::Ready(Ok(OwnedSemaphorePermit::new(sem, permits)))
            }
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}

impl fmt::Debug for AcquireOwned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcquireOwned")
            .field("semaphore", &self.sem)
            .field("raw", &self.raw)
            .finish()
    }
}
