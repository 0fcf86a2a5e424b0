//! [`Config`] and [`Mode`]: what a proxy listens on, where it sends traffic, and its
//! timeouts.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// What the proxy forwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// HTTP/1.1 (L7): per-request timeout, retries, balancing, pooled connections.
    #[default]
    Http,
    /// TCP (L4): each client connection is balanced to one endpoint and copied both ways.
    Tcp,
}

impl FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Mode, String> {
        match s {
            "http" => Ok(Mode::Http),
            "tcp" => Ok(Mode::Tcp),
            other => Err(format!("unknown mode {other:?} (expected http or tcp)")),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Http => "http",
            Mode::Tcp => "tcp",
        })
    }
}

/// A proxy's configuration: public fields with defaults from [`Config::new`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use examples::proxy::{Config, Mode};
///
/// let mut config = Config::new("127.0.0.1:4140".parse().unwrap());
/// config.backends = vec!["127.0.0.1:8080".parse().unwrap()];
/// config.request_timeout = Duration::from_secs(2);
/// assert_eq!(config.mode, Mode::Http);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// The address clients connect to.
    pub listen: SocketAddr,
    /// Endpoints given up front.
    pub backends: Vec<SocketAddr>,
    /// A file of endpoints (one `host:port` per line, `#` comments), watched for changes.
    pub backends_file: Option<PathBuf>,
    /// How often the backends file is checked for changes (default 500 ms).
    pub watch_interval: Duration,
    /// The admin listener (`/metrics`, `/ready`, `/live`), if any.
    pub admin: Option<SocketAddr>,
    /// HTTP or TCP.
    pub mode: Mode,
    /// The deadline of one request, retries included (default 10 s); then `504`.
    pub request_timeout: Duration,
    /// How long connecting to an endpoint may take (default 1 s).
    pub connect_timeout: Duration,
    /// How long a request waits when no endpoint is healthy before it gets `503`
    /// (default 1 s).
    pub fail_fast: Duration,
    /// How long a graceful shutdown waits for requests in flight (default 10 s).
    pub drain_timeout: Duration,
    /// Attempts per request, the first included (default 3; 1 disables retries).
    pub retry_attempts: u32,
    /// The retry budget: retries allowed as a fraction of recent requests (default 0.2),
    /// on top of `retry_min_per_sec`.
    pub retry_ratio: f64,
    /// Retries always allowed per second (default 10).
    pub retry_min_per_sec: u32,
    /// The largest request body that is kept for a retry (default 64 KiB).
    pub retry_body_limit: u64,
    /// The round-trip time PeakEWMA assumes for an endpoint it has no sample of yet
    /// (default 1 ms). Lower sends a new endpoint traffic sooner; the cost still grows
    /// with its requests in flight, so it is not flooded.
    pub default_rtt: Duration,
    /// Consecutive failures that take an endpoint out of rotation (default 5).
    pub failure_threshold: u32,
    /// Requests the buffer in front of the balancer holds (default 1,024).
    pub buffer_capacity: usize,
    /// Idle connections kept per endpoint (default 64).
    pub max_idle_per_endpoint: usize,
    /// How long an idle upstream connection is kept (default 60 s).
    pub idle_timeout: Duration,
}

impl Config {
    /// A configuration listening on `listen`, with no endpoints, no admin listener, and
    /// the defaults documented on each field.
    pub fn new(listen: SocketAddr) -> Config {
        Config {
            listen,
            backends: Vec::new(),
            backends_file: None,
            watch_interval: Duration::from_millis(500),
            admin: None,
            mode: Mode::Http,
            request_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(1),
            fail_fast: Duration::from_secs(1),
            drain_timeout: Duration::from_secs(10),
            retry_attempts: 3,
            retry_ratio: 0.2,
            retry_min_per_sec: 10,
            retry_body_limit: 64 * 1024,
            default_rtt: Duration::from_millis(1),
            failure_threshold: 5,
            buffer_capacity: 1024,
            max_idle_per_endpoint: 64,
            idle_timeout: Duration::from_secs(60),
        }
    }
}
