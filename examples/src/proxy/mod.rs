//! A sidecar-style proxy built from the workspace's parts.
//!
//! # L7 (HTTP/1.1)
//!
//! Each client connection is served by `svc-http`'s server with a front service that
//! removes hop-by-hop fields and adds `Forwarded` / `X-Forwarded-For`, then calls this
//! stack (outermost first):
//!
//! ```text
//! Timeout (request_timeout, retries included: 504)
//!  └ Retry (idempotent requests, bodies ≤ 64 KiB made replayable; budget; 5xx and connection errors)
//!     └ Buffer (buffer_capacity requests)
//!        └ Balance (p2c PeakEWMA, failure accrual, fail-fast: 503)
//!           └ per endpoint: svc-http client Pool (connect refused / reset / garbage: 502)
//! ```
//!
//! A backend's own `5xx` answer goes back to the client as it is (after retries), and
//! counts as a failure for the balancer's failure accrual; a failed connect takes the
//! endpoint out of rotation at once.
//!
//! # L4 (TCP)
//!
//! Each client connection is balanced to an endpoint (the same p2c balancer with
//! failure accrual, its load the open connections; connect failures retried on another
//! endpoint) and copied both ways.
//!
//! # Discovery, admin, shutdown
//!
//! Endpoints come from [`Config::backends`] and [`Config::backends_file`], which is
//! watched. The admin listener serves `/metrics` (Prometheus text), `/ready` and
//! `/live`. [`Proxy::shutdown`] stops accepting, lets requests in flight finish within
//! [`Config::drain_timeout`], and returns.
//!
//! # Performance
//!
//! No per-request logging, no lock on the request path, counters in relaxed atomics.
//! `compare proxy` (`benches/proxy-peers.sh`), 27 Nov 2026 06:37 UTC, 9 rounds, release
//! build, `--workers 1` (a current-thread runtime), `wrk -t1 -c64` through each proxy to
//! the same single-threaded epoll backend on loopback, 2 shared cores (medians; ratio =
//! ours / peer):
//!
//! | | proxy CPU µs/req | added p99 ms | MiB at rest | KiB per idle connection |
//! |---|---|---|---|---|
//! | this proxy | 16.8 | 1.02 | 3.80 | 0.48 |
//! | nginx | 16.8 (ratio 1.00) | 1.21 (0.84) | 19.6 | 0.55 (0.87) |
//! | HAProxy | 18.9 (ratio 0.89) | 1.41 (0.72) | 16.2 | 1.11 (0.43) |
//!
//! The CPU row moves the most from run to run on a shared machine: per round, the CPU
//! ratio against nginx ran from 0.70 to 1.25; a 5-round run before gave 0.98 / 0.92.
//!
//! - About two thirds of the CPU is the kernel's: two `recvfrom` and two `sendto` per
//!   request, one `epoll_wait` per batch of requests (the minimum), 11.3 µs of system
//!   time per request against 5.3 µs of user time. User space runs about 17,300
//!   instructions per request (callgrind): parsing and building two heads, the stack's
//!   futures, the retry layer's copy of the request, about 10 allocations.
//!   No clock read for the keep-alive idle start, the `date` line or the pool's idle times
//!   (the runtime's coarse clock), and no C-library cancellation bookkeeping around the
//!   socket calls (raw system calls).
//! - The buffer in front of the balancer takes its *direct path* for every request under
//!   this load (nothing queued, the balancer ready): the connection's task calls the
//!   balancer itself, with no hand-off to the buffer's worker task and back. That saved
//!   about 1,400 instructions per request and brought the added p99 from 1.5× nginx's to
//!   0.84×. `/metrics` counts requests by path (`proxy_buffer_requests_total`).
//! - An idle client connection is parked (after 10 ms without a request: see svc-http's
//!   `serve_connection_with_shutdown`). It holds its task (272 bytes with the allocator's
//!   header: stream, keep-alive timer, configuration, stop signal, two-pointer front
//!   service, its slot in the drain set), its keep-alive timer entry (40), its reactor
//!   registration (80 plus a 16-byte table slot), its stop-signal waiter slot (16) and its
//!   drain-set slot (8): about 0.48 KiB. No request loop, no read or write buffer, no
//!   header scratch (the field positions of a head being parsed are per thread), no
//!   per-connection copy of the stack (each request clones a handle) and no per-connection
//!   copy of the client's address fields (shared per client IP).
//! - At rest: the release profile's LTO keeps the code small, and the process does not
//!   load `libm` (the balancer's decay weight and failure penalty are computed without
//!   it).
//!
//! # Examples
//!
//! ```no_run
//! use examples::proxy::{Config, Proxy};
//!
//! # fn main() -> std::io::Result<()> {
//! let rt = rt_sched::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
//! rt.block_on(async {
//!     let mut config = Config::new("127.0.0.1:4140".parse().unwrap());
//!     config.backends = vec!["127.0.0.1:8080".parse().unwrap()];
//!     config.admin = Some("127.0.0.1:9990".parse().unwrap());
//!     let proxy = Proxy::start(config).await?;
//!     println!("proxying on {}", proxy.local_addr());
//!     let _ = rt_net::signal::ctrl_c().await;
//!     proxy.shutdown().await;
//!     Ok(())
//! })
//! # }
//! ```

