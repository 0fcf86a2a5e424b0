//! The `svc` suite: the cost of a request through a service stack, against tower.
//!
//! Every row drives requests one at a time through `ready().await` then `call().await`
//! in a task on a fresh runtime (rt-sched for our stacks, tokio for tower's, both
//! multi-thread with 2 workers), and reports nanoseconds per request: a million through
//! the plain layers, 1,000,000 through a buffer (`buffer_serial`). `buffer_contended` runs
//! 64 such callers at once on clones of one buffer and reports process CPU time per
//! request (its inverse is requests per CPU second). The innermost service is a
//! `service_fn` answering with an already-ready future, so a row measures what the
//! layers cost.
//!
//! The stacks are written once: `flavoured!` expands the same module body twice, once
//! with `svc-trait` / `svc-layers` names in scope and once with tower's, so both sides
//! build the same layers in the same order and run the same loop.

use std::time::Duration;

use crate::harness::{Better, Metric, Workload};

/// Requests per run.
const REQUESTS: usize = 1_000_000;
/// Timeout of the stacks with a timeout layer: long enough never to fire.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Limit of the stacks with a concurrency limit (one request is in flight at a time).
const CONCURRENCY: usize = 64;
/// Requests of `buffer_serial`.
const BUFFER_SERIAL_REQUESTS: usize = 1_000_000;
/// Bound of the buffers.
const BUFFER_BOUND: usize = 1_024;
/// Callers of `buffer_contended`.
const BUFFER_CALLERS: usize = 64;
/// Requests per caller of `buffer_contended`.
const BUFFER_REQUESTS_PER_CALLER: usize = 10_000;

/// Names of our stack: svc-trait, svc-layers, rt-sched.
mod ours {
    pub(super) use svc_buffer::Buffer;
    pub(super) use svc_layers::limit::ConcurrencyLimitLayer;
    pub(super) use svc_layers::load_shed::LoadShedLayer;
    pub(super) use svc_layers::timeout::TimeoutLayer;
    pub(super) use svc_trait::{service_fn, BoxCloneService, Service, ServiceBuilder, ServiceExt};

    pub(super) type Rt = crate::runtimes::Ours;

    use std::convert::Infallible;

    use svc_retry::standard::{Classify, Guard, Standard};
    use svc_retry::{Budget, RetryLayer};

    /// Retries every error.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Errors;

    impl Classify<u64, Infallible> for Errors {
        fn is_retryable(&self, result: &Result<u64, Infallible>) -> bool {
            result.is_err()
        }
    }

    /// Every request may be repeated.
    #[derive(Debug, Clone, Copy)]
    pub(super) struct Always;

    impl Guard<u64> for Always {
        fn replay(&self, req: &u64) -> Option<u64> {
            Some(*req)
        }
    }

    /// A p2c balancer with PeakEWMA (the defaults: rtt 30 ms, decay 10 s) over
    /// `endpoints` services made by `make`, keyed by index.
    pub(super) fn balance<S>(endpoints: usize, make: impl Fn() -> S) -> svc_balance::Balance<usize, S, u64>
    where
        S: svc_trait::Service<u64> + Send + 'static,
        S::Error: Send + Sync + 'static,
    {
        svc_balance::Balance::new(svc_balance::ServiceList::new((0..endpoints).map(|i| (i, make()))))
    }

    /// `Retry` with the standard policy: 3 attempts, the default budget (10 s, 10/s,
    /// 20 %), the default backoff.
    pub(super) fn retry_layer() -> RetryLayer<Standard<Errors, Always>> {
        let policy = Standard::builder()
            .classify(Errors)
            .guard(Always)
            .max_attempts(3)
            .budget(Budget::default())
            .build();
        RetryLayer::new(policy)
    }
}

/// The same names from tower, on tokio.
mod peer {
    pub(super) use tower::buffer::Buffer;
    pub(super) use tower::limit::ConcurrencyLimitLayer;
    pub(super) use tower::load_shed::LoadShedLayer;
    pub(super) use tower::timeout::TimeoutLayer;
    pub(super) use tower::util::BoxCloneService;
    pub(super) use tower::{service_fn, Service, ServiceBuilder, ServiceExt};

    pub(super) type Rt = crate::runtimes::Peer;

    use std::convert::Infallible;
    use std::future::{ready, Ready};
    use std::sync::Arc;
    use std::time::Duration;

    use tower::retry::budget::{Budget, TpsBudget};
    use tower::retry::{Policy, RetryLayer};

    /// The tower counterpart of our standard policy: at most 3 attempts, every error
    /// retried while a `TpsBudget` (10 s, 10/s, 20 %, tower's recommended settings and
    /// the same as ours) allows, one deposit per request. No backoff: tower has no
    /// policy with one, and a successful request never waits on it anyway.
    #[derive(Debug, Clone)]
    pub(super) struct Standard {
        attempts_left: u32,
        budget: Arc<TpsBudget>,
    }

