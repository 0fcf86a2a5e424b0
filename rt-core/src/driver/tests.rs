use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Config, Driver, Handle};

fn driver(enable_io: bool) -> (Driver, Handle) {
    Driver::new(Config {
        enable_io,
        ..Config::default()
    })
    .unwrap()
}

fn both() -> [(Driver, Handle); 2] {
    [driver(false), driver(true)]
}

#[test]
fn default_config_enables_nothing() {
    let cfg = Config::default();
    assert!(!cfg.enable_io && !cfg.enable_time && !cfg.start_paused && !cfg.allow_pause);
    assert_eq!(cfg.event_capacity, 1024);
    let (_, handle) = driver(false);
    assert!(!handle.io_enabled() && !handle.time_enabled());
    let (_, handle) = driver(true);
    assert!(handle.io_enabled());
}

#[test]
fn park_timeout_waits_about_the_timeout() {
    for (mut driver, handle) in both() {
        let start = Instant::now();
        driver.park_timeout(&handle, Duration::from_millis(30));
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(25), "returned early: {waited:?}");
        assert!(waited < Duration::from_secs(5), "overslept: {waited:?}");
    }
}

#[test]
fn unpark_before_park_makes_the_next_park_return_at_once() {
    for (mut driver, handle) in both() {
        handle.unpark();
        handle.unpark(); // coalesced: one pending unpark
        let start = Instant::now();
        driver.park(&handle);
        assert!(start.elapsed() < Duration::from_secs(5));
        // Consumed: the next park waits for its timeout.
        let start = Instant::now();
        driver.park_timeout(&handle, Duration::from_millis(20));
        assert!(start.elapsed() >= Duration::from_millis(15), "unpark was not consumed");
    }
}

#[test]
fn zero_timeout_never_blocks() {
    for (mut driver, handle) in both() {
        let start = Instant::now();
        for _ in 0..100 {
            driver.park_timeout(&handle, Duration::ZERO);
        }
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn unpark_from_another_thread_interrupts_a_blocking_park() {
    for (mut driver, handle) in both() {
        let parked = Arc::new(AtomicBool::new(false));
        let (remote, flag) = (handle.clone(), parked.clone());
        let unparker = std::thread::spawn(move || {
            // Unpark repeatedly until the parker reports back: a lost unpark would
            // hang the test (it would never return from `park`).
            while !flag.load(SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
                remote.unpark();
            }
        });
        let start = Instant::now();
        driver.park(&handle);
        parked.store(true, SeqCst);
        unparker.join().unwrap();
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn single_unpark_while_parked_wakes() {
    for (mut driver, handle) in both() {
        let remote = handle.clone();
        let unparker = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            remote.unpark();
        });
        let start = Instant::now();
        // Without the unpark this would wait 30 s.
        driver.park_timeout(&handle, Duration::from_secs(30));
        assert!(start.elapsed() < Duration::from_secs(10));
        unparker.join().unwrap();
    }
}

#[test]
fn driver_is_send_handle_is_send_sync() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync>() {}
    send::<Driver>();
    send_sync::<Handle>();
}
