//! Loom models of the task state machine: wakes, join handles, abort and shutdown
//! racing a poll or a completion.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core --test loom_task`.
//!
//! Every model ends by joining its threads and checking, with counters outside the
//! model, that the future and the output were dropped exactly once, that the task was
//! polled no more than needed and queued at most once at a time (the scheduler in
//! `support` asserts that on every `schedule`), and that every task allocation was
//! freed. The scheduler's `schedule` and `release` also check a canary in the task, so
//! a call into a freed task fails the model.
#![cfg(loom)]

mod support;

use std::task::Poll;

use loom::thread;
use support::{
    block_on, counting_waker, output_or_cancelled, poll_join, poll_with, Counters, Probe, Sched, WakerSlot, OUTPUT,
};

#[derive(Clone, Copy)]
enum Wake {
    ByRef,
    ByVal,
}

fn wake(waker: std::task::Waker, how: Wake) {
    match how {
        Wake::ByRef => {
            waker.wake_by_ref();
            drop(waker);
        }
        Wake::ByVal => waker.wake(),
    }
}

/// The task yields on its first poll (so it is queued again) and completes on its
/// second; another thread wakes it meanwhile, through a waker it cloned. That wake always
/// finds the task queued, running or complete, so it must never queue it.
fn wake_races_second_poll(how: Wake) {
    loom::model(move || {
        let counters = Counters::new();
        let slot = WakerSlot::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 2).yield_first().stash(&slot));
        assert!(sched.run_one());
        assert_eq!(sched.queued(), 1, "the yield requeued the task");
        let waker = slot.take().unwrap();

        let waker_thread = thread::spawn(move || wake(waker, how));
        sched.drain();
        waker_thread.join().unwrap();
        sched.drain();

        assert_eq!(counters.polls(), 2);
        assert_eq!(
            sched.scheduled(),
            2,
            "spawn and yield only: the racing wake never submits"
        );
        assert_eq!(counters.future_drops(), 1);
        let Poll::Ready(Ok(out)) = poll_join(&mut join) else {
            panic!("no output")
        };
        assert_eq!(out.value, OUTPUT);
        drop(out);
        drop(join);
        drop(slot.take());
        assert_eq!(counters.output_drops(), 1);
        sched.assert_all_freed();
    });
}

#[test]
fn wake_by_ref_races_second_poll() {
    wake_races_second_poll(Wake::ByRef);
}

#[test]
fn wake_by_val_races_second_poll() {
    wake_races_second_poll(Wake::ByVal);
}

/// The task is idle after its first poll; another thread's wake submits it while this
/// thread drains the queue, so the second poll and the completion race the end of the
/// wake (the submission, then the waker's reference being dropped).
fn wake_submits_racing_completion(how: Wake) {
    loom::model(move || {
        let counters = Counters::new();
        let slot = WakerSlot::new();
        let sched = Sched::new();
        let join = sched.spawn(Probe::new(&counters, 2).stash(&slot));
        assert!(sched.run_one());
        assert_eq!(sched.queued(), 0);
        let waker = slot.take().unwrap();

        let waker_thread = thread::spawn(move || wake(waker, how));
        sched.drain();
        // The join handle goes while the task may be running or complete.
        drop(join);
        waker_thread.join().unwrap();
        sched.drain();

        assert_eq!(counters.polls(), 2);
        assert_eq!(sched.scheduled(), 2);
        drop(slot.take());
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), 1);
        sched.assert_all_freed();
    });
}

#[test]
fn wake_by_ref_submits_racing_completion() {
    wake_submits_racing_completion(Wake::ByRef);
}

#[test]
fn wake_by_val_submits_racing_completion() {
    wake_submits_racing_completion(Wake::ByVal);
}

/// Two wakers of an idle task fire at once while this thread drains the queue: exactly
/// one of them submits the task.
#[test]
fn two_wakes_submit_once() {
    loom::model(|| {
        let counters = Counters::new();
        let slot = WakerSlot::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 2).stash(&slot));
        assert!(sched.run_one());
        let waker = slot.take().unwrap();
        let other = waker.clone();

        let a = thread::spawn(move || wake(waker, Wake::ByRef));
        let b = thread::spawn(move || wake(other, Wake::ByVal));
        sched.drain();
        a.join().unwrap();
        b.join().unwrap();
        sched.drain();

        assert_eq!(counters.polls(), 2);
        assert_eq!(sched.scheduled(), 2, "the two wakes submitted the task once");
        assert!(matches!(poll_join(&mut join), Poll::Ready(Ok(ref out)) if out.value == OUTPUT));
        drop(join);
        drop(slot.take());
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), 1);
        sched.assert_all_freed();
    });
}

/// Dropping the join handle (after registering a waker, or not) while the task
/// completes: the output is dropped exactly once, by whichever side comes last.
fn join_drop_races_completion(register_first: bool) {
    loom::model(move || {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 1));

        let joiner = {
            let counters = counters.clone();
            thread::spawn(move || {
                if register_first {
                    let waker = counting_waker(&counters);
                    if let Poll::Ready(result) = poll_with(&mut join, &waker) {
                        assert!(output_or_cancelled(result), "not cancelled");
                    }
                }
                drop(join);
            })
        };
        sched.drain();
        joiner.join().unwrap();

        assert_eq!(counters.polls(), 1);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), 1);
        assert!(counters.wakes() <= 1);
        sched.assert_all_freed();
    });
}

