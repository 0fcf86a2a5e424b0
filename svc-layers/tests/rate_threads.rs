//! The shared rate under real contention: std threads racing on one `RateLimiter` never
//! take more tokens than the rate allows, refunds (`disarm`) included.

use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use std::future::poll_fn;
use std::task::Poll;

use svc_layers::rate::{Rate, RateLimit, RateLimiter};
use svc_trait::{service_fn, Service};

const THREADS: usize = 8;
const ATTEMPTS: usize = 20_000;
/// So slow that no token refills while the test runs (one per 3.6 s).
const NUM: u64 = 1_000;
const PER: Duration = Duration::from_secs(3_600 * 1_000);

/// Runs `body` on `THREADS` threads started together, each with its own clone.
fn race(limiter: &RateLimiter, body: impl Fn(usize, RateLimiter) + Send + Sync + 'static) {
    let body = Arc::new(body);
    let barrier = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (limiter, barrier, body) = (limiter.clone(), barrier.clone(), body.clone());
            thread::spawn(move || {
                barrier.wait();
                body(t, limiter);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn racing_threads_take_exactly_the_burst() {
    let limiter = RateLimiter::new(Rate::new(NUM, PER));
    let taken = Arc::new(AtomicU64::new(0));
    let counter = taken.clone();
    race(&limiter, move |_, limiter| {
        for _ in 0..ATTEMPTS {
            if limiter.try_acquire().is_ok() {
                counter.fetch_add(1, SeqCst);
            }
        }
    });
    assert_eq!(taken.load(SeqCst), NUM, "never more than the burst, and none lost");
    assert_eq!(limiter.available(), 0);
}

#[test]
fn racing_services_with_refunds_stay_exact() {
    let limiter = RateLimiter::new(Rate::new(NUM, PER));
    let kept = Arc::new(AtomicU64::new(0));
    let counter = kept.clone();
    race(&limiter, move |t, limiter| {
        // Each thread polls its own `RateLimit` on the shared limiter; without a token
        // `poll_ready` arms a timer, which needs a runtime on the thread.
        let rt = rt_sched::Builder::new_current_thread().enable_all().build().unwrap();
        let mut svc = RateLimit::with_limiter(service_fn(|x: u32| std::future::ready(Ok::<_, ()>(x))), limiter);
        let mine = rt.block_on(poll_fn(|cx| {
            let mut mine = 0;
            for i in 0..ATTEMPTS {
                if let Poll::Ready(ready) = svc.poll_ready(cx) {
                    ready.unwrap();
                    // Half the threads give every other token back.
                    if t % 2 == 0 && i % 2 == 0 {
                        svc.disarm();
                    } else {
                        drop(svc.call(0));
                        mine += 1;
                    }
                }
            }
            Poll::Ready(mine)
        }));
        counter.fetch_add(mine, SeqCst);
    });
    assert_eq!(
        kept.load(SeqCst),
        NUM,
        "every refunded token was taken again, and no more"
    );
    assert_eq!(limiter.available(), 0);
}
