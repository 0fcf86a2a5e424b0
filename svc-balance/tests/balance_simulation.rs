//! The balance demo as a test: ten endpoints with latencies 1, 5, 10, 10, 10, 100, 100,
//! 100, 500 and 1,000 ms (on the paused clock, so real time is short), twenty callers
//! in parallel; PeakEWMA gives a far lower p99 than picking at random.

mod support;

use std::time::Duration;

use rt_core::time::{sleep, Instant};
use svc_balance::load::{InFlight, Load, PeakEwma, TrackCompletion};
use svc_balance::{Builder, ServiceList};
use svc_trait::{service_fn, Service, ServiceExt};

const LATENCIES_MS: [u64; 10] = [1, 5, 10, 10, 10, 100, 100, 100, 500, 1_000];
const CALLERS: usize = 20;
const REQUESTS_PER_CALLER: usize = 1_000;

/// Every endpoint costs the same: power of two choices degenerates to a random pick.
#[derive(Debug, Default)]
struct Constant;

impl Load for Constant {
    type Token = ();
    fn fresh(&self) -> Self {
        Constant
    }
    fn cost(&self, _pending: u64, _now: Instant) -> f64 {
        1.0
    }
    fn start(&self, _now: Instant) {}
    fn end(&self, _token: ()) {}
}

/// The latencies (ms) seen by all callers of a balancer with load metric `load`.
async fn run<L: Load>(load: L) -> Vec<u64>
where
    svc_balance::load::CompleteOnResponse: TrackCompletion<L, ()>,
{
    let endpoints = LATENCIES_MS.iter().map(|&ms| {
        let svc = service_fn(move |()| async move {
            sleep(Duration::from_millis(ms)).await;
            Ok::<_, std::io::Error>(())
        });
        (ms, svc)
    });
    let endpoints: Vec<_> = endpoints.enumerate().map(|(i, (_, svc))| (i, svc)).collect();
    let balance = Builder::new().load(load).build(ServiceList::new(endpoints));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let mut balance = balance.clone();
            rt_sched::spawn(async move {
                let mut latencies = Vec::with_capacity(REQUESTS_PER_CALLER);
                for _ in 0..REQUESTS_PER_CALLER {
                    let start = Instant::now();
                    balance.ready().await.unwrap().call(()).await.unwrap();
                    latencies.push(start.elapsed().as_millis() as u64);
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for caller in callers {
        all.extend(caller.await.unwrap());
    }
    all.sort_unstable();
    all
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

#[rt_sched::test(start_paused = true)]
async fn peak_ewma_gives_a_lower_p99_than_random_choice() {
    let ewma = run(PeakEwma::default()).await;
    let random = run(Constant).await;
    let (ewma_p50, ewma_p99) = (percentile(&ewma, 0.5), percentile(&ewma, 0.99));
    let (random_p50, random_p99) = (percentile(&random, 0.5), percentile(&random, 0.99));
    let slow = |l: &[u64]| l.iter().filter(|&&ms| ms >= 500).count();
    println!(
        "p50/p99 ms: peak ewma {ewma_p50}/{ewma_p99} ({} >= 500 ms), random {random_p50}/{random_p99} ({} >= 500 ms)",
        slow(&ewma),
        slow(&random)
    );
    // Random: one request in ten goes to the 1,000 ms endpoint, so p99 is 1,000 ms.
    assert_eq!(random_p99, 1_000);
    assert!(
        ewma_p99 < random_p99,
        "peak ewma p99 {ewma_p99} ms, random {random_p99} ms"
    );
    // Random sends 20 % of the requests to the 500 and 1,000 ms endpoints; PeakEWMA only
    // the few that find them while their estimate is cold or decayed (about 2 %).
    assert!(slow(&ewma) * 5 < slow(&random), "{} vs {}", slow(&ewma), slow(&random));
    assert!(ewma_p50 <= random_p50);
}

/// Keeps the guard alive with the response (shows the completion hook composes).
#[derive(Clone)]
struct KeepGuard;

impl<L: Load, R> TrackCompletion<L, R> for KeepGuard {
    type Output = (R, InFlight<L>);
    fn track(&self, guard: InFlight<L>, response: R) -> Self::Output {
        (response, guard)
    }
}

#[rt_sched::test(start_paused = true)]
async fn a_request_counts_as_in_flight_until_its_guard_drops() {
    let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x) });
    let balance = Builder::new()
        .completion(KeepGuard)
        .build(ServiceList::new([("a", svc)]));
    let (answer, guard) = balance.clone().oneshot(3).await.unwrap();
    assert_eq!(answer, 3);
    assert_eq!(balance.metrics().in_flight(), 1, "the body is still streaming");
    drop(guard);
    assert_eq!(balance.metrics().in_flight(), 0);
    assert_eq!(balance.endpoints()[0].requests(), 1);
}
