//! The `readiness()` waiter list without a reactor: pure logic, so it runs under Miri
//! (`cargo +nightly miri test -p rt-core --lib io::`), which checks the node accesses of
//! the intrusive list for use-after-free and aliasing violations.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::Readiness;
use crate::io::interest::Interest;
use crate::io::io_state::IoState;
use crate::io::ready::Ready;

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// One waiting task: its wake counter and its waker.
struct Task {
    count: Arc<Count>,
    waker: Waker,
}

impl Task {
    fn new() -> Task {
        let count = Arc::new(Count::default());
        let waker = Waker::from(count.clone());
        Task { count, waker }
    }

    fn wakes(&self) -> usize {
        self.count.0.load(SeqCst)
    }

    /// Clones of the waker still held elsewhere (the list's slot), besides ours.
    fn clones_held(&self) -> usize {
        Arc::strong_count(&self.count) - 2
    }

    fn poll(&self, fut: &mut Pin<Box<Readiness<'_>>>) -> Poll<std::io::Result<crate::io::ReadyEvent>> {
        fut.as_mut().poll(&mut Context::from_waker(&self.waker))
    }
}

/// The interests of the linked waiters, oldest first.
fn linked(io: &IoState) -> Vec<Interest> {
    io.lock_waiters()
        .list
        .iter()
        .map(|node| node.value().interest)
        .collect()
}

fn deliver(io: &IoState, ready: Ready) {
    let mut wakers = Vec::new();
    io.set_readiness(ready);
    io.wake(ready, &mut wakers);
    wakers.into_iter().for_each(Waker::wake);
}

#[test]
fn several_waiters_one_dropped_while_linked_and_a_partial_wake() {
    const R: Interest = Interest::READABLE;
    const W: Interest = Interest::WRITABLE;
    let io = IoState::new();
    let tasks: Vec<Task> = (0..5).map(|_| Task::new()).collect();
    let interests = [R, W, R, R | W, R];
    let mut futs: Vec<Option<Pin<Box<Readiness<'_>>>>> =
        interests.iter().map(|&i| Some(Box::pin(io.readiness(i)))).collect();
    for (task, fut) in tasks.iter().zip(&mut futs) {
        assert!(task.poll(fut.as_mut().unwrap()).is_pending());
    }
    assert_eq!(linked(&io), interests);

    // Dropped while linked, from the middle of the list: unlinked, waker released.
    futs[2] = None;
    assert_eq!(linked(&io), [R, W, R | W, R]);
    assert_eq!(tasks[2].clones_held(), 0);

    // A writable event wakes the two waiters it satisfies and keeps the others, in order.
    deliver(&io, Ready::WRITABLE);
    let wakes: Vec<usize> = tasks.iter().map(Task::wakes).collect();
    assert_eq!(wakes, [0, 1, 0, 1, 0]);
    assert_eq!(linked(&io), [R, R]);
    for i in [1, 3] {
        assert_eq!(tasks[i].clones_held(), 0, "the reactor took waiter {i}'s waker");
    }

    // Dropped after the reactor unlinked it, without being polled again: the list is
    // left alone (the reactor is done with the node).
    futs[1] = None;
    assert_eq!(linked(&io), [R, R]);

    // Re-polled with another task's waker while linked: the old waker is released, the
    // place in the list kept.
    let other = Task::new();
    assert!(other.poll(futs[0].as_mut().unwrap()).is_pending());
    assert_eq!(tasks[0].clones_held(), 0);
    assert_eq!(other.clones_held(), 1);
    assert_eq!(linked(&io), [R, R]);

    // The woken waiter completes with what it asked for.
    match tasks[3].poll(futs[3].as_mut().unwrap()) {
        Poll::Ready(Ok(ev)) => assert_eq!(ev.ready(), Ready::WRITABLE),
        other => panic!("{other:?}"),
    }

    deliver(&io, Ready::READABLE);
    assert_eq!((other.wakes(), tasks[0].wakes(), tasks[4].wakes()), (1, 0, 1));
    assert!(linked(&io).is_empty());
    assert!(other.poll(futs[0].as_mut().unwrap()).is_ready());
    assert!(tasks[4].poll(futs[4].as_mut().unwrap()).is_ready());
    drop(futs);
    assert_eq!(other.clones_held(), 0);
    for task in &tasks {
        assert_eq!(task.clones_held(), 0);
    }
}

#[test]
fn woken_waiter_whose_readiness_was_cleared_links_again_at_the_back() {
    let io = IoState::new();
    let (a, b) = (Task::new(), Task::new());
    let mut fa = Box::pin(io.readiness(Interest::READABLE));
    let mut fb = Box::pin(io.readiness(Interest::READABLE | Interest::WRITABLE));
    assert!(a.poll(&mut fa).is_pending());
    deliver(&io, Ready::READABLE);
    assert_eq!(a.wakes(), 1);
    assert!(b.poll(&mut fb).is_ready(), "readable already");
    // Another task consumed the readiness before `a` ran.
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    io.clear_readiness(ev);
    let mut fb = Box::pin(io.readiness(Interest::WRITABLE));
    assert!(b.poll(&mut fb).is_pending());
    assert!(a.poll(&mut fa).is_pending(), "linked again");
    assert_eq!(linked(&io), [Interest::WRITABLE, Interest::READABLE]);
    drop(fa);
    assert_eq!(linked(&io), [Interest::WRITABLE]);
    let mut wakers = Vec::new();
    io.shutdown(&mut wakers);
    assert_eq!(wakers.len(), 1);
    drop(wakers);
    assert!(matches!(b.poll(&mut fb), Poll::Ready(Err(_))));
    assert!(linked(&io).is_empty());
}
