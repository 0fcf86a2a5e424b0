//! `RateLimit` with the paused clock: a burst of `num`, then one token every `per / num`,
//! waiting on the timer in between.

use std::time::Duration;

use rt_core::time::{advance, sleep, timeout, Instant};
use svc_layers::rate::{Rate, RateLimit};
use svc_trait::{service_fn, Service, ServiceExt};

type Echo = svc_trait::ServiceFn<fn(u32) -> std::future::Ready<Result<u32, ()>>>;

fn echo() -> Echo {
    service_fn(|x| std::future::ready(Ok(x)))
}

/// One request through `svc`, returning when it was admitted.
async fn one(svc: &mut RateLimit<Echo>) -> Instant {
    let response = svc.ready().await.unwrap().call(1);
    let admitted = Instant::now();
    response.await.unwrap();
    admitted
}

/// Whether `svc` becomes ready within `within`.
async fn ready_within(svc: &mut RateLimit<Echo>, within: Duration) -> bool {
    match timeout(within, svc.ready()).await {
        Ok(ready) => {
            ready.unwrap();
            svc.disarm(); // only looking: give the token back
            true
        }
        Err(_) => false,
    }
}

/// `admitted` is `expected` after `start`, give or take the timer's 1 ms resolution (a
/// timer fires at or after its deadline, never before).
fn assert_at(admitted: Instant, start: Instant, expected: Duration) {
    let at = admitted.duration_since(start);
    assert!(
        at >= expected && at <= expected + Duration::from_millis(1),
        "admitted at {at:?}, expected {expected:?}"
    );
}

#[rt_sched::test(start_paused = true)]
async fn a_burst_of_num_then_one_token_per_interval() {
    let start = Instant::now();
    let mut svc = RateLimit::new(echo(), Rate::new(3, Duration::from_secs(3)));

    // The burst: three at once, no time passes.
    for _ in 0..3 {
        assert_eq!(one(&mut svc).await, start);
    }
    assert_eq!(svc.limiter().available(), 0);

    // The fourth waits for the next token, due one interval (1 s) later, and not before.
    assert!(!ready_within(&mut svc, Duration::from_millis(999)).await);
    assert_at(one(&mut svc).await, start, Duration::from_secs(1));
    assert_at(one(&mut svc).await, start, Duration::from_secs(2));
    assert_at(one(&mut svc).await, start, Duration::from_secs(3));
}

#[rt_sched::test(start_paused = true)]
async fn an_idle_period_refills_the_bucket_but_never_beyond_num() {
    let mut svc = RateLimit::new(echo(), Rate::new(3, Duration::from_secs(3)));
    for _ in 0..3 {
        one(&mut svc).await;
    }
    // Idle for much longer than a period: the bucket is full again, not fuller.
    sleep(Duration::from_secs(60)).await;
    assert_eq!(svc.limiter().available(), 3);
    let refilled = Instant::now();
    for _ in 0..3 {
        assert_eq!(one(&mut svc).await, refilled);
    }
    assert!(!ready_within(&mut svc, Duration::from_millis(500)).await);
}

#[rt_sched::test(start_paused = true)]
async fn partial_refill_counts_whole_tokens() {
    let mut svc = RateLimit::new(echo(), Rate::new(4, Duration::from_secs(2))); // one per 500 ms
    for _ in 0..4 {
        one(&mut svc).await;
    }
    advance(Duration::from_millis(1_250)).await;
    assert_eq!(svc.limiter().available(), 2);
    let now = Instant::now();
    assert_eq!(one(&mut svc).await, now);
    assert_eq!(one(&mut svc).await, now);
    // The third token of this refill is due at 1 500 ms.
    assert!(!ready_within(&mut svc, Duration::from_millis(200)).await);
    assert!(ready_within(&mut svc, Duration::from_millis(100)).await);
}

#[rt_sched::test(start_paused = true)]
async fn a_greedy_caller_gets_exactly_the_rate() {
    let start = Instant::now();
    let mut svc = RateLimit::new(echo(), Rate::new(5, Duration::from_secs(1))); // one per 200 ms
    let mut admitted = Vec::new();
    while Instant::now().duration_since(start) < Duration::from_secs(10) {
        admitted.push(one(&mut svc).await);
    }
    // 5 at once, then one per 200 ms: by 10 s, 5 + 50 (the last at 10 s).
    assert_eq!(admitted.len(), 5 + 50);
    for (i, at) in admitted.iter().enumerate().skip(5) {
        assert_at(*at, start, Duration::from_millis(200 * (i as u64 - 4)));
    }
}

#[rt_sched::test(start_paused = true)]
async fn the_interval_is_rounded_up_so_the_rate_is_never_exceeded() {
    // 3 per second: an interval of 333 333 333.3 ns, rounded up to 333 333 334 ns.
    let limiter = RateLimit::new(echo(), Rate::new(3, Duration::from_secs(1)))
        .limiter()
        .clone();
    for _ in 0..3 {
        limiter.try_acquire().unwrap();
    }
    let due = limiter.try_acquire().unwrap_err();
    advance(Duration::from_nanos(333_333_333)).await;
    assert!(
        limiter.try_acquire().is_err(),
        "a token 1 ns early would exceed the rate"
    );
    assert!(Instant::now() < due);
    advance(Duration::from_nanos(1)).await;
    assert_eq!(Instant::now(), due);
    limiter.try_acquire().unwrap();
}
