//! Load balancing for `svc-trait` services.
//!
//! This crate will hold a power-of-two-choices balancer with PeakEWMA and
//! pending-requests load metrics, discovery driven on the balancer's own task, and
//! per-endpoint failure accrual. It is filled by the balancer work (issue 8).
#![forbid(unsafe_code)]

pub use svc_trait as service;
