use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use super::interest::Interest;
use super::io_state::{Direction, IoState};
use super::ready::{Ready, ReadyEvent};
use super::state::Snapshot;
use super::table::{self, Table};
use crate::loom::sync::Mutex;

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count::default());
    (count.clone(), Waker::from(count))
}

fn wakes(count: &Count) -> usize {
    count.0.load(SeqCst)
}

/// Delivers an event the way the reactor does and wakes the collected wakers.
fn deliver(io: &IoState, ready: Ready) {
    let mut wakers = Vec::new();
    io.set_readiness(ready);
    io.wake(ready, &mut wakers);
    wakers.into_iter().for_each(Waker::wake);
}

fn poll_dir(io: &IoState, waker: &Waker, direction: Direction) -> Poll<std::io::Result<ReadyEvent>> {
    io.poll_ready(&mut Context::from_waker(waker), direction)
}

#[test]
fn snapshot_event_bumps_tick_and_ors_kinds() {
    let s = Snapshot::INITIAL;
    assert_eq!((s.ready(), s.tick(), s.is_shutdown()), (Ready::EMPTY, 0, false));
    let s = s.with_event(Ready::READABLE).with_event(Ready::WRITABLE);
    assert_eq!(s.ready(), Ready::READABLE | Ready::WRITABLE);
    assert_eq!(s.tick(), 2);
    let ev = s.event(Interest::READABLE.mask()).unwrap();
    assert_eq!(ev.ready(), Ready::READABLE, "only the asked-for kinds");
    assert!(s.event(Interest::PRIORITY.mask()).is_none());
}

#[test]
fn snapshot_tick_wraps_without_touching_other_bits() {
    let mut s = Snapshot::INITIAL.with_event(Ready::ERROR);
    for _ in 0..u16::MAX {
        s = s.with_event(Ready::EMPTY);
    }
    assert_eq!(s.tick(), 0);
    assert_eq!(s.ready(), Ready::ERROR);
    assert!(!s.is_shutdown());
}

#[test]
fn clear_removes_kinds_but_keeps_closed() {
    let s = Snapshot::INITIAL.with_event(Ready::ALL);
    let cleared = s.without(Ready::ALL);
    assert_eq!(cleared.ready(), Ready::READ_CLOSED | Ready::WRITE_CLOSED);
    assert_eq!(cleared.tick(), s.tick());
}

#[test]
fn clear_readiness_is_a_no_op_after_a_newer_event() {
    let io = IoState::new();
    deliver(&io, Ready::READABLE);
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    // An event arrives between the observation and the clear.
    deliver(&io, Ready::READABLE);
    io.clear_readiness(ev);
    assert!(io.ready_event(Interest::READABLE).is_some(), "the new edge was lost");
    // Observed again, cleared for real.
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    io.clear_readiness(ev);
    assert!(io.ready_event(Interest::READABLE).is_none());
}

#[test]
fn clear_readiness_only_clears_the_observed_kinds() {
    let io = IoState::new();
    deliver(&io, Ready::READABLE | Ready::WRITABLE);
    let read = io.ready_event(Interest::READABLE).unwrap().unwrap();
    io.clear_readiness(read);
    assert!(io.ready_event(Interest::READABLE).is_none());
    assert!(io.ready_event(Interest::WRITABLE).is_some());
}

#[test]
fn read_closed_stays_ready() {
    let io = IoState::new();
    deliver(&io, Ready::READABLE | Ready::READ_CLOSED);
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    io.clear_readiness(ev);
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    assert_eq!(ev.ready(), Ready::READ_CLOSED);
    assert!(ev.ready().is_readable());
}

