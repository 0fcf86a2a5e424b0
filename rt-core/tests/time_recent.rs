//! `Instant::recent`: the clock as the driver read it at its last turn, and where it
//! reads the clock instead (outside a runtime, before the first turn, while the driver
//! waits, on a paused clock).
#![cfg(not(loom))]

mod time_support;

use rt_core::time::{Duration, Instant};
use time_support::{ms, Timer};

#[test]
fn outside_a_runtime_it_reads_the_clock() {
    let before = Instant::now();
    let recent = Instant::recent();
    assert!(before <= recent && recent <= Instant::now());
}

#[test]
fn keeps_the_last_turns_reading_until_the_driver_waits() {
    let timer = Timer::real();
    // No turn yet: the clock.
    let before = Instant::now();
    assert!(Instant::recent() >= before);

    timer.timer.process();
    let after_turn = Instant::now();
    std::thread::sleep(Duration::from_millis(5));
    let recent = Instant::recent();
    assert!(recent <= after_turn, "a reading from the turn, not a new one");
    assert_eq!(Instant::recent(), recent, "no new reading without a turn");
    assert!(Instant::now() >= recent + Duration::from_millis(5));

    // While the driver waits its reading may be old: the clock is read.
    timer.timer.begin_wait();
    let waiting = Instant::recent();
    assert!(waiting >= recent + Duration::from_millis(5));
    assert!(Instant::recent() >= waiting);

    // The next turn leaves a new reading.
    timer.timer.process();
    let next = Instant::recent();
    assert!(next >= waiting);
    assert_eq!(Instant::recent(), next);
}

#[test]
fn a_paused_clock_is_read_exactly() {
    let timer = Timer::paused();
    timer.timer.process();
    let start = Instant::recent();
    assert_eq!(start, Instant::now());
    timer.advance(ms(250));
    assert_eq!(Instant::recent(), start + ms(250));
}
