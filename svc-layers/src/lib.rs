//! Everyday middleware for `svc-trait` services (filled in by issue 5).
#![forbid(unsafe_code)]

// --- timeout, load shedding, spawn-ready, builder extension (owner: wip-layers-a) ---
pub mod load_shed;
pub mod spawn_ready;
pub mod timeout;

// --- concurrency limit, rate limit (owner: wip-layers-b) ---
pub mod limit;
pub mod rate;
pub use limit::{ConcurrencyLimit, ConcurrencyLimitLayer};
pub use rate::{Rate, RateLimit, RateLimitLayer};