#[test]
fn join_drop_races_completion_unregistered() {
    join_drop_races_completion(false);
}

#[test]
fn join_drop_races_completion_registered() {
    join_drop_races_completion(true);
}

/// The joining thread registers one waker, then re-registers with another (the one that
/// unparks it) while the task completes. It must get the output: if the completion's
/// wake went to a stale waker, `block_on` parks forever and loom reports a deadlock.
fn join_poll_races_completion(same_waker_twice: bool) {
    loom::model(move || {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 1));

        let joiner = {
            let counters = counters.clone();
            thread::spawn(move || {
                let first = counting_waker(&counters);
                let mut result = poll_with(&mut join, &first);
                if result.is_pending() && same_waker_twice {
                    // `will_wake` is true: the registered waker is kept.
                    result = poll_with(&mut join, &first.clone());
                }
                let result = match result {
                    Poll::Ready(result) => result,
                    Poll::Pending => block_on(&mut join),
                };
                let out = result.expect("the task was not cancelled");
                assert_eq!(out.value, OUTPUT);
            })
        };
        sched.drain();
        joiner.join().unwrap();

        assert_eq!(counters.polls(), 1);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), 1);
        // The first waker is woken only if it was still registered at completion.
        assert!(counters.wakes() <= 1);
        sched.assert_all_freed();
    });
}

#[test]
fn join_poll_reregister_races_completion() {
    join_poll_races_completion(false);
}

#[test]
fn join_poll_same_waker_races_completion() {
    join_poll_races_completion(true);
}

/// Abort from another thread while the task is polled twice (it yields once): the
/// abort lands before, during or between the polls, or after completion. The future is
/// dropped exactly once and the handle sees the output or a cancellation.
#[test]
fn abort_races_poll() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 2).yield_first());
        let abort = join.abort_handle();

        let aborter = thread::spawn(move || abort.abort());
        sched.drain();
        aborter.join().unwrap();
        sched.drain();

        let Poll::Ready(result) = poll_join(&mut join) else {
            panic!("task not finished")
        };
        let completed = output_or_cancelled(result);
        assert!(counters.polls() <= 2);
        assert_eq!(completed, counters.polls() == 2);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), usize::from(completed));
        drop(join);
        sched.assert_all_freed();
    });
}

/// Abort racing the only poll, which completes the task; the aborting thread then
/// awaits the handle.
#[test]
fn abort_races_completion() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 1));

        let joiner = thread::spawn(move || {
            join.abort();
            output_or_cancelled(block_on(&mut join))
        });
        sched.drain();
        let completed = joiner.join().unwrap();
        sched.drain();

        assert_eq!(completed, counters.polls() == 1);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), usize::from(completed));
        sched.assert_all_freed();
    });
}

/// Abort of an idle task submits it; the submission races this thread draining the
/// queue and dropping the join handle.
#[test]
fn abort_idle_races_join_drop() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let join = sched.spawn(Probe::pending(&counters));
        assert!(sched.run_one());
        let abort = join.abort_handle();

        let aborter = thread::spawn(move || abort.abort());
        sched.drain();
        drop(join);
        aborter.join().unwrap();
        sched.drain();

        assert_eq!(counters.polls(), 1);
        assert_eq!(sched.scheduled(), 2);
        assert_eq!(counters.future_drops(), 1);
        sched.assert_all_freed();
    });
}

/// Runtime shutdown on another thread while this thread runs the task (which yields
/// once, so it is also queued during the race). The join handle is kept to the end, or
/// dropped before the race so that the completion path holds the last reference.
fn shutdown_races_poll(keep_join: bool) {
    loom::model(move || {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = Some(sched.spawn(Probe::new(&counters, 2).yield_first()));
        if !keep_join {
            drop(join.take());
        }

        let shutdown = {
            let sched = sched.clone();
            thread::spawn(move || sched.shutdown())
        };
        sched.drain();
        shutdown.join().unwrap();
        // Whatever is still queued belongs to a cancelled task: drain or drop it.
        sched.drain();

        assert!(counters.polls() <= 2);
        assert_eq!(counters.future_drops(), 1);
        if let Some(mut join) = join {
            let Poll::Ready(result) = poll_join(&mut join) else {
                panic!("task not finished")
            };
            let completed = output_or_cancelled(result);
            assert_eq!(completed, counters.polls() == 2);
        }
        assert!(counters.output_drops() <= 1);
        assert_eq!(counters.output_drops(), usize::from(counters.polls() == 2));
        sched.assert_all_freed();
    });
}

#[test]
fn shutdown_races_poll_join_kept() {
    shutdown_races_poll(true);
}

#[test]
fn shutdown_races_poll_join_dropped() {
    shutdown_races_poll(false);
}

