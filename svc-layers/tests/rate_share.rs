//! `RateLimit` clones share one rate (unlike tower's, tower #794); layers build one rate
//! per service or one for all.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use rt_core::time::Instant;
use svc_layers::rate::{Rate, RateLimit, RateLimitLayer, RateLimiter};
use svc_trait::{service_fn, Layer, Service, ServiceExt};

type Echo = svc_trait::ServiceFn<fn(u32) -> std::future::Ready<Result<u32, ()>>>;

fn echo() -> Echo {
    service_fn(|x| std::future::ready(Ok(x)))
}

/// Sends requests through `svc` as fast as it admits them until `until`, counting them.
async fn greedy(mut svc: RateLimit<Echo>, until: Instant, count: Arc<AtomicUsize>) {
    loop {
        let response = svc.ready().await.unwrap().call(0);
        if Instant::now() > until {
            return; // (the response is dropped unsent; only the window is counted)
        }
        count.fetch_add(1, SeqCst);
        response.await.unwrap();
    }
}

#[rt_sched::test(start_paused = true)]
async fn two_clones_together_never_exceed_the_rate() {
    let start = Instant::now();
    let until = start + Duration::from_secs(10);
    let svc = RateLimit::new(echo(), Rate::new(4, Duration::from_secs(1))); // one per 250 ms
    let (a, b) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let first = rt_sched::spawn(greedy(svc.clone(), until, a.clone()));
    let second = rt_sched::spawn(greedy(svc.clone(), until, b.clone()));
    first.await.unwrap();
    second.await.unwrap();

    let (a, b) = (a.load(SeqCst), b.load(SeqCst));
    // A burst of 4, then one per 250 ms up to and including 10 s: 4 + 40, for both together.
    assert_eq!(a + b, 4 + 40, "a: {a}, b: {b}");
    assert!(a >= 10 && b >= 10, "both clones get served (a: {a}, b: {b})");
}

#[test]
fn clones_share_the_limiter_and_hold_no_token() {
    let mut a = RateLimit::new(echo(), Rate::new(2, Duration::from_secs(3600)));
    let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
    assert!(a.poll_ready(&mut cx).is_ready());
    let mut b = a.clone();
    assert!(a.holds_token() && !b.holds_token());
    assert!(a.limiter().ptr_eq(b.limiter()));
    assert!(b.poll_ready(&mut cx).is_ready());
    assert_eq!(a.limiter().available(), 0);
    drop((a.call(1), b.call(2)));
    assert_eq!(b.limiter().available(), 0);
}

#[test]
fn layer_new_gives_each_service_its_own_rate() {
    let layer = RateLimitLayer::new(1, Duration::from_secs(3600));
    assert!(!layer.is_shared());
    let a = layer.layer(echo());
    let b = layer.clone().layer(echo());
    assert!(!a.limiter().ptr_eq(b.limiter()));
    a.limiter().try_acquire().unwrap();
    assert!(b.limiter().try_acquire().is_ok(), "`b` has a rate of its own");
    assert_eq!(layer.rate(), Rate::new(1, Duration::from_secs(3600)));

    let from_rate = RateLimitLayer::from_rate(Rate::new(1, Duration::from_secs(1)));
    assert!(!from_rate
        .layer(echo())
        .limiter()
        .ptr_eq(from_rate.layer(echo()).limiter()));
}

#[test]
fn layer_shared_gives_every_service_one_rate() {
    let layer = RateLimitLayer::shared(1, Duration::from_secs(3600));
    assert!(layer.is_shared());
    let a = layer.layer(echo());
    let b = layer.clone().layer(echo());
    a.limiter().try_acquire().unwrap();
    assert!(
        b.limiter().try_acquire().is_err(),
        "`a` took the only token of the hour"
    );
}

#[test]
fn services_on_one_limiter_share_it() {
    let limiter = RateLimiter::new(Rate::new(2, Duration::from_secs(3600)));
    let a = RateLimit::with_limiter(echo(), limiter.clone());
    let b = RateLimitLayer::with_limiter(limiter.clone()).layer(echo());
    a.limiter().try_acquire().unwrap();
    b.limiter().try_acquire().unwrap();
    assert!(limiter.try_acquire().is_err());
    assert_eq!(a.rate(), b.rate());
}

#[rt_sched::test(start_paused = true)]
async fn a_shared_layer_limits_different_services_together() {
    let layer = RateLimitLayer::shared(2, Duration::from_secs(1));
    let mut a = layer.layer(echo());
    let mut b = layer.layer(echo());
    let start = Instant::now();
    a.ready().await.unwrap().call(1).await.unwrap();
    b.ready().await.unwrap().call(2).await.unwrap();
    b.ready().await.unwrap().call(3).await.unwrap(); // waits for the next token
    assert!(Instant::now().duration_since(start) >= Duration::from_millis(500));
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RateLimit<svc_mock::Mock<u32, u32>>>();
    assert_send_sync::<RateLimiter>();
    assert_send_sync::<RateLimitLayer>();
    assert_send_sync::<Rate>();
}
