//! `Semaphore`: the public type and its methods. The state word is described in
//! `state.rs`, the protocol between the counter and the waiters in `waiters.rs`.

use std::fmt;
use std::sync::Arc;

use super::state::{self, CLOSED, WAITERS};
use super::waiters::Waiter;
#[cfg(doc)]
use super::AcquireError;
use super::{Acquire, AcquireOwned, OwnedSemaphorePermit, SemaphorePermit, TryAcquireError};
use crate::loom::sync::atomic::AtomicUsize;
use crate::loom::sync::atomic::Ordering::{Acquire as Acq, Relaxed};
use crate::loom::sync::Mutex;
use crate::sync::wait_list::WaitList;

/// A counting semaphore: a set of permits that tasks acquire asynchronously and give
/// back by dropping them.
///
/// Waiters are served in the order they asked (FIFO): while anyone waits, a new
/// acquirer queues behind them even if enough permits are free for it alone, so a large
/// [`acquire_many`](Semaphore::acquire_many) is never starved by a stream of small ones.
/// Permits released while the oldest waiter needs more than are available are assigned
/// to it (a partial assignment) and returned if it gives up.
///
/// When nobody waits, acquiring and releasing are each one atomic compare-and-swap; the
/// lock that guards the waiters is only taken when someone has to wait.
///
/// The semaphore is runtime-agnostic: it only stores and wakes [`Waker`](std::task::Waker)s.
///
/// # Owned permits
///
/// The `*_owned` methods take `self: Arc<Self>` with `std::sync::Arc` (as tokio does),
/// so `sem.clone().acquire_owned()` works and the permit is `'static`. That `Arc` is the
/// caller's handle; none of the semaphore's own synchronisation goes through it.
///
/// # Examples
///
/// Limit how many jobs run at once:
///
/// ```
/// use std::sync::Arc;
/// use rt_core::sync::Semaphore;
///
/// # futures::executor::block_on(async {
/// let limit = Arc::new(Semaphore::new(2));
/// let a = limit.acquire().await.unwrap();
/// let b = limit.clone().acquire_owned().await.unwrap();
/// assert_eq!(limit.available_permits(), 0);
/// assert!(limit.try_acquire().unwrap_err().is_no_permits());
/// drop(a);
/// assert_eq!(limit.available_permits(), 1);
/// drop(b);
/// assert_eq!(limit.available_permits(), 2);
/// # });
/// ```
pub struct Semaphore {
    /// Permits and flags; see [`state`].
    pub(super) state: AtomicUsize,
    /// The queued waiters; `WAITERS` mirrors whether this may be non-empty.
    pub(super) waiters: Mutex<WaitList<Waiter>>,
}

impl Semaphore {
    /// The largest number of permits a semaphore can hold: `usize::MAX >> 3`.
    pub const MAX_PERMITS: usize = state::MAX_PERMITS;

    /// A semaphore with `permits` permits.
    ///
    /// # Panics
    ///
    /// When `permits` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(3);
    /// assert_eq!(sem.available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            state: AtomicUsize::new(state::initial(permits)),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// A semaphore with `permits` permits, usable in a `static`.
    ///
    /// Not available under `--cfg loom` (loom's primitives cannot be built in a
    /// constant).
    ///
    /// # Panics
    ///
    /// When `permits` exceeds [`MAX_PERMITS`](Semaphore::MAX_PERMITS) (at compile time
    /// in a constant context).
    ///
    /// # Examples
    ///
    /// ```
    /// use rt_core::sync::Semaphore;
    ///
    /// static CONNECTIONS: Semaphore = Semaphore::const_new(100);
    /// assert_eq!(CONNECTIONS.available_permits(), 100);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(permits: usize) -> Semaphore {
        Semaphore {
            state: AtomicUsize::new(state::initial(permits)),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// The number of permits available right now (a snapshot).
    ///
    /// Permits partially assigned to a waiter that needs more are not counted.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(2);
    /// let _permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        state::permits(self.state.load(Acq))
    }

