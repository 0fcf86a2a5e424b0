//! `#[main]` against a mock runtime: which builder calls it generates and how the body's
//! value, `?` and `return` reach the caller.

// Each test file uses a different part of the shared mock.
#[allow(dead_code)]
mod support;

// The default crate path is `::rt_sched`; make it name this crate, whose root has the
// mock `Builder`.
extern crate self as rt_sched;

use std::error::Error;

use support::{current, yield_now, Builder, Config, Flavor};

#[rt_macros::main]
async fn default_options() -> Option<Config> {
    current()
}

#[test]
fn defaults_to_multi_thread_on_rt_sched() {
    let expected = Config::new(Flavor::MultiThread, None);
    assert_eq!(default_options(), Some(expected));
    assert_eq!(current(), None, "the runtime is gone after the call");
}

#[rt_macros::main(worker_threads = 3)]
async fn three_workers() -> Option<Config> {
    current()
}

#[rt_macros::main(flavor = "current_thread")]
async fn current_thread() -> Option<Config> {
    current()
}

#[rt_macros::main(crate = "crate::support", worker_threads = 1, flavor = "multi_thread")]
async fn renamed_crate() -> Option<Config> {
    current()
}

#[test]
fn options_reach_the_builder() {
    let three = Config::new(Flavor::MultiThread, Some(3));
    assert_eq!(three_workers(), Some(three));
    let current = Config::new(Flavor::CurrentThread, None);
    assert_eq!(current_thread(), Some(current));
    let one = Config::new(Flavor::MultiThread, Some(1));
    assert_eq!(renamed_crate(), Some(one));
}

#[rt_macros::main]
async fn parse_good() -> Result<u32, Box<dyn Error>> {
    yield_now().await;
    let n: u32 = "7".parse()?;
    Ok(n * 6)
}

#[rt_macros::main]
async fn parse_bad() -> Result<u32, Box<dyn Error>> {
    let n: u32 = "seven".parse()?;
    Ok(n)
}

#[test]
fn question_mark_converts_into_the_declared_error() {
    assert_eq!(parse_good().unwrap(), 42);
    let err = parse_bad().unwrap_err();
    assert_eq!(err.to_string(), "invalid digit found in string");
}

#[rt_macros::main]
async fn early_return() -> &'static str {
    for n in [1, 2, 3] {
        yield_now().await;
        if n == 2 {
            return "returned early";
        }
    }
    "fell through"
}

#[test]
fn return_leaves_the_body_with_its_value() {
    assert_eq!(early_return(), "returned early");
}

#[rt_macros::main]
async fn shadows_the_generated_binding() -> u8 {
    let body = 5;
    let block_on = 1;
    body + block_on
}

#[test]
fn generated_names_do_not_clash_with_user_names() {
    assert_eq!(shadows_the_generated_binding(), 6);
}

mod visibility {
    /// Doc comments, visibility and other attributes survive the rewrite.
    #[rt_macros::main]
    #[must_use = "the answer matters"]
    pub(crate) async fn answer() -> u8 {
        #![allow(clippy::identity_op)]
        40 + 2 * 1
    }

    // Dropped by `cfg` once the macro has run: if the macro lost the attribute, this
    // would be a second `answer` and the file would not compile.
    #[rt_macros::main]
    #[cfg(any())]
    pub(crate) async fn answer() -> u8 {
        0
    }
}

#[test]
fn attributes_and_visibility_are_kept() {
    assert_eq!(visibility::answer(), 42);
}
