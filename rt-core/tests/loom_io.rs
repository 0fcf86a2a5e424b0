//! Loom models of the reactor's readiness / waker protocol, driven through
//! `rt_core::io::model` (the table, readiness words and waiter lists the reactor uses,
//! without mio, which cannot run under loom):
//!
//! - an event arriving while a task clears readiness after `WouldBlock` (no lost edge);
//! - a registration dropped, or the driver shut down, while an event is delivered (a
//!   stale token never reaches the registration that reuses the slot; shutdown never
//!   leaves a waiter hanging);
//! - a waker registering while the reactor dispatches (no lost wake-up), for the
//!   single-slot polls and for the multi-waiter `readiness()` future;
//! - a `readiness()` waiter dropped while the reactor wakes it.
//!
//! A lost wake-up leaves `block_on` parked forever, which loom reports as a deadlock.
//! Each model records which way its race went and asserts that loom explored every
//! way (`model_covering`).
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 CARGO_TARGET_DIR=target/loom cargo test --release -p rt-core --test loom_io`.
#![cfg(loom)]

mod sync_support2;

use std::future::{poll_fn, Future};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Wake, Waker};

use rt_core::io::model::Reactor;
use rt_core::io::{Interest, Ready};
use rt_core::loom::sync::atomic::{AtomicBool, Ordering};
use rt_core::loom::sync::Arc;
use sync_support2::{block_on, block_on_first, model_covering, spawn};

/// A waker that counts its wakes and (through the `std` `Arc`'s count) its live clones.
/// Test bookkeeping in `std` types: loom runs every model thread on one OS thread.
#[derive(Default)]
struct Tracker(AtomicUsize);

impl Wake for Tracker {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn tracked() -> (std::sync::Arc<Tracker>, Waker) {
    let tracker = std::sync::Arc::new(Tracker::default());
    (tracker.clone(), Waker::from(tracker))
}

/// A model thread that raises `done` as its last step.
struct Flagged {
    handle: loom::thread::JoinHandle<()>,
    done: Arc<AtomicBool>,
}

fn spawn_flagged(f: impl FnOnce() + Send + 'static) -> Flagged {
    let done = Arc::new(AtomicBool::new(false));
    let flag = done.clone();
    let handle = spawn(move || {
        f();
        flag.store(true, Ordering::Release);
    });
    Flagged { handle, done }
}

/// Joins model threads, first spinning (with `yield_now`) until each has raised its
/// flag. A readiness poll may legitimately return `Ready` while its waker stays stored
/// (the event landed between storing the waker and the re-check), so the reactor
/// thread can wake the main thread *after* its `block_on` returned: a harmless
/// spurious wake-up in a real program, but loom 0.7 panics when it unparks a thread
/// blocked in `JoinHandle::join`. Once every flag is up, no wake-up can come any more.
fn join_all(threads: impl IntoIterator<Item = Flagged>) {
    let threads: Vec<Flagged> = threads.into_iter().collect();
    for thread in &threads {
        while !thread.done.load(Ordering::Acquire) {
            loom::thread::yield_now();
        }
    }
    for thread in threads {
        thread.handle.join().unwrap();
    }
}

fn first_poll(ready: bool) -> &'static str {
    if ready {
        "ready at once"
    } else {
        "woken"
    }
}

/// The task reads (finds no data: `WouldBlock`), clears the readiness it observed,
/// and waits again, while the peer writes and the reactor delivers the new edge.
/// The clear must not erase that edge: the task must end up reading the data.
#[test]
fn event_while_clearing_readiness_is_not_lost() {
    model_covering(&["cleared and woken", "edge kept", "data at once"], |outcomes| {
        let reactor = Reactor::new();
        let registration = reactor.register().unwrap();
        // The socket's data, and the edge of the registration (an earlier event).
        let data = Arc::new(AtomicBool::new(false));
        reactor.dispatch(&[(registration.token(), Ready::READABLE)]);

        let peer = {
            let (reactor, data, token) = (reactor.clone(), data.clone(), registration.token());
            spawn_flagged(move || {
                // An RMW, not a plain store: loom 0.7 may order a plain store before
                // an earlier-executed RMW of another thread in modification order.
                data.fetch_or(true, Ordering::Release);
                reactor.dispatch(&[(token, Ready::READABLE)]);
            })
        };

        let mut would_blocks = 0;
        loop {
            let (ev, at_once) = block_on_first(poll_fn(|cx| registration.poll_read_ready(cx)));
            let ev = ev.unwrap();
            if data.swap(false, Ordering::AcqRel) {
                outcomes.record(match (would_blocks, at_once) {
                    (0, _) => "data at once",
                    (_, true) => "edge kept",
                    (_, false) => "cleared and woken",
                });
                break;
            }
            would_blocks += 1;
            assert!(would_blocks <= 2, "spun on stale readiness");
            registration.clear_readiness(ev);
        }
        join_all([peer]);
    });
}

/// The reactor delivers an event for a registration that is dropped concurrently; a
/// new registration then takes the freed slot. The stale token must not reach it.
#[test]
fn registration_dropped_while_event_is_delivered() {
    model_covering(&["delivered to the old one", "stale token ignored"], |outcomes| {
        let reactor = Reactor::new();
        let old = reactor.register().unwrap();
        let token = old.token();
        let (tracker, waker) = tracked();
        assert!(old.poll_read_ready(&mut Context::from_waker(&waker)).is_pending());

        let dispatcher = {
            let reactor = reactor.clone();
            spawn_flagged(move || reactor.dispatch(&[(token, Ready::READABLE)]))
        };
        drop(old);
        let new = reactor.register().unwrap();
        assert_eq!(reactor.registrations(), 1);
        join_all([dispatcher]);

        assert_ne!(new.token(), token);
        assert!(new.ready().is_empty(), "a stale token reached the new registration");
        outcomes.record(match tracker.0.load(SeqCst) {
            0 => "stale token ignored",
            1 => "delivered to the old one",
            n => panic!("woken {n} times"),
        });
    });
}

/// The driver shuts down while the reactor delivers an event and a task waits: the
/// task must be woken and fail, whichever comes first.
#[test]
fn shutdown_while_event_is_delivered() {
    model_covering(&["event first", "shutdown first"], |outcomes| {
        let reactor = Reactor::new();
        let registration = reactor.register().unwrap();
        let token = registration.token();

        let dispatcher = {
            let reactor = reactor.clone();
            spawn_flagged(move || reactor.dispatch(&[(token, Ready::READABLE)]))
        };
        let shutdown = {
            let reactor = reactor.clone();
            spawn_flagged(move || reactor.shutdown())
        };
        let first = block_on(poll_fn(|cx| registration.poll_read_ready(cx)));
        outcomes.record(if first.is_ok() { "event first" } else { "shutdown first" });
        // Whatever the first poll saw, the shutdown wins in the end.
        let last = block_on(registration.readiness(Interest::WRITABLE));
        assert!(last.unwrap_err().to_string().contains("shut down"));
        join_all([dispatcher, shutdown]);
        assert!(reactor.register().is_err(), "registered after shutdown");
    });
}

/// A task stores its waker while the reactor dispatches: it is either ready at once or
/// woken, never left waiting.
#[test]
fn waker_registration_races_dispatch() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let reactor = Reactor::new();
        let registration = reactor.register().unwrap();
        let token = registration.token();
        let dispatcher = {
            let reactor = reactor.clone();
            spawn_flagged(move || reactor.dispatch(&[(token, Ready::READABLE | Ready::WRITABLE)]))
        };
        let (ev, at_once) = block_on_first(poll_fn(|cx| registration.poll_write_ready(cx)));
        assert!(ev.unwrap().ready().is_writable());
        outcomes.record(first_poll(at_once));
        join_all([dispatcher]);
    });
}

/// As above, for the multi-waiter `readiness()` future (the intrusive list).
#[test]
fn readiness_waiter_races_dispatch() {
    model_covering(&["ready at once", "woken"], |outcomes| {
        let reactor = Reactor::new();
        let registration = reactor.register().unwrap();
        let token = registration.token();
        let dispatcher = {
            let reactor = reactor.clone();
            spawn_flagged(move || reactor.dispatch(&[(token, Ready::READABLE)]))
        };
        let (ev, at_once) = block_on_first(registration.readiness(Interest::READABLE));
        assert!(ev.unwrap().ready().is_readable());
        outcomes.record(first_poll(at_once));
        join_all([dispatcher]);
    });
}

/// A linked `readiness()` waiter is dropped while the reactor unlinks and wakes it:
/// the waiter's node is touched by one side at a time (loom checks the cell accesses),
/// and its waker is released exactly once (no clone leaked in the list).
#[test]
fn readiness_waiter_dropped_concurrently_with_wake() {
    model_covering(&["woken before the drop", "unlinked by the drop"], |outcomes| {
        let reactor = Reactor::new();
        let registration = reactor.register().unwrap();
        let (tracker, waker) = tracked();
        let mut waiter = Box::pin(registration.readiness(Interest::READABLE));
        assert!(waiter.as_mut().poll(&mut Context::from_waker(&waker)).is_pending());
        drop(waker);

        let dispatcher = {
            let (reactor, token) = (reactor.clone(), registration.token());
            spawn_flagged(move || reactor.dispatch(&[(token, Ready::READABLE)]))
        };
        drop(waiter); // races the dispatch
        join_all([dispatcher]);

        outcomes.record(match tracker.0.load(SeqCst) {
            0 => "unlinked by the drop",
            1 => "woken before the drop",
            n => panic!("woken {n} times"),
        });
        assert_eq!(std::sync::Arc::strong_count(&tracker), 1, "a waker clone was leaked");
    });
}
