//! Everyday middleware for `svc-trait` services (filled in by issue 5).
#![forbid(unsafe_code)]