#[test]
fn error_and_closed_satisfy_the_matching_directions() {
    let io = IoState::new();
    deliver(&io, Ready::WRITE_CLOSED);
    assert!(io.ready_event(Interest::READABLE).is_none());
    assert!(io.ready_event(Interest::WRITABLE).is_some());
    let io = IoState::new();
    deliver(&io, Ready::ERROR);
    for interest in [Interest::READABLE, Interest::WRITABLE, Interest::PRIORITY] {
        assert!(io.ready_event(interest).is_some(), "{interest:?}");
    }
    let io = IoState::new();
    deliver(&io, Ready::PRIORITY);
    assert!(io.ready_event(Interest::READABLE).is_none());
    assert!(io.ready_event(Interest::PRIORITY).is_some());
}

#[test]
fn poll_ready_wakes_the_slot_of_the_matching_direction() {
    let io = IoState::new();
    let (reads, read_waker) = counting();
    let (writes, write_waker) = counting();
    assert!(poll_dir(&io, &read_waker, Direction::Read).is_pending());
    assert!(poll_dir(&io, &write_waker, Direction::Write).is_pending());
    deliver(&io, Ready::WRITABLE);
    assert_eq!((wakes(&reads), wakes(&writes)), (0, 1));
    assert!(poll_dir(&io, &write_waker, Direction::Write).is_ready());
    deliver(&io, Ready::READABLE);
    assert_eq!((wakes(&reads), wakes(&writes)), (1, 1));
    match poll_dir(&io, &read_waker, Direction::Read) {
        Poll::Ready(Ok(ev)) => assert_eq!(ev.ready(), Ready::READABLE),
        other => panic!("{other:?}"),
    }
}

#[test]
fn poll_ready_keeps_one_waker_per_slot() {
    let io = IoState::new();
    let (first, first_waker) = counting();
    let (second, second_waker) = counting();
    assert!(poll_dir(&io, &first_waker, Direction::Read).is_pending());
    assert!(poll_dir(&io, &second_waker, Direction::Read).is_pending());
    deliver(&io, Ready::READABLE);
    assert_eq!((wakes(&first), wakes(&second)), (0, 1), "the last poller is woken");
    // `first` and `first_waker` only: the slot no longer holds a clone.
    assert_eq!(Arc::strong_count(&first), 2, "the replaced waker was dropped");
}

