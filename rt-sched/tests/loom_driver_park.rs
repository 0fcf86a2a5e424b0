//! Loom models of parking on the driver: with time enabled the runtime has a driver,
//! one parked worker waits *in* it (state `PARKED_DRIVER`, woken through the driver's
//! handle) and the other on its condvar (`PARKED_CONDVAR`). A wake-up must reach
//! whichever kind of sleeper the idle list picks.
//!
//! Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p rt-sched --test loom_driver_park`.
//!
//! Under loom the driver has no I/O (mio is not modelled): it parks on the driver's own
//! condvar, bounded by the next timer, which is the same parker protocol the scheduler
//! sees with `epoll`. Like the `loom_multi_thread` models that wake the `block_on`
//! thread, these explore at most one preemption per execution.
#![cfg(loom)]

mod loom_support;

use loom_support::{model_with_preemptions, Counter};

fn runtime_with_driver(workers: usize) -> rt_sched::Runtime {
    rt_sched::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_time()
        .build()
        .unwrap()
}

/// A task waits for an event signalled from outside the runtime while the workers
/// park, one of them in the driver: the wake-up goes through the inject queue and must
/// unpark a worker, whichever way it sleeps.
#[test]
fn wake_from_outside_reaches_a_worker_parked_in_the_driver() {
    model_with_preemptions(1, || {
        let rt = runtime_with_driver(2);
        let event = Counter::new();
        let task = rt.spawn({
            let event = event.clone();
            async move {
                event.wait_for(1).await;
                5
            }
        });
        event.bump();
        assert_eq!(rt.block_on(task).unwrap(), 5);
    });
}

/// A task spawned from `block_on` (outside the workers) runs and wakes the `block_on`
/// thread, while one worker may be in the driver.
#[test]
fn spawn_from_outside_with_a_driver() {
    model_with_preemptions(1, || {
        let rt = runtime_with_driver(2);
        let out = rt.block_on(async { rt_sched::spawn(async { 3 }).await.unwrap() });
        assert_eq!(out, 3);
    });
}
