use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::task::{Wake, Waker};

use super::*;

/// A waker that records its id into a shared log when woken.
struct Tagged {
    id: u64,
    log: Arc<std::sync::Mutex<Vec<u64>>>,
}

impl Wake for Tagged {
    fn wake(self: Arc<Self>) {
        self.log.lock().unwrap().push(self.id);
    }
}

fn tagged(id: u64, log: &Arc<std::sync::Mutex<Vec<u64>>>) -> Waker {
    Waker::from(Arc::new(Tagged { id, log: log.clone() }))
}

fn noop() -> Waker {
    futures::task::noop_waker()
}

/// Polls everything due by `now`, waking in order; returns how many fired.
fn fire(wheel: &mut Wheel, now: u64) -> usize {
    let mut n = 0;
    while let Some(waker) = wheel.poll(now) {
        waker.wake();
        n += 1;
    }
    wheel.check_invariants();
    n
}

#[test]
fn location_picks_the_highest_differing_digit() {
    assert_eq!(location(0, 1), (0, 1));
    assert_eq!(location(0, 63), (0, 63));
    assert_eq!(location(0, 64), (1, 1));
    assert_eq!(location(0, 64 * 64 - 1), (1, 63));
    assert_eq!(location(0, 64 * 64), (2, 1));
    assert_eq!(location(0, WHEEL_SPAN - 1), (5, 63));
    assert_eq!(location(0, WHEEL_SPAN), (OVERFLOW, 0));
    // Agreeing on the higher digits: the level is set by the first differing one.
    assert_eq!(location(100, 120), (0, 56));
    assert_eq!(location(100, 130), (1, 2));
    assert_eq!(location(130, 140), (0, 140 % 64));
    // Just across a block boundary: a higher level even though only a few ticks away.
    assert_eq!(location(63, 65), (1, 1));
    assert_eq!(location(WHEEL_SPAN - 1, WHEEL_SPAN + 5), (OVERFLOW, 0));
    assert_eq!(location(WHEEL_SPAN + 1, 3 * WHEEL_SPAN), (OVERFLOW, 1));
}

#[test]
fn timers_fire_at_their_tick_not_before() {
    let mut wheel = Wheel::new();
    let log = Arc::default();
    for when in [1, 5, 63, 64, 65, 100, 4095, 4096, 5000, 300_000] {
        wheel.insert(when, tagged(when, &log)).unwrap();
    }
    wheel.check_invariants();
    let mut fired = Vec::new();
    for now in [0, 1, 4, 5, 64, 4095, 4096, 4999, 5000, 299_999, 300_000] {
        fire(&mut wheel, now);
        let mut log = log.lock().unwrap();
        for &id in log.iter() {
            assert!(id <= now, "timer {id} fired at {now}");
        }
        fired.append(&mut log);
    }
    assert_eq!(fired, vec![1, 5, 63, 64, 65, 100, 4095, 4096, 5000, 300_000]);
    assert_eq!(wheel.len(), 0);
}

#[test]
fn one_big_jump_fires_everything_in_deadline_order() {
    let mut wheel = Wheel::new();
    let log = Arc::default();
    let mut whens: Vec<u64> = (0..2000u64).map(|i| (i * 7919) % 1_000_000 + 1).collect();
    for &when in &whens {
        wheel.insert(when, tagged(when, &log)).unwrap();
    }
    assert_eq!(fire(&mut wheel, 1_000_000), 2000);
    whens.sort_unstable();
    assert_eq!(*log.lock().unwrap(), whens);
    assert_eq!(wheel.elapsed(), 1_000_000);
}

#[test]
fn cascading_moves_timers_down_the_levels() {
    let mut wheel = Wheel::new();
    let when = 3 * 64 * 64 + 5 * 64 + 7; // level 2
    let key = wheel.insert(when, noop()).unwrap();
    assert_eq!(wheel.next_expiration(), Some(3 * 64 * 64));
    assert_eq!(fire(&mut wheel, 3 * 64 * 64), 0); // cascaded to level 1
    assert_eq!(wheel.next_expiration(), Some(3 * 64 * 64 + 5 * 64));
    assert_eq!(fire(&mut wheel, 3 * 64 * 64 + 5 * 64), 0); // to level 0
    assert_eq!(wheel.next_expiration(), Some(when));
    assert_eq!(fire(&mut wheel, when - 1), 0);
    assert_eq!(wheel.len(), 1);
    assert_eq!(fire(&mut wheel, when), 1);
    assert!(wheel.remove(key).is_none(), "a fired timer's key is stale");
}

