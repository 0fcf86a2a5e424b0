//! The `Service` abstraction of the rt-stack workspace.
//!
//! This crate will hold a Tower-like `Service<Request>` trait (`poll_ready` then `call`,
//! readiness backpressure, and a fix for reservations taken in `poll_ready` and never
//! released), `Layer`, `ServiceBuilder`, `service_fn`, combinators, boxed services and
//! `ServiceExt`. Like `tower-service` it has no dependencies and no unsafe code.
//!
//! It is filled by the service work (issue 5).
#![forbid(unsafe_code)]
