//! The live view: samples the proxy and the backends every 250 ms while the load runs,
//! records the backends' states into a [`Timeline`], and prints one line per second.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use examples::proxy::Proxy;
use rt_core::time::{interval_at, Instant};

use crate::backend::Backend;
use crate::clock::Clock;
use crate::load::Live;
use crate::report::{format_count, format_latency};
use crate::schedule::{Failure, Schedule};
use crate::timeline::{Seen, Timeline};

/// How often the proxy and the backends are sampled.
const TICK: Duration = Duration::from_millis(250);
/// Samples per printed line.
const TICKS_PER_LINE: u32 = 4;

/// What the previous line counted, to print rates.
#[derive(Debug, Default)]
struct Previous {
    requests: u64,
    received: Vec<u64>,
    at: Duration,
}

/// Samples until the end of the schedule; the backends' states over time.
pub(crate) async fn watch(
    proxy: &Proxy,
    backends: &[Backend],
    live: &Live,
    clock: Clock,
    schedule: Schedule,
) -> Timeline {
    let mut timeline = Timeline::new(backends.len());
    let mut previous = Previous {
        received: vec![0; backends.len()],
        ..Previous::default()
    };
    print_header(backends);
    let mut ticker = interval_at(Instant::now() + TICK, TICK);
    for tick in 1.. {
        ticker.tick().await;
        let at = clock.elapsed();
        let snapshot = proxy.snapshot();
        let states: Vec<Seen> = backends.iter().map(|b| Seen::of(&snapshot, b.addr)).collect();
        timeline.record(
            at.min(schedule.duration.saturating_sub(Duration::from_millis(1))),
            &states,
        );
        let last = at >= schedule.duration;
        if tick % TICKS_PER_LINE == 0 || last {
            print_line(backends, live, snapshot.retries, &states, &mut previous, at, schedule);
        }
        if last {
            break;
        }
    }
    timeline
}

/// The column titles.
fn print_header(backends: &[Backend]) {
    let mut line = format!(
        "{:>6}  {:>9}  {:>7}  {:>10}  {:>6}  {:>7}",
        "time", "requests", "rps", "p99 so far", "errors", "retries"
    );
    for backend in backends {
        let _ = write!(line, "  {:<14}", backend.kind.name());
    }
    println!("{}", line.trim_end());
}

/// One progress line: totals, the last second's rate, each backend's share of the last
/// second and its state now.
fn print_line(
    backends: &[Backend],
    live: &Live,
    retries: u64,
    states: &[Seen],
    previous: &mut Previous,
    at: Duration,
    schedule: Schedule,
) {
    let requests = live.requests.load(Ordering::Relaxed);
    let seconds = (at - previous.at).as_secs_f64().max(1e-3);
    let rps = (requests - previous.requests) as f64 / seconds;
    let p99 = live
        .latencies
        .quantile(0.99)
        .map_or_else(|| "-".to_owned(), format_latency);
    let errors = live.errors.load(Ordering::Relaxed);
    let mut line = format!(
        "{:>4.1} s  {:>9}  {:>7}  {:>10}  {:>6}  {:>7}",
        at.as_secs_f64(),
        format_count(requests),
        format_count(rps as u64),
        p99,
        format_count(errors),
        format_count(retries)
    );
    let received: Vec<u64> = backends.iter().map(|b| b.stats.received_total()).collect();
    let deltas: Vec<u64> = received
        .iter()
        .zip(&previous.received)
        .map(|(now, before)| now - before)
        .collect();
    let total = deltas.iter().sum::<u64>().max(1);
    for (delta, state) in deltas.iter().zip(states) {
        let share = format!("{:>3}% {}", delta * 100 / total, state.name());
        let _ = write!(line, "  {share:<14}");
    }
    match schedule.failure(at) {
        Failure::None => {}
        Failure::Unavailable => line.push_str("  <- flaky answers 503"),
        Failure::Reset => line.push_str("  <- flaky resets connections"),
    }
    println!("{}", line.trim_end());
    let _ = std::io::stdout().flush();
    *previous = Previous { requests, received, at };
}