#[test]
fn next_expiration_is_the_earliest_slot() {
    let mut wheel = Wheel::new();
    assert_eq!(wheel.next_expiration(), None);
    wheel.insert(10_000, noop()).unwrap();
    assert_eq!(wheel.next_expiration(), Some(2 * 4096)); // level 2, slot 2
    let key = wheel.insert(70, noop()).unwrap();
    assert_eq!(wheel.next_expiration(), Some(64)); // level 1, slot 1
    wheel.insert(3, noop()).unwrap();
    assert_eq!(wheel.next_expiration(), Some(3));
    fire(&mut wheel, 3);
    assert_eq!(wheel.next_expiration(), Some(64));
    wheel.remove(key).unwrap();
    assert_eq!(wheel.next_expiration(), Some(2 * 4096));
    // Moving `elapsed` without anything due keeps the answer.
    assert_eq!(fire(&mut wheel, 8000), 0);
    assert_eq!(wheel.next_expiration(), Some(2 * 4096));
}

#[test]
fn cancel_unlinks_from_the_middle_of_a_slot() {
    let mut wheel = Wheel::new();
    let keys: Vec<Key> = (0..5).map(|_| wheel.insert(10, noop()).unwrap()).collect();
    wheel.remove(keys[2]).unwrap();
    wheel.remove(keys[0]).unwrap();
    wheel.remove(keys[4]).unwrap();
    wheel.check_invariants();
    assert_eq!(wheel.len(), 2);
    assert!(wheel.remove(keys[2]).is_none(), "double cancel is a no-op");
    assert_eq!(fire(&mut wheel, 10), 2);
    assert_eq!(wheel.next_expiration(), None);
}

#[test]
fn a_stale_key_never_touches_a_reused_record() {
    let mut wheel = Wheel::new();
    let old = wheel.insert(5, noop()).unwrap();
    assert_eq!(fire(&mut wheel, 5), 1);
    let new = wheel.insert(9, noop()).unwrap(); // reuses the record
    assert_ne!(old, new);
    assert!(wheel.remove(old).is_none());
    assert!(matches!(wheel.set_waker(old, &noop()), Err(Gone)));
    assert!(matches!(wheel.reschedule(old, 20), Err(Gone)));
    assert_eq!(wheel.len(), 1);
    assert!(wheel.remove(new).is_some());
}

#[test]
fn inserting_at_or_before_elapsed_is_refused() {
    let mut wheel = Wheel::new();
    assert!(wheel.insert(0, noop()).is_err());
    fire(&mut wheel, 50);
    assert!(wheel.insert(50, noop()).is_err());
    assert!(wheel.insert(51, noop()).is_ok());
}

#[test]
fn far_deadlines_wait_in_the_overflow_and_fire_on_time() {
    let mut wheel = Wheel::new();
    let log = Arc::default();
    let three_years = 3 * 365 * 86_400 * 1000;
    let thirty_years = 30 * 365 * 86_400 * 1000;
    wheel.insert(three_years, tagged(three_years, &log)).unwrap();
    wheel.insert(thirty_years, tagged(thirty_years, &log)).unwrap();
    wheel.insert(u64::MAX - 1, noop()).unwrap();
    assert_eq!(wheel.next_expiration(), Some(WHEEL_SPAN));
    assert_eq!(fire(&mut wheel, WHEEL_SPAN), 0); // re-inserted, not fired
    assert_eq!(fire(&mut wheel, three_years - 1), 0);
    assert_eq!(fire(&mut wheel, three_years), 1);
    assert_eq!(fire(&mut wheel, thirty_years - 1), 0);
    assert_eq!(fire(&mut wheel, thirty_years), 1);
    assert_eq!(*log.lock().unwrap(), vec![three_years, thirty_years]);
    assert_eq!(wheel.len(), 1);
}

