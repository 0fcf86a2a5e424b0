//! The attribute macros: `#[rt_sched::test]` with its default and explicit flavours,
//! and `#[rt_sched::main]` on an ordinary function.

mod support;

use std::error::Error;
use std::io::Write;
use std::process::{ExitCode, Termination};
use std::sync::mpsc;
use std::thread::ThreadId;
use std::time::Duration;

// For the `crate = "..."` option.
use rt_sched as renamed;
use rt_sched::{Handle, RuntimeFlavor};

/// How long a macro test may take, runtime start and stop included.
const HANG_SECS: u64 = 30;

/// Returned by a macro test: the runtime the macro built must give it back (and the
/// harness drop it) within `HANG_SECS`, or the whole test process exits with a
/// message. The generated code offers no other place to put a watchdog, and a hang
/// would otherwise block the run.
#[derive(Debug)]
struct HangGuard {
    _disarm: mpsc::Sender<()>,
}

fn hang_guard(test: &'static str) -> HangGuard {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs(HANG_SECS)) {
            // Straight to stderr: the harness's output capture dies with the process.
            let message = format!("HANG: `{test}` did not finish within {HANG_SECS} s; exiting the test process\n");
            let _ = std::io::stderr().write_all(message.as_bytes());
            std::process::exit(101);
        }
    });
    HangGuard { _disarm: tx }
}

impl Termination for HangGuard {
    fn report(self) -> ExitCode {
        ExitCode::SUCCESS
    }
}

#[rt_sched::test]
async fn test_macro_defaults_to_current_thread() -> HangGuard {
    let guard = hang_guard("test_macro_defaults_to_current_thread");
    assert_eq!(Handle::current().runtime_flavor(), RuntimeFlavor::CurrentThread);
    assert_eq!(Handle::current().metrics().num_workers(), 1);
    let here = std::thread::current().id();
    let there: ThreadId = rt_sched::spawn(async { std::thread::current().id() }).await.unwrap();
    assert_eq!(here, there, "tasks run on the test's own thread");
    guard
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_macro_multi_thread_with_two_workers() -> HangGuard {
    let guard = hang_guard("test_macro_multi_thread_with_two_workers");
    let handle = Handle::current();
    assert_eq!(handle.runtime_flavor(), RuntimeFlavor::MultiThread);
    assert_eq!(handle.metrics().num_workers(), 2);
    let here = std::thread::current().id();
    let there = rt_sched::spawn(async { std::thread::current().id() }).await.unwrap();
    assert_ne!(here, there, "tasks run on the workers");
    guard
}

#[rt_sched::test(flavor = "current_thread")]
async fn test_macro_returning_a_result() -> Result<HangGuard, Box<dyn Error>> {
    let guard = hang_guard("test_macro_returning_a_result");
    // `?` on a `JoinError`, through `Box<dyn Error>`.
    let value = rt_sched::spawn(async { 21 }).await?;
    assert_eq!(value * 2, 42);
    Ok(guard)
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 1)]
#[should_panic(expected = "expected failure")]
async fn test_macro_keeps_should_panic() {
    let _guard = hang_guard("test_macro_keeps_should_panic");
    rt_sched::spawn(async {}).await.unwrap();
    panic!("expected failure");
}

#[rt_sched::test(crate = "renamed")]
async fn test_macro_with_a_renamed_crate() -> HangGuard {
    let guard = hang_guard("test_macro_with_a_renamed_crate");
    assert_eq!(renamed::spawn(async { 5 }).await.unwrap(), 5);
    guard
}

#[rt_sched::main]
async fn main_macro_body() -> (RuntimeFlavor, u32) {
    let sum = rt_sched::spawn(async { 40 }).await.unwrap() + 2;
    (Handle::current().runtime_flavor(), sum)
}

#[rt_sched::main(flavor = "current_thread")]
async fn main_macro_current_thread() -> RuntimeFlavor {
    rt_sched::task::yield_now().await;
    Handle::current().runtime_flavor()
}

#[rt_sched::main(worker_threads = 3)]
async fn main_macro_three_workers() -> usize {
    Handle::current().metrics().num_workers()
}

#[test]
fn main_macro_runs_the_body_on_a_multi_thread_runtime() {
    let (flavor, sum) = support::watchdog(support::WATCHDOG_SECS, main_macro_body);
    assert_eq!(
        flavor,
        RuntimeFlavor::MultiThread,
        "`main` defaults to the multi-thread runtime"
    );
    assert_eq!(sum, 42);
    assert!(Handle::try_current().is_err(), "the runtime is gone after the call");
}

#[test]
fn main_macro_with_options() {
    let flavor = support::watchdog(support::WATCHDOG_SECS, main_macro_current_thread);
    assert_eq!(flavor, RuntimeFlavor::CurrentThread);
    assert_eq!(support::watchdog(support::WATCHDOG_SECS, main_macro_three_workers), 3);
}

#[test]
fn main_macro_builds_a_fresh_runtime_per_call() {
    support::watchdog(support::WATCHDOG_SECS, || {
        for _ in 0..3 {
            assert_eq!(main_macro_body().1, 42);
        }
    });
}
