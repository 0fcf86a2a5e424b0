//! Power-of-two-choices load balancing for `svc-trait` services, with PeakEWMA load,
//! discovery driven on the balancer's own task, and per-endpoint failure accrual.
//!
//! # Tutorial
//!
//! A [`Balance`] spreads requests over *endpoints*: services keyed by an address or a
//! name, which a [`Discover`] source inserts and removes. For each request it picks two
//! distinct endpoints at random and sends the request to the one with the lower
//! [`Load`](load::Load) (by default [`PeakEwma`](load::PeakEwma): round-trip-time estimate ×
//! (requests in flight + 1)). Over a fixed list:
//!
//! ```
//! use svc_balance::{Balance, ServiceList};
//! use svc_trait::{service_fn, Service, ServiceExt};
//!
//! # rt_sched::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // Three "backends" that tag their answers.
//! let backend = |name: &'static str| service_fn(move |req: String| async move {
//!     Ok::<_, std::io::Error>(format!("{name}: {req}"))
//! });
//! let list = ServiceList::new([
//!     ("10.0.0.1:80", backend("one")),
//!     ("10.0.0.2:80", backend("two")),
//!     ("10.0.0.3:80", backend("three")),
//! ]);
//! let mut balance = Balance::new(list);
//! for i in 0..10 {
//!     let answer = balance.ready().await.unwrap().call(format!("request {i}")).await.unwrap();
//!     assert!(answer.ends_with(&format!("request {i}")));
//! }
//! assert_eq!(balance.metrics().requests(), 10);
//! # });
//! ```
//!
//! Endpoints that come and go are fed through a channel by a resolver task: send
//! [`Change::Insert`] and [`Change::Remove`] on an `rt_core::sync::mpsc` channel and
//! give the receiver to the balancer. The balancer applies each change as it arrives,
//! even while no request does:
//!
//! ```
//! use svc_balance::{Balance, Change};
//! use svc_trait::{service_fn, ServiceExt};
//!
//! # rt_sched::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let (tx, rx) = rt_core::sync::mpsc::unbounded_channel();
//! let balance = Balance::new(rx);
//! let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x * 2) });
//! tx.send(Change::Insert("a", svc)).unwrap();
//! assert_eq!(balance.clone().oneshot(21).await.unwrap(), 42);
//!
//! tx.send(Change::Remove("a")).unwrap();
//! drop(tx); // discovery ends with no endpoint left: requests fail at once
//! rt_sched::task::yield_now().await; // (the driver task applies the changes)
//! let error = balance.oneshot(1).await.unwrap_err();
//! assert!(error.is_discovery_closed());
//! # });
//! ```
//!
//! [`Builder`] sets the load metric, failure accrual and the fail-fast timeout.
//!
//! # How it works
//!
//! * **Handles and driver.** `Balance` is a clonable handle. The endpoints live in
//!   shared state; a [`Driver`] task (spawned by [`Balance::new`] / [`Builder::build`])
//!   polls discovery, readies endpoints that are not ready, ejects failing ones and
//!   drops removed ones. So an idle balancer never piles up discovery updates, and a
//!   request never re-polls every endpoint.
//! * **Per request**, O(1) whatever the number of endpoints: two random picks among the
//!   endpoints in rotation, two lock-free load reads, one compare-and-swap to claim the
//!   winner, its `call`, and one `poll_ready` of that endpoint so it stays ready; one
//!   clock read (the request's start) and no lock contended by anyone.
//! * **Failure accrual.** After 7 consecutive error responses (or one failed
//!   `poll_ready`), an endpoint leaves rotation for a penalty of 1 s, doubling at each
//!   ejection in a row up to 60 s, with jitter. It then comes back on probation: one
//!   request; success restores it, failure ejects it again for longer.
//! * **Failing fast.** When no endpoint is in rotation (none discovered, or all
//!   ejected), `poll_ready` waits at most the fail-fast timeout (1 s by default), then
//!   fails with [`BalanceError::is_no_endpoints`] or [`BalanceError::is_all_failing`];
//!   when discovery has ended with no endpoint, at once with
//!   [`BalanceError::is_discovery_closed`].
//! * **Removal.** A removed endpoint gets no new request; its service is dropped once
//!   its requests in flight completed.
//! * **Completion.** A request counts as in flight until its response, or longer with a
//!   [`TrackCompletion`](load::TrackCompletion) that keeps the
//!   [`InFlight`](load::InFlight) guard (for example until the end of a response body).
//!
//! # Metrics
//!
//! [`Balance::metrics`] returns gauges (endpoints ready / pending / failing, requests
//! in flight) and counters (inserts, removals, ejections, requests);
//! [`Balance::endpoints`] the same per endpoint with its current load.
#![forbid(unsafe_code)]

mod config;
mod discover;
mod driver;
mod endpoint;
mod error;
mod future;
pub mod load;
mod metrics;
mod rng;
mod service;
mod shared;
mod signal;
mod state;

pub use config::Builder;
pub use discover::{Change, Discover, FromStream, ServiceList};
pub use driver::Driver;
pub use error::BalanceError;
pub use future::ResponseFuture;
pub use metrics::{EndpointMetrics, EndpointState, Metrics};
pub use service::Balance;
