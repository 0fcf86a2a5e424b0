//! Loom models of the intrusive inject queue: pushes and pops from two threads, and
//! `close` racing a push.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-core --test loom_inject`.
#![cfg(loom)]

mod support;

use loom::thread;
use rt_core::loom::sync::Arc;
use rt_core::task::{Id, Inject, JoinHandle, Notified};
use support::{Counters, Out, Probe, Sched};

/// `n` bound tasks whose notifications are handed to the caller instead of the
/// scheduler's own queue. The futures never complete.
fn tasks(sched: &Sched, counters: &std::sync::Arc<Counters>, n: usize) -> Vec<(Notified<Sched>, JoinHandle<Out>)> {
    (0..n)
        .map(|_| {
            let (task, notified, join) = rt_core::task::new_task(Probe::pending(counters), sched.clone());
            let notified = sched.owned().bind(task, notified).expect("list open");
            (notified, join)
        })
        .collect()
}

/// Cancels every task and checks that each future was dropped once and every task freed.
fn finish(sched: Sched, counters: &std::sync::Arc<Counters>, joins: Vec<JoinHandle<Out>>, n: usize) {
    drop(joins);
    sched.shutdown();
    assert_eq!(counters.future_drops(), n);
    assert_eq!(counters.polls(), 0);
    sched.assert_all_freed();
}

fn ids(popped: &[Notified<Sched>]) -> Vec<Id> {
    popped.iter().map(Notified::id).collect()
}

/// One thread pushes a batch of two, the other pushes one and pops one, then the rest is
/// taken with `pop_batch`: every notification comes out exactly once, the batch in order.
#[test]
fn push_batch_and_pop_from_two_threads() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let (notified, joins): (Vec<_>, Vec<_>) = tasks(&sched, &counters, 3).into_iter().unzip();
        let all: Vec<Id> = ids(&notified);
        let mut notified = notified.into_iter();
        let (a, b, c) = (
            notified.next().unwrap(),
            notified.next().unwrap(),
            notified.next().unwrap(),
        );
        let inject = Arc::new(Inject::<Sched>::new());

        let pusher = {
            let inject = inject.clone();
            thread::spawn(move || inject.push_batch([a, b]))
        };
        inject.push(c);
        // Consume by spinning (with a yield, so loom lets the pusher run): the early,
        // lock-free `is_empty` check of `pop` is a load loom would not otherwise
        // interleave with the pusher's later store.
        let mut popped: Vec<Notified<Sched>> = Vec::new();
        while popped.is_empty() {
            popped.extend(inject.pop());
        }
        while popped.len() < 3 {
            let batch = inject.pop_batch(8);
            if batch.is_empty() {
                thread::yield_now();
            }
            popped.extend(batch);
        }
        pusher.join().unwrap();
        assert!(inject.is_empty() && inject.pop().is_none());
        let order = ids(&popped);
        let pos = |id: Id| order.iter().position(|&x| x == id).expect("popped exactly once");
        assert!(pos(all[0]) < pos(all[1]), "the batch keeps its order");
        let _ = pos(all[2]);
        popped.clear();
        drop(inject);
        finish(sched, &counters, joins, 3);
    });
}

/// Pushes on one thread, `pop_batch` and `pop` on the other.
#[test]
fn push_and_pop_batch_from_two_threads() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let (notified, joins): (Vec<_>, Vec<_>) = tasks(&sched, &counters, 2).into_iter().unzip();
        let all: Vec<Id> = ids(&notified);
        let inject = Arc::new(Inject::<Sched>::new());

        let pusher = {
            let inject = inject.clone();
            thread::spawn(move || {
                for task in notified {
                    inject.push(task);
                }
            })
        };
        // Alternate `pop_batch` and `pop` until both are out (see above for the yield).
        let mut popped = Vec::new();
        while popped.len() < 2 {
            let before = popped.len();
            popped.extend(inject.pop_batch(2));
            popped.extend(inject.pop());
            if popped.len() == before {
                thread::yield_now();
            }
        }
        pusher.join().unwrap();
        assert!(inject.pop().is_none());

        assert_eq!(ids(&popped), all, "FIFO order, each once");
        assert_eq!(inject.len(), 0);
        drop(popped);
        drop(inject);
        finish(sched, &counters, joins, 2);
    });
}

/// `close` racing a push and a batch push: each notification is either queued (pushed
/// before the close) or dropped by the push; a batch is never split; the queue's drop
/// releases what it still holds. Nothing leaks.
#[test]
fn close_races_push() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let (notified, joins): (Vec<_>, Vec<_>) = tasks(&sched, &counters, 3).into_iter().unzip();
        let all: Vec<Id> = ids(&notified);
        let mut notified = notified.into_iter();
        let (a, b, c) = (
            notified.next().unwrap(),
            notified.next().unwrap(),
            notified.next().unwrap(),
        );
        let inject = Arc::new(Inject::<Sched>::new());

        let pusher = {
            let inject = inject.clone();
            thread::spawn(move || {
                inject.push(a);
                inject.push_batch([b, c]);
            })
        };
        assert!(inject.close());
        pusher.join().unwrap();
        assert!(!inject.close(), "already closed");
        assert!(inject.is_closed());

        let popped = ids(&inject.pop_batch(8));
        let expected: &[Id] = match popped.len() {
            0 => &[],
            1 => &all[..1],
            3 => &all[..],
            n => panic!("a batch was split: {n} queued"),
        };
        assert_eq!(popped, expected);
        drop(inject);
        finish(sched, &counters, joins, 3);
    });
}

/// A queue dropped with notifications still in it (a scheduler torn down without
/// draining) releases them while another thread is still pushing into a clone of it.
#[test]
fn drop_with_queued_tasks_racing_push() {
    loom::model(|| {
        let counters = Counters::new();
        let sched = Sched::new();
        let (notified, joins): (Vec<_>, Vec<_>) = tasks(&sched, &counters, 2).into_iter().unzip();
        let mut notified = notified.into_iter();
        let (a, b) = (notified.next().unwrap(), notified.next().unwrap());
        let inject = Arc::new(Inject::<Sched>::new());
        inject.push(a);

        let pusher = {
            let inject = inject.clone();
            thread::spawn(move || inject.push(b))
        };
        drop(inject);
        pusher.join().unwrap();

        finish(sched, &counters, joins, 2);
    });
}
