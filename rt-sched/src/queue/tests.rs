//! Unit tests of the local queue (the concurrent protocol is model-checked in `loom_tests`).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use rt_core::loom::sync::Mutex;

use super::inner::CAPACITY;
use super::{local, local_starting_at, Local, Overflow, Steal};

type Sink = Mutex<Vec<usize>>;

fn assert_send_sync<X: Send + Sync>() {}

#[test]
fn halves_are_send_and_sync() {
    assert_send_sync::<Steal<Box<usize>>>();
    assert_send_sync::<Local<Box<usize>>>();
}

/// Fills `local` with `range` and checks nothing overflowed.
fn fill(local: &mut Local<usize>, range: std::ops::Range<usize>) {
    for i in range {
        assert_eq!(local.try_push_back(i), Ok(()), "pushing {i}");
    }
}

#[test]
fn pop_is_fifo() {
    let (_steal, mut local) = local();
    assert!(local.is_empty() && !local.has_tasks());
    fill(&mut local, 0..10);
    assert_eq!(local.len(), 10);
    assert!(local.has_tasks());
    assert_eq!(local.drain().collect::<Vec<_>>(), (0..10).collect::<Vec<_>>());
    assert_eq!(local.pop(), None);
}

#[test]
fn try_push_back_reports_full() {
    let (_steal, mut local) = local();
    fill(&mut local, 0..CAPACITY);
    assert_eq!(local.remaining_slots(), 0);
    assert_eq!(local.try_push_back(CAPACITY), Err(CAPACITY));
    assert_eq!(local.drain().count(), CAPACITY);
}

#[test]
fn full_queue_overflows_half_plus_the_new_task() {
    let (_steal, mut local) = local();
    let sink = Sink::default();
    for i in 0..CAPACITY {
        assert_eq!(local.push_back_or_overflow(i, &sink), 0);
    }
    assert_eq!(local.push_back_or_overflow(CAPACITY, &sink), CAPACITY / 2 + 1);

    let mut expected: Vec<usize> = (0..CAPACITY / 2).collect();
    expected.push(CAPACITY);
    assert_eq!(*sink.lock(), expected, "oldest half, then the new task");
    assert_eq!(local.remaining_slots(), CAPACITY / 2);
    let rest: Vec<usize> = local.drain().collect();
    assert_eq!(rest, (CAPACITY / 2..CAPACITY).collect::<Vec<_>>());
}

/// A sink that takes only two tasks: the rest of the batch is dropped, not leaked.
struct Picky(Mutex<Vec<Arc<()>>>);

impl Overflow<Arc<()>> for Picky {
    fn push(&self, task: Arc<()>) {
        self.0.lock().push(task);
    }

    fn push_batch<I: Iterator<Item = Arc<()>>>(&self, iter: I) {
        self.0.lock().extend(iter.take(2));
    }
}

#[test]
fn overflow_drops_what_the_sink_leaves() {
    let token = Arc::new(());
    let (_steal, mut local) = local();
    let sink = Picky(Mutex::new(Vec::new()));
    for _ in 0..=CAPACITY {
        local.push_back_or_overflow(token.clone(), &sink);
    }
    assert_eq!(sink.0.lock().len(), 2);
    assert_eq!(Arc::strong_count(&token), 1 + 2 + CAPACITY / 2);
    local.drain().for_each(drop);
    assert_eq!(Arc::strong_count(&token), 1 + 2);
}

