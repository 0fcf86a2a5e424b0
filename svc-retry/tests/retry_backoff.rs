//! Backoff delays between attempts stay within their bounds, on the paused clock.

mod support;

use std::time::Duration;

use rt_core::time::Instant;
use svc_retry::{ExponentialBackoff, Jitter, Retry};
use svc_trait::{Service, ServiceExt};

use support::{builder, ms};

/// The timer's resolution: a sleep ends on the first 1 ms tick at or after its deadline.
const TICK: Duration = Duration::from_millis(1);

/// Fails `attempts` times in a row and returns the time between each failure and the
/// next attempt.
async fn gaps(backoff: ExponentialBackoff, attempts: u32) -> Vec<Duration> {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(attempts).backoff(backoff).build(), mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(1));
    let mut gaps = Vec::new();
    let (_, mut send) = handle.next_request().await.unwrap();
    for _ in 1..attempts {
        let failed_at = Instant::now();
        send.send_error("down");
        let (_, next) = handle.next_request().await.unwrap();
        gaps.push(Instant::now() - failed_at);
        send = next;
    }
    send.send_error("down");
    assert!(response.await.unwrap().is_err());
    gaps
}

fn assert_within(backoff: &ExponentialBackoff, gaps: &[Duration]) {
    for (retry, gap) in gaps.iter().enumerate() {
        let (low, high) = backoff.bounds(retry as u32);
        assert!(
            low <= *gap && *gap <= high + TICK,
            "retry {retry}: waited {gap:?}, bounds {low:?} ..= {high:?}"
        );
    }
}

#[rt_sched::test(start_paused = true)]
async fn exponential_delays_without_jitter_double_up_to_max() {
    let backoff = ExponentialBackoff::new(ms(100), ms(500), Jitter::None).unwrap();
    let gaps = gaps(backoff.clone(), 6).await;
    assert_within(&backoff, &gaps);
    let expected: Vec<_> = [100, 200, 400, 500, 500].into_iter().map(ms).collect();
    assert_eq!(gaps, expected);
}

#[rt_sched::test(start_paused = true)]
async fn proportional_jitter_stays_within_bounds() {
    for seed in 0..20 {
        let backoff = ExponentialBackoff::new(ms(50), ms(2_000), Jitter::Proportional(0.3))
            .unwrap()
            .with_seed(seed);
        let gaps = gaps(backoff.clone(), 6).await;
        assert_within(&backoff, &gaps);
    }
}

#[rt_sched::test(start_paused = true)]
async fn full_jitter_stays_within_bounds_and_spreads() {
    let mut firsts = Vec::new();
    for seed in 0..20 {
        let backoff = ExponentialBackoff::new(ms(64), ms(1_000), Jitter::Full)
            .unwrap()
            .with_seed(seed);
        let gaps = gaps(backoff.clone(), 5).await;
        assert_within(&backoff, &gaps);
        firsts.push(gaps[0]);
    }
    firsts.sort();
    firsts.dedup();
    assert!(firsts.len() > 5, "full jitter spreads the first delay: {firsts:?}");
}

#[rt_sched::test(start_paused = true)]
async fn a_seed_makes_delays_reproducible() {
    let make = || {
        ExponentialBackoff::new(ms(10), ms(1_000), Jitter::Full)
            .unwrap()
            .with_seed(99)
    };
    assert_eq!(gaps(make(), 5).await, gaps(make(), 5).await);
}
