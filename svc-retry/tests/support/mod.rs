//! Helpers shared by the integration tests: a `Standard` policy over the mock's `u32`
//! requests, and responders playing the inner service.
#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use svc_mock::{Error, Handle};
use svc_retry::standard::{Standard, StandardBuilder};

/// Classifier: every error is retryable.
pub type IsErr = fn(&Result<u32, Error>) -> bool;
/// Guard: every request is safe to repeat.
pub type CopyReq = fn(&u32) -> Option<u32>;

/// A `Standard` builder for `u32` requests that retries every error, without backoff.
pub fn builder() -> StandardBuilder<IsErr, CopyReq> {
    fn is_err(r: &Result<u32, Error>) -> bool {
        r.is_err()
    }
    fn copy(req: &u32) -> Option<u32> {
        Some(*req)
    }
    Standard::builder()
        .classify(is_err as IsErr)
        .guard(copy as CopyReq)
        .no_backoff()
}

/// Answers every request with an error until every mock is dropped; returns how many.
pub async fn fail_all(mut handle: Handle<u32, u32>) -> u64 {
    let mut n = 0;
    while let Some((_, send)) = handle.next_request().await {
        send.send_error("unavailable");
        n += 1;
    }
    n
}

/// A duration in milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
