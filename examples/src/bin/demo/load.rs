//! The load generator: a fixed number of clients, each sending `GET /` through the proxy
//! one request after another with `svc-http`'s client, recording every request's start,
//! latency and outcome.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Request;
use rt_sched::task::JoinSet;
use svc_http::client::{Pool, PoolConfig};
use svc_http::Body;
use svc_trait::ServiceExt;

use crate::clock::Clock;
use crate::histogram::Histogram;

/// How long a client waits for one response before it counts a timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The most response body a client reads.
const BODY_LIMIT: usize = 64 * 1024;

/// How one request ended, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Outcome {
    /// A response with this status code (its body read to the end).
    Status(u16),
    /// The client could not connect to the proxy.
    Connect,
    /// The connection closed before the response ended.
    Closed,
    /// Another client error (protocol, I/O).
    Failed,
    /// No response within [`REQUEST_TIMEOUT`].
    Timeout,
}

impl Outcome {
    /// Whether the client got what it asked for (a `2xx` response).
    pub(crate) fn is_success(self) -> bool {
        matches!(self, Outcome::Status(200..=299))
    }

    /// How the outcome reads in the report.
    pub(crate) fn describe(self) -> String {
        match self {
            Outcome::Status(code) => format!("HTTP {code}"),
            Outcome::Connect => "connect failed".to_owned(),
            Outcome::Closed => "connection closed before the response".to_owned(),
            Outcome::Failed => "other client error".to_owned(),
            Outcome::Timeout => format!("no response within {} s", REQUEST_TIMEOUT.as_secs()),
        }
    }
}

/// One request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sample {
    /// When it was sent, in microseconds from the start.
    pub(crate) at_micros: u32,
    /// How long it took, in microseconds.
    pub(crate) latency_micros: u32,
    /// How it ended.
    pub(crate) outcome: Outcome,
}

impl Sample {
    /// When it was sent.
    pub(crate) fn at(&self) -> Duration {
        Duration::from_micros(self.at_micros.into())
    }
}

/// What the progress line reads while the load runs.
#[derive(Debug)]
pub(crate) struct Live {
    /// Requests completed.
    pub(crate) requests: AtomicU64,
    /// Requests that did not end with a `2xx` response.
    pub(crate) errors: AtomicU64,
    /// Latencies so far.
    pub(crate) latencies: Histogram,
}

/// The running clients.
#[derive(Debug)]
pub(crate) struct Load {
    clients: JoinSet<Vec<Sample>>,
    live: Arc<Live>,
}

impl Load {
    /// Starts `clients` clients sending to `proxy` until `until` (an offset of `clock`).
    pub(crate) fn start(proxy: SocketAddr, clients: usize, clock: Clock, until: Duration) -> Load {
        let live = Arc::new(Live {
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            latencies: Histogram::new(),
        });
        let config = PoolConfig::new()
            .max_idle(clients)
            .connect_timeout(Duration::from_secs(2));
        let pool = Pool::new(proxy, config);
        let mut set = JoinSet::new();
        for _ in 0..clients {
            set.spawn(client(pool.clone(), clock, until, live.clone()));
        }
        Load { clients: set, live }
    }

    /// The live counters.
    pub(crate) fn live(&self) -> &Live {
        &self.live
    }

    /// Waits for every client to finish; all their samples, in no particular order.
    ///
    /// # Errors
    ///
    /// A client task panicked.
    pub(crate) async fn join(mut self) -> io::Result<Vec<Sample>> {
        let mut samples = Vec::new();
        while let Some(done) = self.clients.join_next().await {
            samples.extend(done.map_err(io::Error::other)?);
        }
        Ok(samples)
    }
}

/// One client: requests back to back until `until`.
async fn client(pool: Pool, clock: Clock, until: Duration, live: Arc<Live>) -> Vec<Sample> {
    let mut samples = Vec::with_capacity(4096);
    loop {
        let at = clock.elapsed();
        if at >= until {
            return samples;
        }
        let sent = Instant::now();
        let outcome = match rt_core::time::timeout(REQUEST_TIMEOUT, get(&pool)).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::Timeout,
        };
        let latency = sent.elapsed();
        live.latencies.record(latency);
        live.requests.fetch_add(1, Ordering::Relaxed);
        if !outcome.is_success() {
            live.errors.fetch_add(1, Ordering::Relaxed);
        }
        samples.push(Sample {
            at_micros: micros(at),
            latency_micros: micros(latency),
            outcome,
        });
    }
}

/// Sends `GET /` and reads the response to its end.
async fn get(pool: &Pool) -> Outcome {
    let request = Request::get("/").body(Body::empty()).expect("a valid request");
    let result = match pool.clone().oneshot(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            response.into_body().collect(BODY_LIMIT).await.map(|_| status)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(status) => Outcome::Status(status),
        Err(e) if e.is_connect() => Outcome::Connect,
        Err(e) if e.is_closed() => Outcome::Closed,
        Err(_) => Outcome::Failed,
    }
}

/// A duration in microseconds, saturated to `u32`.
fn micros(duration: Duration) -> u32 {
    u32::try_from(duration.as_micros()).unwrap_or(u32::MAX)
}