mod admin;
mod config;
mod conns;
mod discovery;
mod endpoint;
mod front;
mod headers;
mod metrics;
mod server;
mod stack;
mod tcp;

use std::collections::HashSet;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rt_core::sync::{mpsc, watch};
use rt_net::{TcpListener, TcpStream};
use rt_sched::task::JoinHandle;
use rt_sched::RuntimeMetrics;
use svc_balance::load::{PeakEwma, PendingRequests, DEFAULT_DECAY};
use svc_balance::{EndpointMetrics, EndpointState};
use svc_http::client::{Pool, PoolConfig};
use svc_http::server::StopSignal;
use svc_layers::timeout::Timeout;
use svc_retry::{Budget, Counters, RetryLayer};
use svc_trait::Layer;

pub use config::{Config, Mode};
pub use metrics::{BackendSnapshot, BackendState, Snapshot};

use discovery::Registry;
use endpoint::Endpoint;
use metrics::Stats;
use stack::{AlwaysReady, Bal, Buf, Stack};
use tcp::{Connector, TcpBal};

/// A running proxy: its listeners are bound and its tasks spawned on the runtime that
/// [`start`](Proxy::start)ed it.
///
/// Dropping it stops accepting (as [`shutdown`](Proxy::shutdown) does) without waiting.
pub struct Proxy {
    local_addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    inner: Arc<Inner>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// What the snapshot and the admin listener read.
pub(crate) struct Inner {
    stats: Arc<Stats>,
    registry: Arc<Registry>,
    runtime: RuntimeMetrics,
    probe: Probe,
}

/// Handles on the parts that have metrics (behind a lock: the handles are not `Sync`).
enum Probe {
    Http {
        balance: Mutex<Bal>,
        buffer: Mutex<Buf>,
        retries: Arc<Counters>,
        budget: Budget,
    },
    Tcp {
        balance: Mutex<TcpBal>,
    },
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Inner {
    fn endpoints(&self) -> Vec<EndpointMetrics<SocketAddr>> {
        match &self.probe {
            Probe::Http { balance, .. } => lock(balance).endpoints(),
            Probe::Tcp { balance } => lock(balance).endpoints(),
        }
    }

    /// Some backend is ready for requests.
    fn is_ready(&self) -> bool {
        let ready = match &self.probe {
            Probe::Http { balance, .. } => lock(balance).metrics().ready(),
            Probe::Tcp { balance } => lock(balance).metrics().ready(),
        };
        ready > 0
    }

    fn snapshot(&self) -> Snapshot {
        use std::sync::atomic::Ordering::Relaxed;
        let mut snap = Snapshot {
            requests: self.stats.requests.load(Relaxed),
            responses_by_status: self.stats.by_status(),
            connections: self.stats.connections.load(Relaxed),
            ..Snapshot::default()
        };
        if let Probe::Http {
            buffer,
            retries,
            budget,
            ..
        } = &self.probe
        {
            snap.retries = retries.retries();
            snap.budget_refusals = budget.refused();
            let metrics = lock(buffer).metrics();
            snap.buffer_depth = metrics.queue_depth() as u64;
            let direct = metrics.served_directly();
            snap.buffer_served = (direct, metrics.served().saturating_sub(direct));
        }
        let endpoints = self.endpoints();
        for known in self.registry.list() {
            let found = endpoints.iter().find(|e| *e.key() == known.addr);
            let backend = match found {
                Some(e) => BackendSnapshot {
                    addr: known.addr,
                    state: state_of(e.state()),
                    requests: e.requests(),
                    in_flight: e.in_flight(),
                },
                None => BackendSnapshot {
                    addr: known.addr,
                    state: if known.removed {
                        BackendState::Removed
                    } else {
                        BackendState::Pending
                    },
                    requests: known.requests,
                    in_flight: 0,
                },
            };
            self.registry.saw(backend.addr, backend.requests);
            snap.backends.push(backend);
        }
        snap
    }
}

fn state_of(state: EndpointState) -> BackendState {
    match state {
        EndpointState::Ready => BackendState::Ready,
        EndpointState::Ejected | EndpointState::Probing => BackendState::Failing,
        EndpointState::Removed => BackendState::Removed,
        _ => BackendState::Pending,
    }
}

impl Proxy {
    /// Binds the listeners, starts discovery and the balancer, and spawns the accept
    /// loops on the current runtime.
    ///
    /// # Errors
    ///
    /// Binding a listener failed, the retry budget settings are invalid, or this was
    /// called outside an `rt-sched` runtime.
    pub async fn start(config: Config) -> io::Result<Proxy> {
        let handle = rt_sched::Handle::try_current().map_err(|e| io::Error::other(e.to_string()))?;
        let listener = TcpListener::bind(config.listen).await?;
        let local_addr = listener.local_addr()?;
        let admin = match config.admin {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let admin_addr = admin.as_ref().map(TcpListener::local_addr).transpose()?;
        let (stop, stop_rx) = watch::channel(false);
        let stats = Arc::new(Stats::default());
        let registry = Arc::new(Registry::default());
        let initial = discovery::initial(&config.backends, config.backends_file.as_deref()).await;
        let (probe, task) = match config.mode {
            Mode::Http => start_http(&config, listener, initial, &registry, &stats, stop_rx.clone())?,
            Mode::Tcp => start_tcp(&config, listener, initial, &registry, &stats, stop_rx.clone()),
        };
        let inner = Arc::new(Inner {
            stats,
            registry,
            runtime: handle.metrics(),
            probe,
        });
        let mut tasks = vec![task];
        if let Some(listener) = admin {
            tasks.push(rt_sched::spawn(serve_admin(listener, inner.clone(), stop_rx)));
        }
        tracing::info!(listen = %local_addr, admin = ?admin_addr, mode = %config.mode, "proxy started");
        Ok(Proxy {
            local_addr,
            admin_addr,
            inner,
            stop,
            tasks,
        })
    }

    /// The address clients connect to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The admin listener's address, if there is one.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// What the proxy has done so far (cheap: relaxed loads and a walk over the
    /// backends).
    pub fn snapshot(&self) -> Snapshot {
        self.inner.snapshot()
    }

    /// The metrics in Prometheus text format, as `/metrics` serves them.
    pub fn metrics_text(&self) -> String {
        admin::render(&self.inner)
    }

    /// Graceful shutdown: stops accepting, lets requests in flight finish (within the
    /// drain timeout), and returns when every connection is closed.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
        tracing::info!("proxy stopped");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("local_addr", &self.local_addr)
            .field("admin_addr", &self.admin_addr)
            .finish_non_exhaustive()
    }
}

/// Starts discovery: the initial endpoints now, then the file watcher if there is a file
/// (without one, discovery ends after the initial endpoints).
fn start_discovery<S: Send + 'static>(
    config: &Config,
    initial: HashSet<SocketAddr>,
    registry: &Arc<Registry>,
    make: Box<dyn Fn(SocketAddr) -> S + Send + Sync>,
) -> mpsc::UnboundedReceiver<svc_balance::Change<SocketAddr, S>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut current = HashSet::new();
    discovery::apply(&mut current, initial, &tx, &*make, registry);
    if let Some(path) = config.backends_file.clone() {
        let fixed = config.backends.clone();
        let task = discovery::watch(path, config.watch_interval, fixed, current, tx, make, registry.clone());
        drop(rt_sched::spawn(task));
    }
    rx
}

