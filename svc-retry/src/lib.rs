//! Retry middleware for `svc-trait` services.
//!
//! This crate will hold `Retry` and `RetryLayer` with a `Policy` trait, a Finagle-style
//! retry budget (deposits per request, withdrawals per retry, exact under concurrency),
//! exponential backoff with jitter on `rt-core`'s timer, and ready-made policies for
//! HTTP. It is filled by the retry work (issue 7).
#![forbid(unsafe_code)]

pub use svc_trait as service;