    impl Policy<u64, u64, Infallible> for Standard {
        type Future = Ready<()>;

        fn retry(&mut self, _req: &mut u64, result: &mut Result<u64, Infallible>) -> Option<Ready<()>> {
            match result {
                Ok(_) => {
                    self.budget.deposit();
                    None
                }
                Err(_) if self.attempts_left > 1 && self.budget.withdraw() => {
                    self.attempts_left -= 1;
                    Some(ready(()))
                }
                Err(_) => None,
            }
        }

        fn clone_request(&mut self, req: &u64) -> Option<u64> {
            Some(*req)
        }
    }

    /// tower's p2c balancer with PeakEWMA (tower's usual settings, the same as ours: rtt
    /// 30 ms, decay 10 s, completion at response) over `endpoints` services made by
    /// `make`.
    pub(super) fn balance<S>(
        endpoints: usize,
        make: impl Fn() -> S,
    ) -> tower::balance::p2c::Balance<tower::load::PeakEwmaDiscover<tower::discover::ServiceList<Vec<S>>>, u64>
    where
        S: tower::Service<u64>,
        S::Error: std::error::Error + Send + Sync + 'static,
    {
        let list = tower::discover::ServiceList::new::<u64>((0..endpoints).map(|_| make()).collect::<Vec<_>>());
        let discover = tower::load::PeakEwmaDiscover::new::<u64>(
            list,
            Duration::from_millis(30),
            Duration::from_secs(10),
            tower::load::CompleteOnResponse::default(),
        );
        tower::balance::p2c::Balance::new(discover)
    }

    /// tower's `Retry` with [`Standard`].
    pub(super) fn retry_layer() -> RetryLayer<Standard> {
        RetryLayer::new(Standard {
            attempts_left: 3,
            budget: Arc::new(TpsBudget::new(Duration::from_secs(10), 10, 0.2)),
        })
    }
}

/// Expands the run functions once per side, each with that side's names in scope.
macro_rules! flavoured {
    ($($body:tt)*) => {
        /// Run functions over our stacks.
        mod ours_runs {
            #[allow(unused_imports)]
            use super::ours::*;
            $($body)*
        }
        /// Run functions over tower's stacks.
        mod peer_runs {
            #[allow(unused_imports)]
            use super::peer::*;
            $($body)*
        }
    };
}