type Started = (Probe, JoinHandle<()>);

fn start_http(
    config: &Config,
    listener: TcpListener,
    initial: HashSet<SocketAddr>,
    registry: &Arc<Registry>,
    stats: &Arc<Stats>,
    stop: watch::Receiver<bool>,
) -> io::Result<Started> {
    let pool = PoolConfig::new()
        .max_idle(config.max_idle_per_endpoint)
        .idle_timeout(config.idle_timeout)
        .connect_timeout(config.connect_timeout);
    let make = Box::new(move |addr| Endpoint::new(Pool::new(addr, pool)));
    let rx = start_discovery(config, initial, registry, make);
    let balance: Bal = svc_balance::Builder::new()
        .load(PeakEwma::new(config.default_rtt, DEFAULT_DECAY))
        .failure_threshold(config.failure_threshold.max(1))
        .fail_fast(config.fail_fast)
        .build(rx);
    let buffer: Buf = svc_buffer::Buffer::new(AlwaysReady::new(balance.clone()), config.buffer_capacity.max(1));
    let budget = Budget::new(Duration::from_secs(10), config.retry_min_per_sec, config.retry_ratio)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e.to_string()))?;
    let retry = RetryLayer::new(stack::policy(config, budget.clone()));
    let retries = retry.counters().clone();
    let stack: Stack = Timeout::new(retry.layer(buffer.clone()), config.request_timeout);
    let shared = Arc::new(front::Shared {
        stack,
        stats: stats.clone(),
        replay_limit: config.retry_body_limit,
    });
    let clients = headers::ClientAddrs::default();
    let conn_stop = stop.clone();
    // The connection's future is returned as it is (not wrapped in an `async` block,
    // which would keep a second copy of what it captured).
    let serve = move |stream: TcpStream, peer| {
        // As svc-http's own server and the TCP mode do: a response written in more than
        // one piece (a streamed body) must not wait for the client's delayed ACK.
        let _ = stream.set_nodelay(true);
        let front = front::Front::new(shared.clone(), clients.get(peer));
        let signal = StopSignal::new(conn_stop.clone());
        let config = svc_http::server::Config::default();
        svc_http::server::serve_connection_with_shutdown(stream, front, config, signal)
    };
    let task = server::accept_loop(listener, stop, config.drain_timeout, stats.clone(), serve);
    let probe = Probe::Http {
        balance: Mutex::new(balance),
        buffer: Mutex::new(buffer),
        retries,
        budget,
    };
    Ok((probe, rt_sched::spawn(task)))
}

