//! [`Config`]: the server's limits and timeouts.

use std::time::Duration;

/// Limits and timeouts of a server connection.
///
/// Every connection keeps a copy, so it is kept small (24 bytes): timeouts are held in
/// whole milliseconds (rounded up) and at most `u32::MAX` ms (about 49 days; a longer
/// timeout acts as that long), and the head limit at most `u32::MAX` bytes.
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
    pub(crate) max_body_size: u64,
    max_head: u32,
    header_ms: u32,
    keep_alive_ms: u32,
    pub(crate) keep_alive: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_body_size: 16 * 1024 * 1024,
            max_head: 64 * 1024,
            header_ms: 30_000,
            keep_alive_ms: 60_000,
            keep_alive: true,
        }
    }
}

/// `timeout` in whole milliseconds, rounded up, at most `u32::MAX`.
fn millis(timeout: Duration) -> u32 {
    u32::try_from(timeout.as_nanos().div_ceil(1_000_000)).unwrap_or(u32::MAX)
}

impl Config {
    /// The defaults: head up to 64 KiB, body up to 16 MiB, 30 s to send a head, idle
    /// keep-alive connections closed after 60 s.
    pub fn new() -> Config {
        Config::default()
    }

    /// The largest request head (request line and header fields); larger gets `431`.
    pub fn max_head_size(mut self, bytes: usize) -> Config {
        self.max_head = u32::try_from(bytes).unwrap_or(u32::MAX);
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
        self.header_ms = millis(timeout);
        self
    }

    /// How long an idle keep-alive connection stays open between requests.
    pub fn keep_alive_timeout(mut self, timeout: Duration) -> Config {
        self.keep_alive_ms = millis(timeout);
        self
    }

    /// Whether connections are kept open between requests (default `true`).
    pub fn keep_alive(mut self, enabled: bool) -> Config {
        self.keep_alive = enabled;
        self
    }

    /// The largest request head.
    pub fn get_max_head_size(&self) -> usize {
        self.max_head as usize
    }

    /// How long a client has to send a request head.
    pub fn get_header_timeout(&self) -> Duration {
        Duration::from_millis(self.header_ms.into())
    }

    /// How long an idle keep-alive connection stays open.
    pub fn get_keep_alive_timeout(&self) -> Duration {
        Duration::from_millis(self.keep_alive_ms.into())
    }

    /// The largest request body.
    pub fn get_max_body_size(&self) -> u64 {
        self.max_body_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_small_and_keeps_what_it_is_given() {
        assert!(std::mem::size_of::<Config>() <= 24);
        let config = Config::new()
            .max_head_size(1000)
            .header_timeout(Duration::from_millis(1500))
            .keep_alive_timeout(Duration::from_micros(1));
        assert_eq!(config.get_max_head_size(), 1000);
        assert_eq!(config.get_header_timeout(), Duration::from_millis(1500));
        // Rounded up: never shorter than asked.
        assert_eq!(config.get_keep_alive_timeout(), Duration::from_millis(1));
        let huge = Config::new().max_head_size(usize::MAX).header_timeout(Duration::MAX);
        assert_eq!(huge.get_max_head_size(), u32::MAX as usize);
        assert_eq!(huge.get_header_timeout(), Duration::from_millis(u32::MAX.into()));
    }
}