/// Shutdown while the join handle is dropped on a third thread and this thread runs the
/// task: whoever frees the task must be the last to touch it.
#[test]
fn shutdown_races_poll_and_join_drop() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let join = sched.spawn(Probe::pending(&counters));

        let shutdown = {
            let sched = sched.clone();
            thread::spawn(move || sched.shutdown())
        };
        let dropper = thread::spawn(move || drop(join));
        sched.drain();
        shutdown.join().unwrap();
        dropper.join().unwrap();
        sched.drain();

        assert!(counters.polls() <= 1);
        assert_eq!(counters.future_drops(), 1);
        sched.assert_all_freed();
    });
}

/// The task is queued (it yielded) when shutdown cancels it on another thread; this
/// thread meanwhile pops and runs the stale notification and then wakes the task
/// through a waker it cloned. Every wake during the cancellation must leave nothing
/// pinned, and the queue, drained or dropped afterwards, frees the task.
fn shutdown_races_queued_wake(how: Wake, drop_queue: bool) {
    loom::model(move || {
        let counters = Counters::new();
        let slot = WakerSlot::new();
        let sched = Sched::new();
        let join = sched.spawn(Probe::pending(&counters).yield_first().stash(&slot));
        assert!(sched.run_one());
        assert_eq!(sched.queued(), 1);
        let waker = slot.take().unwrap();
        drop(join);

        let shutdown = {
            let sched = sched.clone();
            thread::spawn(move || sched.shutdown())
        };
        sched.run_one();
        wake(waker, how);
        shutdown.join().unwrap();
        if drop_queue {
            sched.drop_queue();
        } else {
            sched.drain();
        }

        assert!(counters.polls() <= 2);
        assert_eq!(counters.future_drops(), 1);
        drop(slot.take());
        sched.assert_all_freed();
    });
}

#[test]
fn shutdown_races_queued_wake_by_ref() {
    shutdown_races_queued_wake(Wake::ByRef, false);
}

#[test]
fn shutdown_races_queued_wake_by_val() {
    shutdown_races_queued_wake(Wake::ByVal, false);
}

#[test]
fn shutdown_races_queued_wake_then_queue_dropped() {
    shutdown_races_queued_wake(Wake::ByRef, true);
}

/// After completion, wakers are cloned, woken and dropped on two threads while this
/// thread takes the output and drops the join handle: the task is freed exactly once,
/// by the last of them, and never queued again.
#[test]
fn wakers_after_completion_free_once() {
    loom::model(|| {
        let counters = Counters::new();
        let slot = WakerSlot::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 1).stash(&slot));
        assert!(sched.run_one());
        let waker = slot.take().unwrap();
        let other = waker.clone();

        let a = thread::spawn(move || {
            let clone = waker.clone();
            waker.wake_by_ref();
            drop(waker);
            clone.wake();
        });
        let b = thread::spawn(move || other.wake());
        let Poll::Ready(Ok(out)) = poll_join(&mut join) else {
            panic!("no output")
        };
        assert_eq!(out.value, OUTPUT);
        drop(join);
        a.join().unwrap();
        b.join().unwrap();

        assert_eq!(sched.scheduled(), 1, "wakes after completion queue nothing");
        assert_eq!(counters.future_drops(), 1);
        drop(out);
        assert_eq!(counters.output_drops(), 1);
        sched.assert_all_freed();
    });
}

/// Shutdown on one thread while this thread completes the task and a third awaits and
/// drops the join handle: after `COMPLETE`, the owned-list reference may be dropped by
/// shutdown and the handle's by the joiner before the completion has woken the joiner
/// and called `release`, so the completion must hold a reference of its own.
#[test]
fn shutdown_races_completion_and_join() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let mut join = sched.spawn(Probe::new(&counters, 1));

        let shutdown = {
            let sched = sched.clone();
            thread::spawn(move || sched.shutdown())
        };
        let joiner = thread::spawn(move || output_or_cancelled(block_on(&mut join)));
        sched.drain();
        shutdown.join().unwrap();
        let completed = joiner.join().unwrap();
        sched.drain();

        assert_eq!(completed, counters.polls() == 1);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.output_drops(), usize::from(completed));
        sched.assert_all_freed();
    });
}

/// A spawn (bind) racing shutdown: the task is either bound and then cancelled by the
/// shutdown, or refused by the closed list and cancelled at once. Either way the handle
/// reports a cancellation, the future is dropped once, and the notification (queued or
/// not) frees nothing twice.
#[test]
fn bind_races_shutdown() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();

        let shutdown = {
            let sched = sched.clone();
            thread::spawn(move || sched.shutdown())
        };
        let mut join = sched.spawn(Probe::pending(&counters));
        shutdown.join().unwrap();
        assert!(sched.owned().is_closed());
        // A queued notification of the cancelled task fails when run.
        sched.drain();

        let Poll::Ready(result) = poll_join(&mut join) else {
            panic!("task not cancelled")
        };
        assert!(!output_or_cancelled(result));
        drop(join);
        assert_eq!(counters.future_drops(), 1);
        assert_eq!(counters.polls(), 0);
        sched.assert_all_freed();
    });
}