#[test]
fn reschedule_moves_earlier_and_later() {
    let mut wheel = Wheel::new();
    let log = Arc::default();
    let a = wheel.insert(1000, tagged(1, &log)).unwrap();
    let b = wheel.insert(10, tagged(2, &log)).unwrap();
    assert!(matches!(wheel.reschedule(a, 5), Ok(None)));
    assert!(matches!(wheel.reschedule(b, 200_000), Ok(None)));
    wheel.check_invariants();
    assert_eq!(wheel.next_expiration(), Some(5));
    fire(&mut wheel, 100);
    assert_eq!(*log.lock().unwrap(), vec![1]);
    // Rescheduling into the past removes the timer and hands its waker back.
    let waker = wheel.reschedule(b, 50).unwrap().expect("due at once");
    waker.wake();
    assert_eq!(*log.lock().unwrap(), vec![1, 2]);
    assert_eq!(wheel.len(), 0);
}

#[test]
// `Waker::will_wake` compares vtable addresses, and Miri does not deduplicate the
// promoted vtable of `Waker::from(Arc<W>)` between the original and its clone, so the
// clone never "will wake" the original there (expected, see rust-lang/rust#122016).
#[cfg_attr(miri, ignore = "will_wake is false for clones under Miri (vtable addresses)")]
fn set_waker_keeps_an_equivalent_waker() {
    let mut wheel = Wheel::new();
    let log = Arc::default();
    let first = tagged(1, &log);
    let key = wheel.insert(5, first.clone()).unwrap();
    assert!(wheel.set_waker(key, &first).unwrap().is_none(), "same waker kept");
    let old = wheel.set_waker(key, &tagged(2, &log)).unwrap();
    assert!(old.unwrap().will_wake(&first));
    fire(&mut wheel, 5);
    assert_eq!(*log.lock().unwrap(), vec![2]);
}

#[test]
fn a_slot_can_be_emptied_across_polls_while_entries_are_cancelled() {
    let mut wheel = Wheel::new();
    let keys: Vec<Key> = (0..10).map(|_| wheel.insert(64 * 3, noop()).unwrap()).collect();
    // The first poll starts emptying the level-1 slot (due at its start) and fires one timer.
    assert!(wheel.poll(64 * 3).is_some());
    wheel.check_invariants();
    // "Unlocked": cancel some of the remaining ones.
    let cancelled = keys.iter().filter(|&&k| wheel.remove(k).is_some()).take(4).count();
    assert_eq!(cancelled, 4);
    wheel.check_invariants();
    assert_eq!(fire(&mut wheel, 64 * 3), 5);
    assert_eq!(wheel.len(), 0);
}

#[test]
fn drain_hands_out_every_waker() {
    let mut wheel = Wheel::new();
    let woken = Arc::new(AtomicUsize::new(0));
    struct Count(Arc<AtomicUsize>);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let waker = Waker::from(Arc::new(Count(woken.clone())));
    for when in [1, 100, 10_000, 1 << 40] {
        wheel.insert(when, waker.clone()).unwrap();
    }
    wheel.drain(Waker::wake);
    assert_eq!(woken.load(SeqCst), 4);
    assert_eq!(wheel.len(), 0);
    assert_eq!(wheel.next_expiration(), None);
    wheel.check_invariants();
}

/// How many timers the "million" tests use: fewer under Miri, which interprets the code
/// about a thousand times slower (the same paths run, just not a million times).
const MANY: u64 = if cfg!(miri) { 2_000 } else { 1_000_000 };

#[test]
fn a_million_inserts_and_cancels() {
    let mut wheel = Wheel::new();
    let waker = noop();
    let keys: Vec<Key> = (0..MANY)
        .map(|i| wheel.insert(1 + (i * 7) % 10_000_000, waker.clone()).unwrap())
        .collect();
    assert_eq!(wheel.len(), MANY as usize);
    for key in keys {
        assert!(wheel.remove(key).is_some());
    }
    assert_eq!(wheel.len(), 0);
    assert_eq!(wheel.next_expiration(), None);
    wheel.shrink_if_empty();
    wheel.check_invariants();
}

#[test]
fn a_million_timers_fire_in_order() {
    let mut wheel = Wheel::new();
    let waker = noop();
    for i in 0..MANY {
        wheel.insert(1 + (i * 7919) % 3_000_000, waker.clone()).unwrap();
    }
    let mut fired = 0;
    let mut now = 0;
    while now < 3_000_000 {
        now += 65_537;
        fired += fire(&mut wheel, now);
    }
    assert_eq!(fired, MANY as usize);
}

#[test]
fn entries_are_small() {
    assert!(std::mem::size_of::<entries::Entry>() <= 40);
}
