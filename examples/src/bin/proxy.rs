//! The sidecar proxy: HTTP/1.1 (L7) or TCP (L4), balancing over backends given on the
//! command line or in a watched file. See the `examples::proxy` module for the stack.
//!
//! ```sh
//! cargo build --release -p examples --bin proxy
//! target/release/proxy --backend 127.0.0.1:8080 --backend 127.0.0.1:8081
//! curl http://127.0.0.1:4140/               # balanced over both backends
//! curl http://127.0.0.1:9990/metrics        # Prometheus text
//! ```
//!
//! SIGTERM or ctrl-c: stop accepting, drain requests in flight, exit 0.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use examples::proxy::{Config, Mode, Proxy};
use rt_net::signal::unix::{signal, SignalKind};
use tracing::level_filters::LevelFilter;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(
    name = "proxy",
    about = "A sidecar proxy: HTTP/1.1 or TCP load balancing over backends, with retries, timeouts and metrics",
    after_help = "Logs go to stderr; set the level with RUST_LOG=error|warn|info|debug|trace (default: info).\n\
                  SIGTERM or ctrl-c stops accepting, drains requests in flight, and exits 0."
)]
struct Args {
    /// Address clients connect to.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4140", value_parser = resolve)]
    listen: SocketAddr,
    /// A backend as host:port (repeat the flag for more).
    #[arg(long = "backend", value_name = "ADDR", value_parser = resolve)]
    backends: Vec<SocketAddr>,
    /// A file of backends, one host:port per line, `#` starts a comment; re-read when it
    /// changes (checked every 500 ms), so backends can be added and removed without a restart.
    #[arg(long, value_name = "PATH")]
    backends_file: Option<PathBuf>,
    /// Address of the admin listener: /metrics (Prometheus text), /ready, /live.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9990", value_parser = resolve)]
    admin: SocketAddr,
    /// Do not start the admin listener.
    #[arg(long)]
    no_admin: bool,
    /// What to proxy: `http` (HTTP/1.1, per request) or `tcp` (per connection).
    #[arg(long, value_name = "MODE", default_value = "http")]
    mode: Mode,
    /// Runtime worker threads. With 1 (the default, one core per sidecar) the proxy runs
    /// on a current-thread runtime: no work-stealing queues, no cross-thread wake-ups
    /// (5 % fewer instructions per request than a one-worker multi-thread runtime).
    #[arg(long, value_name = "N", default_value_t = 1)]
    workers: usize,
    /// Deadline of one request, retries included, in milliseconds; then 504.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    request_timeout: u64,
    /// How long connecting to a backend may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 1_000)]
    connect_timeout: u64,
    /// How long a request waits when no backend is healthy, in milliseconds; then 503.
    #[arg(long, value_name = "MS", default_value_t = 1_000)]
    fail_fast: u64,
    /// How long a graceful shutdown waits for requests in flight, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    drain_timeout: u64,
    /// Attempts per idempotent request, the first included (1 disables retries).
    #[arg(long, value_name = "N", default_value_t = 3)]
    retry_attempts: u32,
    /// Retry budget: retries allowed as a fraction of recent requests (plus 10 per second).
    #[arg(long, value_name = "RATIO", default_value_t = 0.2)]
    retry_ratio: f64,
    /// Consecutive failures that take a backend out of rotation (1 s, doubling to 60 s).
    #[arg(long, value_name = "N", default_value_t = 5)]
    failure_threshold: u32,
}

/// Resolves `host:port` (a name is resolved once, at start-up).
fn resolve(s: &str) -> Result<SocketAddr, String> {
    s.to_socket_addrs()
        .map_err(|e| format!("{s}: {e}"))?
        .next()
        .ok_or_else(|| format!("{s}: no address"))
}

/// The log level from `RUST_LOG` (`error`, `warn`, `info`, `debug`, `trace`, `off`; in
/// a directive list such as `examples=debug,info`, the most verbose level wins), default
/// `info`. (A plain level filter: an `EnvFilter` would pull a regex engine into a binary
/// that tries to stay small.)
fn log_level() -> LevelFilter {
    let Ok(spec) = std::env::var("RUST_LOG") else {
        return LevelFilter::INFO;
    };
    spec.split(',')
        .filter_map(|d| d.rsplit('=').next()?.trim().parse::<LevelFilter>().ok())
        .max()
        .unwrap_or(LevelFilter::INFO)
}

impl Args {
    fn config(&self) -> Config {
        let mut config = Config::new(self.listen);
        config.backends = self.backends.clone();
        config.backends_file = self.backends_file.clone();
        config.admin = (!self.no_admin).then_some(self.admin);
        config.mode = self.mode;
        config.request_timeout = Duration::from_millis(self.request_timeout);
        config.connect_timeout = Duration::from_millis(self.connect_timeout);
        config.fail_fast = Duration::from_millis(self.fail_fast);
        config.drain_timeout = Duration::from_millis(self.drain_timeout);
        config.retry_attempts = self.retry_attempts;
        config.retry_ratio = self.retry_ratio;
        config.failure_threshold = self.failure_threshold.max(1);
        config
    }
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_max_level(log_level())
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
    if args.backends.is_empty() && args.backends_file.is_none() {
        tracing::warn!("no --backend and no --backends-file: every request will get 503");
    }
    let rt = if args.workers <= 1 {
        rt_sched::Builder::new_current_thread().enable_all().build()?
    } else {
        rt_sched::Builder::new_multi_thread()
            .worker_threads(args.workers)
            .enable_all()
            .build()?
    };
    let result = rt.block_on(async move {
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let proxy = Proxy::start(args.config()).await?;
        // For scripts: the addresses (a closed stdout is no reason to stop).
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "proxy: listening on {}", proxy.local_addr());
        if let Some(admin) = proxy.admin_addr() {
            let _ = writeln!(stdout, "proxy: admin on {admin}");
        }
        let _ = stdout.flush();
        futures::future::select(Box::pin(terminate.recv()), Box::pin(interrupt.recv())).await;
        tracing::info!("signal received; shutting down");
        proxy.shutdown().await;
        Ok(())
    });
    // Connections are drained already: what is left (the balancer's driver, idle pools)
    // need not be waited for.
    rt.shutdown_timeout(Duration::from_millis(100));
    result
}
