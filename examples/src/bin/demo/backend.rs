//! The three backends: HTTP/1.1 servers built with `svc-http`, in this process.
//!
//! - `fast` answers after about 1 ms;
//! - `slow` answers after 20 to 50 ms (uniformly spread);
//! - `flaky` answers after about 1 ms, except in the [failure window](crate::schedule):
//!   first `503 Service Unavailable` to every request, then connection resets (see
//!   [`crate::resetting`]).
//!
//! Each backend counts the requests it received per [`Phase`], and what it failed.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use rt_net::TcpListener;
use rt_sched::task::JoinSet;
use svc_http::{server::Server, Body};
use svc_trait::service_fn;

use crate::clock::Clock;
use crate::schedule::{Failure, Phase, Schedule};

/// Which of the three backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// About 1 ms per request.
    Fast,
    /// 20 to 50 ms per request.
    Slow,
    /// About 1 ms, failing in the failure window.
    Flaky,
}

impl Kind {
    /// The three backends, in the order they are given to the proxy.
    pub(crate) const ALL: [Kind; 3] = [Kind::Fast, Kind::Slow, Kind::Flaky];

    /// The backend's name in the output.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Fast => "fast",
            Kind::Slow => "slow",
            Kind::Flaky => "flaky",
        }
    }

    /// What the backend does, for the banner.
    pub(crate) fn describe(self, schedule: &Schedule) -> String {
        match self {
            Kind::Fast => "answers in ~1 ms".to_owned(),
            Kind::Slow => "answers in 20-50 ms".to_owned(),
            Kind::Flaky => format!(
                "answers in ~1 ms; 503s from {:.1} s, connection resets from {:.1} s, recovers at {:.1} s",
                schedule.fail_at.as_secs_f64(),
                schedule.reset_at.as_secs_f64(),
                schedule.recover_at.as_secs_f64()
            ),
        }
    }

    /// How long the backend takes to answer one request.
    fn delay(self) -> Duration {
        match self {
            Kind::Fast | Kind::Flaky => Duration::from_millis(1),
            Kind::Slow => Duration::from_millis(20 + random_below(31)),
        }
    }
}

/// What one backend counted.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Requests received, per [`Phase`].
    received: [AtomicU64; 3],
    /// Requests answered with `503`.
    unavailable: AtomicU64,
    /// Connections reset.
    resets: AtomicU64,
}

impl Stats {
    /// Requests received in `phase`.
    pub(crate) fn received(&self, phase: Phase) -> u64 {
        self.received[phase.index()].load(Ordering::Relaxed)
    }

    /// Requests received so far.
    pub(crate) fn received_total(&self) -> u64 {
        Phase::ALL.iter().map(|&phase| self.received(phase)).sum()
    }

    /// Requests answered with `503 Service Unavailable`.
    pub(crate) fn unavailable(&self) -> u64 {
        self.unavailable.load(Ordering::Relaxed)
    }

    /// Connections reset.
    pub(crate) fn resets(&self) -> u64 {
        self.resets.load(Ordering::Relaxed)
    }

    /// Counts a reset connection.
    pub(crate) fn count_reset(&self) {
        self.resets.fetch_add(1, Ordering::Relaxed);
    }
}

/// A running backend.
#[derive(Debug, Clone)]
pub(crate) struct Backend {
    /// Which backend.
    pub(crate) kind: Kind,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// What it counted.
    pub(crate) stats: Arc<Stats>,
}

/// Starts the three backends on loopback, their tasks in `tasks`.
///
/// # Errors
///
/// Binding a listener failed.
pub(crate) async fn start_all(clock: Clock, schedule: Schedule, tasks: &mut JoinSet<()>) -> io::Result<Vec<Backend>> {
    let mut backends = Vec::new();
    for kind in Kind::ALL {
        backends.push(start(kind, clock, schedule, tasks).await?);
    }
    Ok(backends)
}

/// Starts one backend.
async fn start(kind: Kind, clock: Clock, schedule: Schedule, tasks: &mut JoinSet<()>) -> io::Result<Backend> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let counted = stats.clone();
    let service = service_fn(move |_req: Request<Body>| answer(kind, clock, schedule, counted.clone()));
    match kind {
        Kind::Flaky => {
            tasks.spawn(crate::resetting::serve(
                listener,
                service,
                clock,
                schedule,
                stats.clone(),
            ));
        }
        Kind::Fast | Kind::Slow => {
            tasks.spawn(async move {
                let _ = Server::from_listener(listener).serve(service).await;
            });
        }
    }
    Ok(Backend { kind, addr, stats })
}

/// Answers one request as `kind` does at this moment.
async fn answer(kind: Kind, clock: Clock, schedule: Schedule, stats: Arc<Stats>) -> Result<Response<Body>, Infallible> {
    let now = clock.elapsed();
    stats.received[schedule.phase(now).index()].fetch_add(1, Ordering::Relaxed);
    if kind == Kind::Flaky && schedule.failure(now) != Failure::None {
        stats.unavailable.fetch_add(1, Ordering::Relaxed);
        let mut response = Response::new(Body::from("flaky: failing\n"));
        *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        return Ok(response);
    }
    rt_core::time::sleep(kind.delay()).await;
    Ok(Response::new(Body::from(kind.name())))
}

/// A pseudo-random number below `n` (splitmix64 over a shared counter: spread, not secure).
fn random_below(n: u64) -> u64 {
    static STATE: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let mut z = STATE.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slow_delays_stay_in_range() {
        for _ in 0..1000 {
            let delay = Kind::Slow.delay();
            assert!((20..=50).contains(&delay.as_millis()), "{delay:?}");
        }
    }
}
