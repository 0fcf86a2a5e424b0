//! Per-request timeouts through a closure: `with_override` (falls back to a default) and
//! `with_policy` (a closure whose `None` means no timeout).

use std::time::Duration;

use rt_core::time::{sleep, Instant};
use svc_layers::timeout::{Timeout, TimeoutLayer, TimeoutPolicy};
use svc_trait::{service_fn, Layer, Service, ServiceExt};

/// Requests are `(work in ms, requested timeout in ms)`.
type Req = (u64, Option<u64>);

fn sleepy() -> impl Service<Req, Response = u64, Error = ()> + Clone {
    service_fn(|(ms, _): Req| async move {
        sleep(Duration::from_millis(ms)).await;
        Ok(ms)
    })
}

fn requested(req: &Req) -> Option<Duration> {
    req.1.map(Duration::from_millis)
}

#[rt_sched::test(start_paused = true)]
async fn the_closure_overrides_the_default() {
    let svc = Timeout::with_override(sleepy(), Duration::from_millis(100), requested);
    // Longer than the default, but within its own timeout.
    assert_eq!(svc.clone().oneshot((500, Some(600))).await.unwrap(), 500);
    // Shorter than the default, but beyond its own timeout.
    let start = Instant::now();
    assert!(svc.clone().oneshot((50, Some(10))).await.unwrap_err().is_elapsed());
    assert_eq!(start.elapsed(), Duration::from_millis(10));
}

#[rt_sched::test(start_paused = true)]
async fn none_from_the_override_means_the_default() {
    let svc = TimeoutLayer::with_override(Duration::from_millis(100), requested).layer(sleepy());
    assert_eq!(svc.clone().oneshot((99, None)).await.unwrap(), 99);
    let start = Instant::now();
    assert!(svc.oneshot((101, None)).await.unwrap_err().is_elapsed());
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[rt_sched::test(start_paused = true)]
async fn a_policy_closure_can_turn_the_timeout_off() {
    let svc = Timeout::with_policy(sleepy(), requested);
    // No timeout at all: an hour of work completes.
    assert_eq!(svc.clone().oneshot((3_600_000, None)).await.unwrap(), 3_600_000);
    assert!(svc.oneshot((20, Some(10))).await.unwrap_err().is_elapsed());
}

#[test]
fn policies_answer_as_documented() {
    let fixed = Duration::from_secs(2);
    assert_eq!(TimeoutPolicy::<Req>::timeout(&fixed, &(0, Some(1))), Some(fixed));
    let over = svc_layers::timeout::Override::new(fixed, requested);
    assert_eq!(over.timeout(&(0, Some(1))), Some(Duration::from_millis(1)));
    assert_eq!(over.timeout(&(0, None)), Some(fixed));
    assert_eq!(over.default_timeout(), fixed);
    assert_eq!(requested.timeout(&(0, None)), None);
}
