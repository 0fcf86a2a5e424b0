//! `#[test]` against a mock runtime: the generated test runs, on the right flavor, and
//! keeps the attributes the test harness reads.

// Each test file uses a different part of the shared mock.
#[allow(dead_code)]
mod support;

// The default crate path is `::rt_sched`; make it name this crate, whose root has the
// mock `Builder`.
extern crate self as rt_sched;

use support::{current, yield_now, Builder, Config, Flavor};

#[rt_macros::test]
async fn defaults_to_current_thread() {
    yield_now().await;
    assert_eq!(current(), Some(Config::new(Flavor::CurrentThread, None)));
}

#[rt_macros::test(flavor = "multi_thread")]
async fn multi_thread_flavor() {
    assert_eq!(current(), Some(Config::new(Flavor::MultiThread, None)));
}

#[rt_macros::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_with_workers() {
    assert_eq!(current(), Some(Config::new(Flavor::MultiThread, Some(2))));
}

#[rt_macros::test(crate = "crate::support")]
async fn renamed_crate() {
    assert_eq!(current(), Some(Config::new(Flavor::CurrentThread, None)));
}

#[rt_macros::test]
async fn returns_a_result() -> Result<(), std::num::ParseIntError> {
    let n: u8 = "12".parse()?;
    assert_eq!(n, 12);
    Ok(())
}

#[rt_macros::test]
#[should_panic(expected = "boom inside the runtime")]
async fn should_panic_is_kept() {
    yield_now().await;
    panic!("boom inside the runtime");
}

#[rt_macros::test]
#[ignore = "checks that `#[ignore]` is kept: it would fail if run"]
async fn ignore_is_kept() {
    panic!("an ignored test ran");
}