#[test]
fn shutdown_wakes_everyone_and_fails_every_poll() {
    let io = IoState::new();
    let (count, waker) = counting();
    assert!(poll_dir(&io, &waker, Direction::Read).is_pending());
    assert!(poll_dir(&io, &waker, Direction::Write).is_pending());
    let mut readiness = pin!(io.readiness(Interest::PRIORITY));
    assert!(readiness.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    let mut wakers = Vec::new();
    io.shutdown(&mut wakers);
    assert_eq!(wakers.len(), 3);
    wakers.into_iter().for_each(Waker::wake);
    assert_eq!(wakes(&count), 3);
    for direction in [Direction::Read, Direction::Write] {
        match poll_dir(&io, &waker, direction) {
            Poll::Ready(Err(e)) => assert!(e.to_string().contains("shut down"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        readiness.as_mut().poll(&mut Context::from_waker(&waker)),
        Poll::Ready(Err(_))
    ));
    // Events after shutdown change nothing.
    io.set_readiness(Ready::READABLE);
    assert!(io.snapshot().ready().is_empty());
}

#[test]
fn readiness_wakes_every_matching_waiter_and_only_those() {
    let io = IoState::new();
    let (readers, reader_waker) = counting();
    let (writers, writer_waker) = counting();
    let mut r1 = pin!(io.readiness(Interest::READABLE));
    let mut r2 = pin!(io.readiness(Interest::READABLE));
    let mut w = pin!(io.readiness(Interest::WRITABLE));
    let mut rcx = Context::from_waker(&reader_waker);
    let mut wcx = Context::from_waker(&writer_waker);
    assert!(r1.as_mut().poll(&mut rcx).is_pending());
    assert!(r2.as_mut().poll(&mut rcx).is_pending());
    assert!(w.as_mut().poll(&mut wcx).is_pending());
    deliver(&io, Ready::READABLE);
    assert_eq!((wakes(&readers), wakes(&writers)), (2, 0));
    assert!(r1.as_mut().poll(&mut rcx).is_ready());
    assert!(r2.as_mut().poll(&mut rcx).is_ready());
    assert!(w.as_mut().poll(&mut wcx).is_pending());
    deliver(&io, Ready::WRITABLE);
    assert_eq!(wakes(&writers), 1);
    assert!(w.as_mut().poll(&mut wcx).is_ready());
}

#[test]
fn woken_waiter_waits_again_if_the_readiness_was_cleared() {
    let io = IoState::new();
    let (count, waker) = counting();
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(io.readiness(Interest::READABLE));
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    deliver(&io, Ready::READABLE);
    assert_eq!(wakes(&count), 1);
    // Someone else consumed the readiness before this waiter ran.
    let ev = io.ready_event(Interest::READABLE).unwrap().unwrap();
    io.clear_readiness(ev);
    assert!(fut.as_mut().poll(&mut cx).is_pending(), "re-registered");
    deliver(&io, Ready::READABLE);
    assert_eq!(wakes(&count), 2, "woken again after re-registering");
    assert!(fut.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn dropped_waiter_is_unlinked() {
    let io = IoState::new();
    let (count, waker) = counting();
    let mut cx = Context::from_waker(&waker);
    {
        let mut fut = pin!(io.readiness(Interest::READABLE));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    }
    assert!(io.lock_waiters().list.is_empty());
    assert_eq!(Arc::strong_count(&count), 2, "the dropped waiter released its waker");
    deliver(&io, Ready::READABLE);
    assert_eq!(wakes(&count), 0);
}

#[test]
fn readiness_polls_spend_the_budget() {
    let io = IoState::new();
    deliver(&io, Ready::READABLE);
    let (count, waker) = counting();
    crate::coop::with_budget(|| {
        let mut ready = 0;
        while poll_dir(&io, &waker, Direction::Read).is_ready() {
            ready += 1;
            assert!(
                ready <= usize::from(crate::coop::INITIAL_BUDGET),
                "the budget is not spent"
            );
        }
        assert_eq!(ready, usize::from(crate::coop::INITIAL_BUDGET));
        assert_eq!(wakes(&count), 1, "an exhausted budget yields by waking the task");
        let mut fut = pin!(io.readiness(Interest::READABLE));
        assert!(fut.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
    });
    // Outside a task there is no budget to spend.
    assert!(poll_dir(&io, &waker, Direction::Read).is_ready());
}

#[test]
fn pending_poll_gives_the_budget_back() {
    let io = IoState::new();
    let (_, waker) = counting();
    crate::coop::with_budget(|| {
        for _ in 0..1000 {
            assert!(poll_dir(&io, &waker, Direction::Read).is_pending());
        }
        assert!(crate::coop::has_budget_remaining());
    });
}

#[test]
fn stale_token_never_reaches_the_registration_reusing_its_slot() {
    let table = Mutex::new(Table::new());
    let (old_token, old) = table.lock().insert().unwrap();
    assert!(table.lock().remove(old_token));
    let (new_token, new) = table.lock().insert().unwrap();
    assert_ne!(old_token, new_token);
    assert_eq!(old_token & 0xFF_FFFF, new_token & 0xFF_FFFF, "the slot is reused");
    table::dispatch(&table, [(old_token, Ready::READABLE)].into_iter(), &mut Vec::new());
    assert!(
        new.snapshot().ready().is_empty(),
        "a stale token woke the new registration"
    );
    assert!(old.snapshot().ready().is_empty(), "a removed registration got an event");
    assert!(!table.lock().remove(old_token), "a stale token removed the new entry");
    assert_eq!(table.lock().len(), 1);
    table::dispatch(&table, [(new_token, Ready::READABLE)].into_iter(), &mut Vec::new());
    assert_eq!(new.snapshot().ready(), Ready::READABLE);
}

#[test]
fn dispatch_wakes_after_delivering_the_whole_batch() {
    let table = Mutex::new(Table::new());
    let (a_token, a) = table.lock().insert().unwrap();
    let (b_token, b) = table.lock().insert().unwrap();
    let (count, waker) = counting();
    assert!(poll_dir(&a, &waker, Direction::Read).is_pending());
    assert!(poll_dir(&b, &waker, Direction::Write).is_pending());
    let mut wakers = Vec::new();
    let batch = [
        (a_token, Ready::READABLE),
        (b_token, Ready::WRITABLE),
        (usize::MAX, Ready::ALL),
    ];
    table::dispatch(&table, batch.into_iter(), &mut wakers);
    assert_eq!(wakes(&count), 2);
    assert!(wakers.is_empty() && wakers.capacity() >= 2, "the buffer is reused");
}

#[test]
fn table_refuses_registrations_after_shutdown() {
    let table = Mutex::new(Table::new());
    let (_, io) = table.lock().insert().unwrap();
    table::shutdown(&table);
    assert!(io.snapshot().is_shutdown());
    assert_eq!(table.lock().len(), 0);
    let err = table.lock().insert().unwrap_err();
    assert!(err.to_string().contains("shut down"), "{err}");
}

#[test]
fn interest_and_ready_basics() {
    let i = Interest::READABLE | Interest::PRIORITY;
    assert!(i.is_readable() && i.is_priority() && !i.is_writable());
    assert_eq!(format!("{i:?}"), "READABLE | PRIORITY");
    let r = Ready::READABLE | Ready::ERROR;
    assert_eq!(format!("{r:?}"), "{READABLE, ERROR}");
    assert!(r.contains(Ready::ERROR) && !r.contains(Ready::ALL));
    assert_eq!(r - Ready::ERROR, Ready::READABLE);
}

#[test]
fn registration_state_stays_small() {
    // The per-connection cost: the shared state (plus the `Arc` header) and the slab
    // entry. A regression here multiplies by every idle connection.
    assert!(
        std::mem::size_of::<IoState>() <= 64,
        "{}",
        std::mem::size_of::<IoState>()
    );
    assert!(std::mem::align_of::<IoState>() <= 16);
}

mod with_driver {
    use std::io::{Read, Write};
    use std::time::Duration;

    use crate::context;
    use crate::driver::{Config, Driver};
    use crate::io::{Interest, PollEvented};

    #[test]
    // Miri emulates epoll and socketpair, but std reads a Unix socket with `recv(2)`,
    // which Miri does not implement for its socketpairs (`ENOTSOCK`). The waiter lists
    // and the readiness word this exercises also run without a driver, under Miri.
    #[cfg_attr(miri, ignore = "Miri's socketpair has no recv(2), which std's UnixStream::read uses")]
    fn drop_and_into_inner_remove_the_table_entry() {
        let (mut driver, handle) = Driver::new(Config {
            enable_io: true,
            ..Config::default()
        })
        .unwrap();
        let _enter = context::set_current_handle(&handle);
        let reactor = handle.io().unwrap();
        let (a, b) = mio::net::UnixStream::pair().unwrap();
        let (a, b) = (PollEvented::new(a).unwrap(), PollEvented::new(b).unwrap());
        assert_eq!(reactor.registrations(), 2);
        drop(a);
        assert_eq!(reactor.registrations(), 1);
        let mut b = b.into_inner().unwrap();
        assert_eq!(reactor.registrations(), 0);
        // Deregistered from mio too: it registers again without `EEXIST`.
        b.write_all(b"x").unwrap_err(); // the peer is gone
        let b = PollEvented::new(b).unwrap();
        driver.park_timeout(&handle, Duration::ZERO);
        let mut buf = [0; 1];
        let n = b.try_io(Interest::READABLE, |s| (&*s).read(&mut buf));
        assert!(matches!(n, Ok(0)), "{n:?}");
        driver.shutdown(&handle);
        drop(b);
        assert_eq!(reactor.registrations(), 0);
    }
}