    /// Adds `n` permits, serving waiters first in FIFO order.
    ///
    /// Permits can be added after [`close`](Semaphore::close); they are then only
    /// counted (nobody can acquire them).
    ///
    /// # Panics
    ///
    /// When the total would exceed [`MAX_PERMITS`](Semaphore::MAX_PERMITS).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(0);
    /// sem.add_permits(2);
    /// assert_eq!(sem.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Removes up to `n` available permits; returns how many were removed.
    ///
    /// Permits already held, or assigned to a waiter, are not touched.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(3);
    /// assert_eq!(sem.forget_permits(2), 2);
    /// assert_eq!(sem.forget_permits(5), 1);
    /// assert_eq!(sem.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        let mut curr = self.state.load(Relaxed);
        loop {
            let taken = n.min(state::permits(curr));
            if taken == 0 {
                return 0;
            }
            match self
                .state
                .compare_exchange(curr, curr - state::amount(taken), Acq, Relaxed)
            {
                Ok(_) => return taken,
                Err(actual) => curr = actual,
            }
        }
    }

    /// Closes the semaphore: every waiter fails with [`AcquireError`], and so does every
    /// later acquire. Permits already held stay valid and are given back on drop.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(1);
    /// sem.close();
    /// assert!(sem.is_closed());
    /// assert!(sem.try_acquire().unwrap_err().is_closed());
    /// # futures::executor::block_on(async {
    /// assert!(sem.acquire().await.is_err());
    /// # });
    /// ```
    pub fn close(&self) {
        self.close_and_wake_all();
    }

    /// Whether [`close`](Semaphore::close) was called.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(1);
    /// assert!(!sem.is_closed());
    /// sem.close();
    /// assert!(sem.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.state.load(Acq) & CLOSED != 0
    }

    /// Waits for one permit.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed before the permit is acquired.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense that no permit is lost or leaked: dropping the future
    /// before it completes gives back any permit assigned to it (to the next waiters)
    /// and loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let sem = rt_core::sync::Semaphore::new(1);
    /// let permit = sem.acquire().await.unwrap();
    /// assert_eq!(permit.num_permits(), 1);
    /// # });
    /// ```
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire::new(self, 1)
    }

    /// Waits for `n` permits, taken together.
    ///
    /// The request keeps its place in the FIFO queue while permits trickle in: they are
    /// assigned to it as they are released, and later requests wait behind it. A request
    /// for more permits than the semaphore will ever have waits forever (or until
    /// close).
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed before all `n` are acquired.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in the sense that no permit is lost or leaked: dropping the future
    /// before it completes gives back the permits already assigned to it (to the next
    /// waiters) and loses its place in the queue.
    ///
    /// # Examples
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// let sem = rt_core::sync::Semaphore::new(5);
    /// let permit = sem.acquire_many(3).await.unwrap();
    /// assert_eq!((permit.num_permits(), sem.available_permits()), (3, 2));
    /// # });
    /// ```
    pub fn acquire_many(&self, n: u32) -> Acquire<'_> {
        Acquire::new(self, n)
    }

    /// Takes one permit if one is available and nobody waits.
    ///
    /// # Errors
    ///
    /// [`TryAcquireError`]: [`is_closed`](TryAcquireError::is_closed) when the semaphore
    /// is closed, [`is_no_permits`](TryAcquireError::is_no_permits) when no permit is
    /// free.
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert!(sem.try_acquire().unwrap_err().is_no_permits());
    /// drop(permit);
    /// assert!(sem.try_acquire().is_ok());
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available and nobody waits.
    ///
    /// # Errors
    ///
    /// As for [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// let sem = rt_core::sync::Semaphore::new(3);
    /// assert_eq!(sem.try_acquire_many(2).unwrap().num_permits(), 2);
    /// assert!(sem.try_acquire_many(4).unwrap_err().is_no_permits());
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_raw(n as usize)?;
        Ok(SemaphorePermit::new(self, n))
    }

    /// Waits for one permit, returning a permit that owns a handle to the semaphore.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed first.
    ///
    /// # Cancel safety
    ///
    /// As for [`acquire`](Semaphore::acquire): no permit is lost, the place in the queue
    /// is.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(1));
    /// let permit = sem.clone().acquire_owned().await.unwrap();
    /// std::thread::spawn(move || drop(permit)).join().unwrap();
    /// assert_eq!(sem.available_permits(), 1);
    /// # });
    /// ```
    pub fn acquire_owned(self: Arc<Self>) -> AcquireOwned {
        AcquireOwned::new(self, 1)
    }

    /// Waits for `n` permits, returning a permit that owns a handle to the semaphore.
    ///
    /// # Errors
    ///
    /// [`AcquireError`] when the semaphore is closed first.
    ///
    /// # Cancel safety
    ///
    /// As for [`acquire_many`](Semaphore::acquire_many): no permit is lost, the place in
    /// the queue is.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// # futures::executor::block_on(async {
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(4));
    /// let permit = sem.clone().acquire_many_owned(4).await.unwrap();
    /// assert_eq!(permit.num_permits(), 4);
    /// # });
    /// ```
    pub fn acquire_many_owned(self: Arc<Self>, n: u32) -> AcquireOwned {
        AcquireOwned::new(self, n)
    }

    /// Takes one permit if available, returning a permit that owns a handle to the
    /// semaphore.
    ///
    /// # Errors
    ///
    /// As for [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(1));
    /// let permit = sem.clone().try_acquire_owned().unwrap();
    /// assert!(sem.clone().try_acquire_owned().unwrap_err().is_no_permits());
    /// # drop(permit);
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits if available, returning a permit that owns a handle to the
    /// semaphore.
    ///
    /// # Errors
    ///
    /// As for [`try_acquire`](Semaphore::try_acquire).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// let sem = Arc::new(rt_core::sync::Semaphore::new(2));
    /// assert_eq!(sem.clone().try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many_owned(self: Arc<Self>, n: u32) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_raw(n as usize)?;
        Ok(OwnedSemaphorePermit::new(self, n))
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Semaphore {
        Semaphore::new(0)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.load(Relaxed);
        f.debug_struct("Semaphore")
            .field("permits", &state::permits(state))
            .field("closed", &(state & CLOSED != 0))
            .field("waiters", &(state & WAITERS != 0))
            .finish()
    }
}
