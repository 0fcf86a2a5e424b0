//! Loom models of the local queue (`CAPACITY` is 4 here).
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-sched --lib queue`.
//! Each model checks that every item comes out exactly once, and loom checks every slot
//! access for data races.

use rt_core::loom::sync::Mutex;
use rt_core::loom::thread;

use super::inner::CAPACITY;
use super::{local, Local, Steal};

/// Steals once from `steal` into a fresh queue and returns everything that came out.
fn steal_once(steal: &Steal<usize>) -> Vec<usize> {
    let (_, mut mine) = local();
    let mut got = Vec::new();
    if let Some((task, stolen)) = steal.steal_into(&mut mine) {
        got.push(task);
        got.extend(mine.drain());
        assert_eq!(got.len(), stolen);
    }
    got
}

/// Asserts that `got` holds each of `0..n` exactly once.
fn assert_exactly_once(mut got: Vec<usize>, n: usize) {
    got.sort_unstable();
    assert_eq!(got, (0..n).collect::<Vec<_>>());
}

fn fill(local: &mut Local<usize>, n: usize) {
    for i in 0..n {
        local.try_push_back(i).unwrap();
    }
}

/// The owner pushes (past a wrap of the ring) and pops while a stealer steals twice.
#[test]
fn owner_push_pop_against_stealer() {
    loom::model(|| {
        let (steal, mut owner) = local();
        fill(&mut owner, 3);
        let stealer = thread::spawn(move || {
            let mut got = steal_once(&steal);
            got.extend(steal_once(&steal));
            got
        });

        let sink = Mutex::new(Vec::new());
        let mut got: Vec<usize> = owner.pop().into_iter().collect();
        // Positions 3 and 4: the second reuses slot 0, which a stealer may be copying.
        owner.push_back_or_overflow(3, &sink);
        owner.push_back_or_overflow(4, &sink);
        got.extend(owner.pop());
        got.extend(owner.drain());

        got.extend(stealer.join().unwrap());
        got.extend(sink.lock().drain(..));
        assert_exactly_once(got, 5);
    });
}

/// Two stealers race on one victim whose owner keeps pushing: one steal at a time,
/// nothing taken twice, no slot reused while it is copied.
#[test]
fn two_stealers_race() {
    loom::model(|| {
        let (steal, mut owner) = local();
        fill(&mut owner, CAPACITY);
        let stealers: Vec<_> = (0..2)
            .map(|_| {
                let steal = steal.clone();
                thread::spawn(move || steal_once(&steal))
            })
            .collect();

        let sink = Mutex::new(Vec::new());
        owner.push_back_or_overflow(CAPACITY, &sink);
        let mut got = Vec::new();
        for stealer in stealers {
            got.extend(stealer.join().unwrap());
        }
        got.extend(owner.drain());
        got.extend(sink.lock().drain(..));
        assert_exactly_once(got, CAPACITY + 1);
    });
}

/// The owner overflows into an injection sink while a stealer steals.
#[test]
fn overflow_against_stealer() {
    loom::model(|| {
        let (steal, mut owner) = local();
        fill(&mut owner, CAPACITY);
        let stealer = thread::spawn(move || steal_once(&steal));

        let sink = Mutex::new(Vec::new());
        let items = CAPACITY + 2;
        for i in CAPACITY..items {
            owner.push_back_or_overflow(i, &sink);
        }

        let mut got = stealer.join().unwrap();
        got.extend(owner.drain());
        got.extend(sink.lock().drain(..));
        assert_exactly_once(got, items);
    });
}

/// The owner pops the only task while a stealer tries to steal it.
#[test]
fn pop_against_steal_of_last_task() {
    loom::model(|| {
        let (steal, mut owner) = local();
        fill(&mut owner, 1);
        let stealer = {
            let steal = steal.clone();
            thread::spawn(move || steal_once(&steal))
        };

        let mut got: Vec<usize> = owner.pop().into_iter().collect();
        got.extend(stealer.join().unwrap());
        assert_exactly_once(got, 1);
        // The finished steal handed every slot back.
        assert!(!owner.has_tasks() && steal.is_empty());
        assert_eq!((steal.len(), owner.remaining_slots()), (0, CAPACITY));
    });
}