flavoured! {
    use std::convert::Infallible;
    use std::fmt::Debug;
    use std::future::{ready, Ready};
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use super::{BUFFER_BOUND, BUFFER_CALLERS, BUFFER_REQUESTS_PER_CALLER, BUFFER_SERIAL_REQUESTS};
    use super::{CONCURRENCY, REQUESTS, TIMEOUT};
    use crate::cpu::process_cpu_time;
    use crate::harness::{per_op, Scale};
    use crate::runtimes::{fresh, on_worker, Runtime};

    /// The innermost service of every stack.
    fn answer(x: u64) -> Ready<Result<u64, Infallible>> {
        ready(Ok(x.wrapping_add(1)))
    }

    /// Drives `requests` requests one at a time through `svc` and returns the time taken.
    async fn drive<S>(mut svc: S, requests: usize) -> Duration
    where
        S: Service<u64, Response = u64> + Send,
        S::Future: Send,
        S::Error: Debug + Send,
    {
        let start = Instant::now();
        for i in 0..requests as u64 {
            let response = svc.ready().await.expect("ready failed").call(i).await.expect("call failed");
            black_box(response);
        }
        start.elapsed()
    }

    /// Builds a fresh runtime, builds the stack with `make` in a task on a worker, and
    /// returns ns per request.
    fn run<S, F>(scale: Scale, make: F) -> Vec<f64>
    where
        F: FnOnce() -> S + Send + 'static,
        S: Service<u64, Response = u64> + Send + 'static,
        S::Future: Send,
        S::Error: Debug + Send,
    {
        run_n(scale.size(REQUESTS), make)
    }

    /// [`run`] with `requests` requests.
    fn run_n<S, F>(requests: usize, make: F) -> Vec<f64>
    where
        F: FnOnce() -> S + Send + 'static,
        S: Service<u64, Response = u64> + Send + 'static,
        S::Future: Send,
        S::Error: Debug + Send,
    {
        let runtime = fresh::<Rt>();
        let elapsed = on_worker(&runtime, async move { drive(make(), requests).await });
        drop(runtime);
        vec![per_op(elapsed, requests)]
    }

    pub(crate) fn service_fn_serial(scale: Scale) -> Vec<f64> {
        run(scale, || service_fn(answer))
    }

    pub(crate) fn map_stack(scale: Scale) -> Vec<f64> {
        run(scale, || {
            ServiceBuilder::new()
                .map_request(|x: u64| x ^ 1)
                .map_response(|x: u64| x.wrapping_mul(3))
                .service(service_fn(answer))
        })
    }

    pub(crate) fn boxed_clone(scale: Scale) -> Vec<f64> {
        run(scale, || BoxCloneService::new(service_fn(answer)))
    }

    pub(crate) fn timeout(scale: Scale) -> Vec<f64> {
        run(scale, || ServiceBuilder::new().layer(TimeoutLayer::new(TIMEOUT)).service(service_fn(answer)))
    }

    pub(crate) fn concurrency_limit(scale: Scale) -> Vec<f64> {
        run(scale, || {
            ServiceBuilder::new()
                .layer(ConcurrencyLimitLayer::new(CONCURRENCY))
                .service(service_fn(answer))
        })
    }

    /// One caller, one request at a time, through a buffer (its worker is a task of its
    /// own): ns per request, and process CPU ns per request (both workers).
    pub(crate) fn buffer_serial(scale: Scale) -> Vec<f64> {
        let requests = scale.size(BUFFER_SERIAL_REQUESTS);
        let runtime = fresh::<Rt>();
        let (wall, cpu) = on_worker(&runtime, async move {
            let buffer = Buffer::new(service_fn(answer), BUFFER_BOUND);
            let start = process_cpu_time();
            let wall = drive(buffer, requests).await;
            (wall, process_cpu_time() - start)
        });
        drop(runtime);
        vec![per_op(wall, requests), per_op(cpu, requests)]
    }

    /// 64 callers, each a task with its own clone of one buffer, each driving its
    /// requests one at a time: process CPU ns per request (both workers, the buffer's
    /// worker task and the callers).
    pub(crate) fn buffer_contended(scale: Scale) -> Vec<f64> {
        let per_caller = scale.size(BUFFER_REQUESTS_PER_CALLER);
        let runtime = fresh::<Rt>();
        let cpu = on_worker(&runtime, async move {
            let buffer = Buffer::new(service_fn(answer), BUFFER_BOUND);
            let start = process_cpu_time();
            let callers: Vec<_> = (0..BUFFER_CALLERS)
                .map(|_| Rt::spawn(drive(buffer.clone(), per_caller)))
                .collect();
            for caller in callers {
                caller.await.expect("caller task failed");
            }
            process_cpu_time() - start
        });
        drop(runtime);
        vec![per_op(cpu, BUFFER_CALLERS * per_caller)]
    }

    /// Successful requests through `Retry` with a standard policy and a budget.
    pub(crate) fn retry_pass(scale: Scale) -> Vec<f64> {
        run(scale, || ServiceBuilder::new().layer(retry_layer()).service(service_fn(answer)))
    }

    /// Requests through a p2c PeakEWMA balancer over 10 ready endpoints.
    pub(crate) fn balance_10(scale: Scale) -> Vec<f64> {
        run(scale, || balance(10, || service_fn(answer)))
    }

    /// The same over 1,000 ready endpoints: the cost per request should not grow.
    pub(crate) fn balance_1000(scale: Scale) -> Vec<f64> {
        run(scale, || balance(1_000, || service_fn(answer)))
    }

    pub(crate) fn five_layers(scale: Scale) -> Vec<f64> {
        run(scale, || {
            ServiceBuilder::new()
                .boxed_clone()
                .layer(TimeoutLayer::new(TIMEOUT))
                .layer(ConcurrencyLimitLayer::new(CONCURRENCY))
                .layer(LoadShedLayer::new())
                .map_response(|x: u64| x.wrapping_mul(3))
                .service(service_fn(answer))
        })
    }
}

/// One row measured in ns per request.
macro_rules! row {
    ($name:literal, $run:ident) => {
        Workload {
            metrics: &[Metric {
                name: $name,
                unit: "ns/request",
                better: Better::Lower,
            }],
            runs: [ours_runs::$run, peer_runs::$run],
            peer: None,
        }
    };
}

/// Returns the workloads of the suite, in report order.
pub(crate) fn workloads() -> Vec<Workload> {
    vec![
        row!("service_fn", service_fn_serial),
        row!("map_stack", map_stack),
        row!("boxed_clone", boxed_clone),
        row!("timeout", timeout),
        row!("concurrency_limit", concurrency_limit),
        row!("five_layers", five_layers),
        row!("retry_pass", retry_pass),
        row!("balance_p2c_peak_ewma_10", balance_10),
        row!("balance_p2c_peak_ewma_1000", balance_1000),
        Workload {
            metrics: &[
                Metric {
                    name: "buffer_serial",
                    unit: "ns/request",
                    better: Better::Lower,
                },
                Metric {
                    name: "buffer_serial_cpu",
                    unit: "CPU ns/request",
                    better: Better::Lower,
                },
            ],
            runs: [ours_runs::buffer_serial, peer_runs::buffer_serial],
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "buffer_contended",
                unit: "CPU ns/request",
                better: Better::Lower,
            }],
            runs: [ours_runs::buffer_contended, peer_runs::buffer_contended],
            peer: None,
        },
    ]
}
