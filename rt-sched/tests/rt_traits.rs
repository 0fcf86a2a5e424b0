//! Compile-time checks of the auto traits and conversions users rely on, plus the
//! `JoinError` conversions at run time.

mod support;

use std::any::Any;
use std::error::Error;
use std::fmt::{Debug, Display};
use std::io;

use rt_sched::task::{AbortHandle, Id, JoinError, JoinHandle, JoinSet, LocalSet};
use rt_sched::{Builder, EnterGuard, Handle, Runtime, RuntimeFlavor, RuntimeMetrics, TryCurrentError};

fn assert_send<T: Send>() {}
fn assert_sync<T: Sync>() {}
fn assert_send_sync<T: Send + Sync>() {}
fn assert_static<T: 'static>() {}
fn assert_unpin<T: Unpin>() {}
fn assert_clone<T: Clone>() {}
fn assert_debug<T: Debug>() {}
fn assert_error<T: Error + Send + Sync + 'static>() {}

#[test]
fn runtime_types_are_send_and_sync() {
    assert_send_sync::<Handle>();
    assert_send_sync::<Runtime>();
    assert_send_sync::<RuntimeMetrics>();
    assert_send_sync::<Builder>();
    assert_send_sync::<RuntimeFlavor>();
    assert_clone::<Handle>();
    assert_clone::<RuntimeMetrics>();
    assert_debug::<Handle>();
    assert_debug::<Runtime>();
    assert_debug::<RuntimeMetrics>();
    assert_debug::<Builder>();
    assert_debug::<EnterGuard<'static>>();
    assert_debug::<LocalSet>();
}

#[test]
fn task_handles_are_send_and_sync() {
    assert_send_sync::<JoinHandle<u32>>();
    assert_send_sync::<JoinHandle<Box<dyn Any + Send>>>();
    assert_unpin::<JoinHandle<u32>>();
    assert_send_sync::<AbortHandle>();
    assert_clone::<AbortHandle>();
    assert_send_sync::<JoinSet<u32>>();
    assert_send::<JoinSet<Box<dyn Any + Send>>>();
    assert_send_sync::<Id>();
    assert_debug::<JoinHandle<u32>>();
    assert_debug::<AbortHandle>();
    assert_debug::<JoinSet<u32>>();
    // A handle to a `!Send` output stays on its thread, but `Unpin` all the same.
    assert_unpin::<JoinHandle<std::rc::Rc<u32>>>();
}

#[test]
fn errors_are_send_sync_static_errors() {
    assert_error::<JoinError>();
    assert_error::<TryCurrentError>();
    assert_static::<JoinError>();
    assert_sync::<JoinError>();
    fn display<T: Display>() {}
    display::<JoinError>();
    display::<Id>();
}

#[test]
fn spawned_futures_may_hold_join_handles_and_errors() {
    // These only compile if the handles and errors are `Send`.
    fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}
    spawnable(async {
        let handle: JoinHandle<u32> = rt_sched::spawn(async { 1 });
        let abort = handle.abort_handle();
        let result = handle.await;
        abort.abort();
        result.map_err(io::Error::from)
    });
    spawnable(async {
        let mut set = JoinSet::new();
        set.spawn(async { 1u8 });
        set.join_next().await
    });
}

fn boxed_error_from(err: JoinError) -> Result<(), Box<dyn Error + Send + Sync>> {
    Err(err)?
}

fn io_error_from(err: JoinError) -> io::Result<()> {
    Err(err)?
}

fn cancelled_error() -> JoinError {
    support::watchdog(support::WATCHDOG_SECS, || {
        let rt = support::multi_thread(1);
        let handle = rt.spawn(std::future::pending::<()>());
        handle.abort();
        rt.block_on(handle).unwrap_err()
    })
}

#[test]
fn join_error_converts_with_the_question_mark() {
    let err = cancelled_error();
    let id = err.id();
    let boxed = boxed_error_from(err).unwrap_err();
    let inner = boxed.downcast_ref::<JoinError>().expect("the JoinError itself");
    assert!(inner.is_cancelled());
    assert_eq!(inner.id(), id);

    let io = io_error_from(cancelled_error()).unwrap_err();
    assert_eq!(
        io.kind(),
        io::ErrorKind::Other,
        "not Interrupted: read_exact and friends would retry forever"
    );
    assert!(io.to_string().contains("cancelled"), "{io}");
    let inner = io
        .into_inner()
        .expect("the source is kept")
        .downcast::<JoinError>()
        .expect("a JoinError");
    assert!(inner.is_cancelled());
}

#[test]
fn join_error_display_and_debug() {
    let err = cancelled_error();
    let id = err.id();
    assert_eq!(err.to_string(), format!("task {id} was cancelled"));
    assert!(format!("{err:?}").contains("Cancelled"), "{err:?}");
    let err = err.try_into_panic().expect_err("not a panic");
    assert!(err.is_cancelled());
}
