//! [`Config`]: the server's limits and timeouts.

use std::time::Duration;

/// Limits and timeouts of a server connection.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_http::server::Config;
///
/// let config = Config::new().max_body_size(1 << 20).header_timeout(Duration::from_secs(5));
/// assert_eq!(config.get_max_body_size(), 1 << 20);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub(crate) max_head_size: usize,
    pub(crate) max_body_size: u64,
    pub(crate) header_timeout: Duration,
    pub(crate) keep_alive_timeout: Duration,
    pub(crate) keep_alive: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_head_size: 64 * 1024,
            max_body_size: 16 * 1024 * 1024,
            header_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(60),
            keep_alive: true,
        }
    }
}

impl Config {
    /// The defaults: head up to 64 KiB, body up to 16 MiB, 30 s to send a head, idle
    /// keep-alive connections closed after 60 s.
    pub fn new() -> Config {
        Config::default()
    }

    /// The largest request head (request line and header fields); larger gets `431`.
    pub fn max_head_size(mut self, bytes: usize) -> Config {
        self.max_head_size = bytes;
        self
    }

    /// The largest request body; larger gets `413`.
    pub fn max_body_size(mut self, bytes: u64) -> Config {
        self.max_body_size = bytes;
        self
    }

    /// How long a client has to send a whole request head once it started one (or, for
    /// the first request, once connected); then it gets `408` and the connection closes.
    pub fn header_timeout(mut self, timeout: Duration) -> Config {
        self.header_timeout = timeout;
        self
    }

    /// How long an idle keep-alive connection stays open between requests.
    pub fn keep_alive_timeout(mut self, timeout: Duration) -> Config {
        self.keep_alive_timeout = timeout;
        self
    }

    /// Whether connections are kept open between requests (default `true`).
    pub fn keep_alive(mut self, enabled: bool) -> Config {
        self.keep_alive = enabled;
        self
    }

    /// The largest request head.
    pub fn get_max_head_size(&self) -> usize {
        self.max_head_size
    }

    /// The largest request body.
    pub fn get_max_body_size(&self) -> u64 {
        self.max_body_size
    }
}
