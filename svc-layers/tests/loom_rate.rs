//! Loom models of the shared rate (`RateLimiter`'s GCRA word): concurrent takes never
//! overdraw, and refunds (`disarm`) racing takes neither lose nor mint tokens.
//!
//! The period is so long (1 000 hours) that no token refills while a model runs, so
//! every outcome depends on the interleaving alone.
//!
//! Needs `loom` as a `cfg(loom)` dev-dependency of svc-layers. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p svc-layers
//! --test loom_rate`.
#![cfg(loom)]

use std::task::{Context, Poll};
use std::time::Duration;

use loom::thread;
use svc_layers::rate::{Rate, RateLimit, RateLimiter};
use svc_trait::{service_fn, Service};

const PER: Duration = Duration::from_secs(3_600 * 1_000);

type Echo = svc_trait::ServiceFn<fn(u32) -> std::future::Ready<Result<u32, ()>>>;

fn service(limiter: RateLimiter) -> RateLimit<Echo> {
    RateLimit::with_limiter(service_fn(|x| std::future::ready(Ok(x))), limiter)
}

/// Polls `svc` for readiness once; only called where a token is certain to be there (a
/// wait would need a runtime's timer).
fn ready(svc: &mut RateLimit<Echo>) {
    let poll = svc.poll_ready(&mut Context::from_waker(&futures::task::noop_waker()));
    assert!(matches!(poll, Poll::Ready(Ok(()))), "a token was expected");
}

/// Takes every token left, returning how many there were.
fn drain(limiter: &RateLimiter) -> u64 {
    let mut n = 0;
    while limiter.try_acquire().is_ok() {
        n += 1;
    }
    n
}

#[test]
fn three_takers_share_two_tokens() {
    loom::model(|| {
        let limiter = RateLimiter::new(Rate::new(2, PER));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let limiter = limiter.clone();
                thread::spawn(move || u64::from(limiter.try_acquire().is_ok()))
            })
            .collect();
        let mine = u64::from(limiter.try_acquire().is_ok());
        let taken: u64 = mine + threads.into_iter().map(|t| t.join().unwrap()).sum::<u64>();
        assert_eq!(taken, 2, "exactly the burst: no overdraw, no lost token");
        assert_eq!(drain(&limiter), 0);
    });
}

#[test]
fn refunds_racing_a_take_are_exact() {
    loom::model(|| {
        // Three tokens: each of the three parties below is sure to find one.
        let limiter = RateLimiter::new(Rate::new(3, PER));
        let refunders: Vec<_> = (0..2)
            .map(|_| {
                let limiter = limiter.clone();
                thread::spawn(move || {
                    let mut svc = service(limiter);
                    ready(&mut svc);
                    svc.disarm(); // the refund
                })
            })
            .collect();
        assert!(limiter.try_acquire().is_ok());
        for t in refunders {
            t.join().unwrap();
        }
        // One token kept, two refunded: two left, whatever the interleaving.
        assert_eq!(drain(&limiter), 2);
    });
}

#[test]
fn a_refund_racing_a_take_of_the_last_token() {
    loom::model(|| {
        let limiter = RateLimiter::new(Rate::new(2, PER));
        let mut svc = service(limiter.clone());
        ready(&mut svc); // one token reserved, one left
        let refunder = thread::spawn(move || svc.disarm());
        let taker = {
            let limiter = limiter.clone();
            thread::spawn(move || u64::from(limiter.try_acquire().is_ok()))
        };
        refunder.join().unwrap();
        let took = taker.join().unwrap();
        assert_eq!(took, 1, "the free token was there all along");
        assert_eq!(drain(&limiter), 1, "the refunded one is back");
    });
}
