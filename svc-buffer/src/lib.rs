//! A clonable, bounded request queue in front of one `svc-trait` service.
//!
//! This crate will hold `Buffer`: callers reserve a slot in a bounded queue in
//! `poll_ready`, a worker task owns the inner service and drives it, and every caller
//! gets its response or the worker's error back; an abandoned reservation never pins a
//! slot. It is filled by the buffer work (issue 6).
#![forbid(unsafe_code)]

pub use svc_trait as service;
