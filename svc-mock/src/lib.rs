//! A mock service pair for testing `svc-trait` middleware (filled in by issue 5).
#![forbid(unsafe_code)]
