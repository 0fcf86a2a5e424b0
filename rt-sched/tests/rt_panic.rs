//! Panics: a panicking task or blocking closure becomes a `JoinError` with its payload,
//! and the thread that ran it lives on.

mod support;

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use futures::channel::oneshot;
use rt_sched::task::JoinError;
use support::{each_flavor, panic_message, watchdog, Counter};

/// A payload that is neither `&str` nor `String`.
#[derive(Debug, PartialEq)]
struct Custom(u32);

fn assert_panic_with(err: JoinError, expected: &str) {
    assert!(err.is_panic(), "expected a panic, got {err:?}");
    assert!(!err.is_cancelled());
    let shown = err.to_string();
    assert!(
        shown.contains("panicked") && shown.contains(expected),
        "Display: {shown}"
    );
    let payload = err.into_panic();
    assert_eq!(panic_message(&*payload), expected);
}

#[test]
fn panicking_task_reports_its_payload() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let err = rt_sched::spawn(async { panic!("boom") }).await.unwrap_err();
            assert_panic_with(err, "boom");
            let n = 3;
            let err = rt_sched::spawn(async move { panic!("boom {n}") }).await.unwrap_err();
            assert_panic_with(err, "boom 3");
            let err = rt_sched::spawn(async { std::panic::panic_any(Custom(7)) })
                .await
                .unwrap_err();
            assert!(err.to_string().contains("panicked"), "{err}");
            let payload = err.into_panic();
            assert_eq!(payload.downcast_ref::<Custom>(), Some(&Custom(7)));
        });
    });
}

#[test]
fn panic_error_keeps_the_task_id() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let handle = rt_sched::spawn(async { panic!("with id") });
            let id = handle.id();
            let err = handle.await.unwrap_err();
            assert_eq!(err.id(), id);
            let err = err.try_into_panic().expect("a panic");
            assert_eq!(panic_message(&*err), "with id");
        });
    });
}

#[test]
fn worker_survives_a_panic_and_runs_later_tasks() {
    watchdog(support::WATCHDOG_SECS, || {
        // One worker: if the panic killed it, nothing would run the later tasks.
        let rt = support::multi_thread(1);
        let thread_of_panic: Arc<Mutex<Option<ThreadId>>> = Arc::default();
        let recorded = thread_of_panic.clone();
        let err = rt
            .block_on(rt.spawn(async move {
                *recorded.lock().unwrap() = Some(std::thread::current().id());
                panic!("worker panic");
            }))
            .unwrap_err();
        assert!(err.is_panic());
        let later = rt.block_on(async {
            let handles: Vec<_> = (0..100u32)
                .map(|i| rt_sched::spawn(async move { (i, std::thread::current().id()) }))
                .collect();
            let mut out = Vec::new();
            for handle in handles {
                out.push(handle.await.unwrap());
            }
            out
        });
        let panicked_on = thread_of_panic.lock().unwrap().expect("the task ran");
        for (i, (n, thread)) in later.into_iter().enumerate() {
            assert_eq!(n as usize, i);
            assert_eq!(thread, panicked_on, "the same worker thread runs the later tasks");
        }
    });
}

#[test]
fn runtime_survives_a_task_panic() {
    each_flavor(|_, rt| {
        let out = rt.block_on(async {
            let failed = rt_sched::spawn(async { panic!("in a task") });
            let fine = rt_sched::spawn(async { 5 });
            (failed.await.unwrap_err().is_panic(), fine.await.unwrap())
        });
        assert_eq!(out, (true, 5));
        // And the runtime is still good for another round.
        assert_eq!(rt.block_on(rt.spawn(async { 6 })).unwrap(), 6);
    });
}

#[test]
fn panicking_blocking_closure_reports_its_payload() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let err = rt_sched::spawn_blocking(|| panic!("blocking boom")).await.unwrap_err();
            assert_panic_with(err, "blocking boom");
            // The pool still runs closures afterwards (on the same or a new thread).
            assert_eq!(rt_sched::spawn_blocking(|| 9).await.unwrap(), 9);
        });
    });
}

#[test]
fn blocking_thread_survives_a_panic() {
    watchdog(support::WATCHDOG_SECS, || {
        let rt = rt_sched::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(1)
            .build()
            .unwrap();
        let threads = rt.block_on(async {
            let first = rt_sched::spawn_blocking(|| {
                let id = std::thread::current().id();
                std::panic::panic_any(id)
            })
            .await
            .unwrap_err();
            let first = *first.into_panic().downcast::<ThreadId>().unwrap();
            let second = rt_sched::spawn_blocking(|| std::thread::current().id()).await.unwrap();
            (first, second)
        });
        assert_eq!(threads.0, threads.1, "the only blocking thread lived on");
    });
}

/// Panics when dropped.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("drop panic");
    }
}

#[test]
fn panic_in_drop_of_an_aborted_future_is_reported() {
    each_flavor(|_, rt| {
        rt.block_on(async {
            let (started, is_started) = oneshot::channel();
            let handle = rt_sched::spawn(async {
                let _bomb = PanicOnDrop;
                started.send(()).unwrap();
                std::future::pending::<()>().await;
            });
            is_started.await.unwrap();
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_panic(), "the drop panic is reported: {err:?}");
            assert_eq!(panic_message(&*err.into_panic()), "drop panic");
            // The runtime carries on.
            assert_eq!(rt_sched::spawn(async { 1 }).await.unwrap(), 1);
        });
    });
}

#[test]
fn panic_in_drop_during_shutdown_does_not_escape() {
    each_flavor(|_, rt| {
        let dropped = Counter::new();
        let (bomb, quiet) = rt.block_on(async {
            let (started, is_started) = oneshot::channel();
            let bomb = rt_sched::spawn(async {
                let _bomb = PanicOnDrop;
                started.send(()).unwrap();
                std::future::pending::<()>().await;
            });
            let quiet = rt_sched::spawn(dropped.pending_forever());
            is_started.await.unwrap();
            (bomb, quiet)
        });
        // Dropping the runtime cancels both; the panic stays inside the task.
        drop(rt);
        assert_eq!(dropped.get(), 1);
        let err = futures::executor::block_on(bomb).unwrap_err();
        assert!(err.is_panic(), "{err:?}");
        assert!(futures::executor::block_on(quiet).unwrap_err().is_cancelled());
    });
}

#[test]
fn panic_in_block_on_future_propagates_and_runtime_stays_usable() {
    each_flavor(|_, rt| {
        let spawned_before = rt.spawn(async { 11 });
        let message = support::expect_panic(|| rt.block_on(async { panic!("in block_on") }));
        assert_eq!(message, "in block_on");
        assert!(
            rt_sched::Handle::try_current().is_err(),
            "unwinding left the runtime context"
        );
        assert_eq!(rt.block_on(spawned_before).unwrap(), 11);
        assert_eq!(rt.block_on(async { rt_sched::spawn(async { 12 }).await.unwrap() }), 12);
    });
}

#[test]
fn join_error_of_a_panic_converts_to_io_error() {
    each_flavor(|_, rt| {
        let err = rt.block_on(rt.spawn(async { panic!("io") })).unwrap_err();
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::Other);
        let inner = io
            .get_ref()
            .and_then(|e| e.downcast_ref::<JoinError>())
            .expect("the JoinError is the source");
        assert!(inner.is_panic());
    });
}