#[test]
fn steal_takes_half_rounded_up() {
    let (steal, mut victim) = local();
    let (_, mut thief) = local();
    fill(&mut victim, 0..7);

    let (task, stolen) = steal.steal_into(&mut thief).expect("a task to steal");
    assert_eq!((task, stolen), (3, 4), "runs the last of the oldest four");
    assert_eq!(thief.drain().collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(steal.len(), 3);
    assert_eq!(victim.drain().collect::<Vec<_>>(), [4, 5, 6]);
}

#[test]
fn steal_single_task_returns_it() {
    let (steal, mut victim) = local();
    let (_, mut thief) = local();
    fill(&mut victim, 0..1);
    assert_eq!(steal.steal_into(&mut thief), Some((0, 1)));
    assert!(thief.is_empty() && victim.is_empty() && steal.is_empty());
}

#[test]
fn steal_from_empty_returns_none() {
    let (steal, _victim) = local::<usize>();
    let (_, mut thief) = local();
    assert!(steal.is_empty());
    assert_eq!(steal.steal_into(&mut thief), None);
}

#[test]
fn steal_skips_when_destination_is_over_half_full() {
    let (steal, mut victim) = local();
    let (_, mut thief) = local();
    fill(&mut victim, 0..4);
    fill(&mut thief, 100..101 + CAPACITY / 2);
    assert_eq!(steal.steal_into(&mut thief), None);
    assert_eq!(victim.len(), 4);
    victim.drain().for_each(drop);
    thief.drain().for_each(drop);
}

#[test]
fn full_victim_fills_half_of_an_empty_thief() {
    let (steal, mut victim) = local();
    let (_, mut thief) = local();
    fill(&mut victim, 0..CAPACITY);
    let (task, stolen) = steal.steal_into(&mut thief).unwrap();
    assert_eq!((task, stolen), (CAPACITY / 2 - 1, CAPACITY / 2));
    assert_eq!(thief.len(), CAPACITY / 2 - 1);
    assert_eq!(victim.remaining_slots(), CAPACITY / 2);
    assert_eq!(thief.drain().count() + victim.drain().count(), CAPACITY - 1);
}

/// Runs pushes, pops, steals and overflows over the `u32::MAX` to 0 wrap of positions.
#[test]
fn positions_wrap_around() {
    let start = u32::MAX - (CAPACITY as u32) - 3;
    let (steal, mut victim) = local_starting_at(start);
    let (_, mut thief) = local_starting_at(start);
    let sink = Sink::default();
    let mut next = 0;
    let mut seen = Vec::new();
    for round in 0..4 * CAPACITY {
        victim.push_back_or_overflow(next, &sink);
        next += 1;
        if round % 3 == 0 {
            seen.extend(victim.pop());
        }
        if round % 7 == 0 {
            if let Some((task, _)) = steal.steal_into(&mut thief) {
                seen.push(task);
                seen.extend(thief.drain());
            }
        }
    }
    seen.extend(victim.drain());
    seen.extend(sink.lock().drain(..));
    seen.sort_unstable();
    assert_eq!(seen, (0..next).collect::<Vec<_>>());
}

#[test]
fn many_push_pop_cycles_stay_fifo() {
    let (_steal, mut local) = local();
    let mut expected = 0;
    // More than 2^16 positions (fewer under Miri, which is slow; `positions_wrap_around`
    // covers the wrap), in bursts that keep crossing the ring's end.
    let positions: usize = if cfg!(miri) { 4 * CAPACITY } else { 1 << 17 };
    for round in 0..positions / 5 {
        fill(&mut local, round * 5..round * 5 + 5);
        for _ in 0..5 {
            assert_eq!(local.pop(), Some(expected));
            expected += 1;
        }
    }
}

#[test]
fn debug_shows_indices() {
    let (steal, mut local) = local_starting_at::<u8>(7);
    local.try_push_back(1).unwrap();
    let shown = format!("{steal:?}");
    assert!(shown.contains("real: 7") && shown.contains("tail: 8"), "{shown}");
    assert!(format!("{local:?}").starts_with("Local"));
    local.pop();
}

/// How many items the stress test moves.
const STRESS_ITEMS: usize = if cfg!(miri) { 300 } else { 100_000 };

/// One owner pushes (overflowing), pops and drains while two stealers steal, each into
/// its own queue; every item must come out exactly once.
#[test]
fn stress_owner_and_two_stealers() {
    let seen: Arc<Vec<AtomicBool>> = Arc::new((0..STRESS_ITEMS).map(|_| AtomicBool::new(false)).collect());
    let count = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mark = {
        let (seen, count) = (seen.clone(), count.clone());
        move |item: usize| {
            assert!(!seen[item].swap(true, Ordering::Relaxed), "item {item} seen twice");
            count.fetch_add(1, Ordering::Relaxed);
        }
    };
    let (steal, mut owner) = local();

    let stealers: Vec<_> = (0..2)
        .map(|_| {
            let (steal, done, mark) = (steal.clone(), done.clone(), mark.clone());
            thread::spawn(move || {
                let (_, mut mine) = local();
                loop {
                    if let Some((task, _)) = steal.steal_into(&mut mine) {
                        mark(task);
                        mine.drain().for_each(&mark);
                    } else if done.load(Ordering::Acquire) && steal.is_empty() {
                        return;
                    } else {
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();

    let sink = Sink::default();
    for item in 0..STRESS_ITEMS {
        owner.push_back_or_overflow(item, &sink);
        if item % 3 == 0 {
            owner.pop().into_iter().for_each(&mark);
        }
    }
    owner.drain().for_each(&mark);
    done.store(true, Ordering::Release);
    for stealer in stealers {
        stealer.join().unwrap();
    }
    sink.lock().drain(..).for_each(&mark);
    assert_eq!(count.load(Ordering::Relaxed), STRESS_ITEMS);
}