fn start_tcp(
    config: &Config,
    listener: TcpListener,
    initial: HashSet<SocketAddr>,
    registry: &Arc<Registry>,
    stats: &Arc<Stats>,
    stop: watch::Receiver<bool>,
) -> Started {
    let timeout = config.connect_timeout;
    let make = Box::new(move |addr| Connector::new(addr, timeout));
    let rx = start_discovery(config, initial, registry, make);
    let balance: TcpBal = svc_balance::Builder::new()
        .load(PendingRequests::new())
        .completion(tcp::UntilClosed)
        .failure_threshold(config.failure_threshold.max(1))
        .fail_fast(config.fail_fast)
        .build(rx);
    let (handle, attempts, conn_stats) = (balance.clone(), config.retry_attempts, stats.clone());
    let serve = move |stream, _peer| {
        conn_stats.requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tcp::serve(stream, handle.clone(), attempts, conn_stats.clone())
    };
    let task = server::accept_loop(listener, stop, config.drain_timeout, stats.clone(), serve);
    let probe = Probe::Tcp {
        balance: Mutex::new(balance),
    };
    (probe, rt_sched::spawn(task))
}

/// Serves the admin listener until the stop signal.
async fn serve_admin(listener: TcpListener, inner: Arc<Inner>, stop: watch::Receiver<bool>) {
    let service = svc_trait::service_fn(move |req| admin::handle(inner.clone(), req));
    let server = svc_http::server::Server::from_listener(listener)
        .drain_timeout(Duration::from_secs(1))
        .with_graceful_shutdown(StopSignal::new(stop));
    if let Err(error) = server.serve(service).await {
        tracing::warn!(%error, "admin listener failed");
    }
}
