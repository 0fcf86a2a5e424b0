//! [`InFlight`]: the response futures of the requests sent, each with its own waker.
//!
//! Every future is polled with a waker of its own ([`SlotWaker`]): waking it records the
//! slot's id in the shared [`Wakes`] and wakes the task polling the stream. A poll of the
//! stream then polls only the futures that were woken, so its cost follows the wake-ups,
//! not the number of requests in flight.
//!
//! Ids grow with each request and slots stay sorted by id, so a slot is found by binary
//! search. A wake-up for a slot that is gone (finished and yielded) is ignored; a slot
//! woken twice is polled once and then skipped once it is done.
//!
//! Wakers may run on any thread, so [`Wakes`] is a `std::sync::Mutex` (this crate has no
//! runtime dependency and no loom shim): each critical section is one push, one drain or
//! one waker replacement, and no waker is called with the lock held.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

/// The order in which responses are yielded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// In the order of the requests.
    Requests,
    /// As soon as they complete.
    Completion,
}

/// Ids of woken slots, and the waker of the task polling the stream.
#[derive(Debug, Default)]
struct Wakes {
    state: Mutex<WakeState>,
}

#[derive(Debug, Default)]
struct WakeState {
    woken: Vec<u64>,
    parent: Option<Waker>,
}

impl Wakes {
    fn lock(&self) -> MutexGuard<'_, WakeState> {
        // A panic while the lock is held cannot leave the state inconsistent: each
        // critical section is a push, a drain or a waker replacement.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The waker of one slot.
#[derive(Debug)]
struct SlotWaker {
    id: u64,
    wakes: Arc<Wakes>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let parent = {
            let mut state = self.wakes.lock();
            state.woken.push(self.id);
            state.parent.clone()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

enum State<F: Future> {
    Pending(Pin<Box<F>>),
    Done(F::Output),
}

struct Slot<F: Future> {
    id: u64,
    state: State<F>,
    waker: Waker,
}

impl<F: Future> Slot<F> {
    /// Polls the future if it is still pending; returns whether it just finished.
    fn poll(&mut self) -> bool {
        let State::Pending(fut) = &mut self.state else {
            return false;
        };
        match fut.as_mut().poll(&mut Context::from_waker(&self.waker)) {
            Poll::Ready(out) => {
                self.state = State::Done(out);
                true
            }
            Poll::Pending => false,
        }
    }
}

/// The requests in flight, oldest first.
pub(crate) struct InFlight<F: Future> {
    slots: VecDeque<Slot<F>>,
    next_id: u64,
    wakes: Arc<Wakes>,
    order: Order,
    /// Ids of finished slots in completion order (kept for [`Order::Completion`] only).
    finished: VecDeque<u64>,
}

impl<F: Future> InFlight<F> {
    pub(crate) fn new(order: Order) -> Self {
        InFlight {
            slots: VecDeque::new(),
            next_id: 0,
            wakes: Arc::default(),
            order,
            finished: VecDeque::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Switches to yielding in completion order.
    pub(crate) fn into_unordered(mut self) -> Self {
        if self.order == Order::Requests {
            self.order = Order::Completion;
            let done = self.slots.iter().filter(|s| matches!(s.state, State::Done(_)));
            self.finished = done.map(|s| s.id).collect();
        }
        self
    }

    /// Makes `cx`'s waker the one woken by the slots, and polls the slots woken since the
    /// last call.
    pub(crate) fn poll_woken(&mut self, cx: &mut Context<'_>) {
        let woken = {
            let mut state = self.wakes.lock();
            if !state.parent.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                state.parent = Some(cx.waker().clone());
            }
            std::mem::take(&mut state.woken)
        };
        for id in woken {
            if let Ok(index) = self.slots.binary_search_by_key(&id, |slot| slot.id) {
                self.poll_slot(index);
            }
        }
    }

    /// Adds the future of a request just sent, and polls it once.
    pub(crate) fn push(&mut self, fut: F) {
        let id = self.next_id;
        self.next_id += 1;
        let waker = Waker::from(Arc::new(SlotWaker {
            id,
            wakes: self.wakes.clone(),
        }));
        self.slots.push_back(Slot {
            id,
            state: State::Pending(Box::pin(fut)),
            waker,
        });
        self.poll_slot(self.slots.len() - 1);
    }

    fn poll_slot(&mut self, index: usize) {
        let slot = &mut self.slots[index];
        if slot.poll() && self.order == Order::Completion {
            self.finished.push_back(slot.id);
        }
    }

    /// Removes and returns a finished output whose turn has come.
    pub(crate) fn take_ready(&mut self) -> Option<F::Output> {
        let index = match self.order {
            Order::Requests => 0,
            Order::Completion => {
                let id = self.finished.pop_front()?;
                self.slots.binary_search_by_key(&id, |slot| slot.id).ok()?
            }
        };
        if !matches!(self.slots.get(index)?.state, State::Done(_)) {
            return None;
        }
        match self.slots.remove(index).map(|slot| slot.state) {
            Some(State::Done(out)) => Some(out),
            _ => unreachable!("the slot was just seen finished"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::future::Future;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    use super::{InFlight, Order};

    /// A future finishing once `open` is set; counts its polls and keeps its last waker.
    struct Door {
        open: Rc<Cell<bool>>,
        polls: Rc<Cell<usize>>,
        waker: Arc<Mutex<Option<Waker>>>,
        value: u8,
    }

    type Handles = (Rc<Cell<bool>>, Rc<Cell<usize>>, Arc<Mutex<Option<Waker>>>);

    fn door(value: u8) -> (Door, Handles) {
        let handles: Handles = Default::default();
        let door = Door {
            open: handles.0.clone(),
            polls: handles.1.clone(),
            waker: handles.2.clone(),
            value,
        };
        (door, handles)
    }

    impl Future for Door {
        type Output = u8;

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
            self.polls.set(self.polls.get() + 1);
            if self.open.get() {
                return Poll::Ready(self.value);
            }
            *self.waker.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }

    fn open_and_wake(handles: &Handles) {
        handles.0.set(true);
        handles.2.lock().unwrap().take().expect("registered a waker").wake();
    }

    #[test]
    fn only_woken_futures_are_polled() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut in_flight = InFlight::new(Order::Requests);
        let handles: Vec<Handles> = (0..3)
            .map(|i| {
                let (door, handles) = door(i);
                in_flight.push(door);
                handles
            })
            .collect();
        assert!(
            handles.iter().all(|h| h.1.get() == 1),
            "each is polled once when pushed"
        );
        open_and_wake(&handles[1]);
        in_flight.poll_woken(&mut cx);
        let polls: Vec<usize> = handles.iter().map(|h| h.1.get()).collect();
        assert_eq!(polls, [1, 2, 1]);
        assert_eq!(in_flight.take_ready(), None, "request 0 comes first");
        open_and_wake(&handles[0]);
        in_flight.poll_woken(&mut cx);
        assert_eq!(in_flight.take_ready(), Some(0));
        assert_eq!(in_flight.take_ready(), Some(1));
        assert_eq!(in_flight.take_ready(), None);
        assert_eq!(in_flight.len(), 1);
    }

    #[test]
    fn completion_order_and_stale_wakes() {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut in_flight = InFlight::new(Order::Requests);
        let (a, ha) = door(0);
        let (b, hb) = door(1);
        in_flight.push(a);
        in_flight.push(b);
        open_and_wake(&hb);
        in_flight.poll_woken(&mut cx);
        let mut in_flight = in_flight.into_unordered();
        assert_eq!(in_flight.take_ready(), Some(1), "finished before the switch");
        let stale = ha.2.lock().unwrap().clone().unwrap();
        open_and_wake(&ha);
        stale.wake(); // a second wake-up of the same slot
        in_flight.poll_woken(&mut cx);
        assert_eq!(in_flight.take_ready(), Some(0));
        assert!(in_flight.is_empty());
        in_flight.poll_woken(&mut cx); // wakes for slots that are gone are ignored
        assert_eq!(ha.1.get(), 2);
    }

    #[test]
    fn a_slot_wake_wakes_the_stream_task() {
        let counted = Arc::new(CountWakes::default());
        let waker = Waker::from(counted.clone());
        let mut in_flight = InFlight::new(Order::Completion);
        in_flight.poll_woken(&mut Context::from_waker(&waker));
        let (d, h) = door(5);
        in_flight.push(d);
        open_and_wake(&h);
        assert_eq!(counted.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        in_flight.poll_woken(&mut Context::from_waker(&waker));
        assert_eq!(in_flight.take_ready(), Some(5));
    }

    #[derive(Default)]
    struct CountWakes(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}
