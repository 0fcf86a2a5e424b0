//! Per-request timeouts through the `RequestTimeout` extension (feature `http`).
#![cfg(feature = "http")]

use std::time::Duration;

use rt_core::time::{sleep, Instant};
use svc_layers::timeout::{ExtensionOr, RequestTimeout, Timeout, TimeoutLayer, TimeoutPolicy};
use svc_trait::{service_fn, Layer, Service, ServiceExt};

/// Requests carry their work in milliseconds as the body.
fn sleepy() -> impl Service<http::Request<u64>, Response = u64, Error = ()> + Clone {
    service_fn(|req: http::Request<u64>| async move {
        let ms = *req.body();
        sleep(Duration::from_millis(ms)).await;
        Ok(ms)
    })
}

fn request(work_ms: u64, timeout_ms: Option<u64>) -> http::Request<u64> {
    let mut req = http::Request::new(work_ms);
    if let Some(ms) = timeout_ms {
        req.extensions_mut().insert(RequestTimeout(Duration::from_millis(ms)));
    }
    req
}

#[rt_sched::test(start_paused = true)]
async fn the_extension_overrides_the_default() {
    let svc = Timeout::with_extension(sleepy(), Duration::from_millis(100));
    assert_eq!(svc.clone().oneshot(request(500, Some(600))).await.unwrap(), 500);
    let start = Instant::now();
    assert!(svc.oneshot(request(50, Some(10))).await.unwrap_err().is_elapsed());
    assert_eq!(start.elapsed(), Duration::from_millis(10));
}

#[rt_sched::test(start_paused = true)]
async fn without_the_extension_the_default_applies() {
    let svc = TimeoutLayer::with_extension(Duration::from_millis(100)).layer(sleepy());
    assert_eq!(svc.clone().oneshot(request(99, None)).await.unwrap(), 99);
    let start = Instant::now();
    assert!(svc.oneshot(request(500, None)).await.unwrap_err().is_elapsed());
    assert_eq!(start.elapsed(), Duration::from_millis(100));
}

#[rt_sched::test(start_paused = true)]
async fn the_fallback_can_be_any_policy() {
    // No extension: no timeout at all (a closure answering `None`).
    let fallback = |_: &http::Request<u64>| None;
    let svc = Timeout::with_policy(sleepy(), ExtensionOr::new(fallback));
    assert_eq!(svc.clone().oneshot(request(3_600_000, None)).await.unwrap(), 3_600_000);
    assert!(svc.oneshot(request(20, Some(10))).await.unwrap_err().is_elapsed());
}

#[test]
fn the_policy_reads_the_extension() {
    let policy = ExtensionOr::new(Duration::from_secs(1));
    assert_eq!(policy.timeout(&request(0, Some(5))), Some(Duration::from_millis(5)));
    assert_eq!(policy.timeout(&request(0, None)), Some(Duration::from_secs(1)));
    assert_eq!(*policy.fallback(), Duration::from_secs(1));
}
