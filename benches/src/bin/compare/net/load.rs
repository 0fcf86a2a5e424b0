//! The client side of the `net` suite: load generators, run in the parent process.
//!
//! - [`HelloLoad`]: `wrk` when it is installed, otherwise [`closed_loop`].
//! - [`closed_loop`]: plain threads with blocking sockets, each owning a share of the
//!   connections; every connection has exactly one request in flight (write one
//!   request on each connection of the thread, then read one response from each).
//! - [`open_connections`]: threads that connect as fast as they can and keep the
//!   sockets open.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::sync::OnceLock;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::server::HELLO_RESPONSE;

/// Threads of the closed-loop client.
pub(crate) const CLIENT_THREADS: usize = 2;
/// Connections of each closed-loop client thread.
pub(crate) const CONNECTIONS_PER_THREAD: usize = 32;
/// Threads that open connections in [`open_connections`]: one per core of the machines
/// the numbers come from. More threads do not connect faster on 2 cores (a loopback
/// `connect` runs the whole handshake, both ends, on the calling thread); they only take
/// CPU share from the server.
const CONNECT_THREADS: usize = 2;
/// How long a client waits for an answer before it gives up on the server.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// The request the closed-loop hello client sends (wrk sends an equivalent one).
const HELLO_REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/// The load generator of `tcp_hello_cpu_per_req`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HelloLoad {
    /// `wrk -t1 -c64`: one load thread, 64 keep-alive connections.
    Wrk,
    /// [`closed_loop`] with [`CLIENT_THREADS`] × [`CONNECTIONS_PER_THREAD`] connections.
    ClosedLoop,
}

impl HelloLoad {
    /// Returns `wrk` when it can be run, else the closed-loop client; says which on
    /// standard error the first time.
    pub(crate) fn get() -> HelloLoad {
        static LOAD: OnceLock<HelloLoad> = OnceLock::new();
        *LOAD.get_or_init(|| {
            let load = match Command::new("wrk").arg("--version").output() {
                Ok(_) => HelloLoad::Wrk,
                Err(_) => HelloLoad::ClosedLoop,
            };
            eprintln!("  tcp_hello load: {}", load.describe());
            load
        })
    }

    /// Describes the load generator.
    pub(crate) fn describe(self) -> String {
        match self {
            HelloLoad::Wrk => "wrk -t1 -c64 (keep-alive)".to_owned(),
            HelloLoad::ClosedLoop => format!(
                "closed-loop client, {CLIENT_THREADS} threads x {CONNECTIONS_PER_THREAD} connections \
                 (wrk not installed)"
            ),
        }
    }

    /// Loads the hello server at `addr` for about `duration`; returns the requests
    /// answered.
    ///
    /// # Errors
    ///
    /// Fails when wrk fails or its output has no request count, or a client socket
    /// fails.
    pub(crate) fn run(self, addr: SocketAddr, duration: Duration) -> io::Result<u64> {
        match self {
            HelloLoad::Wrk => wrk(addr, duration),
            HelloLoad::ClosedLoop => closed_loop(addr, duration, HELLO_REQUEST, HELLO_RESPONSE),
        }
    }
}

/// Runs `wrk -t1 -c64 -dSECONDS http://ADDR/` and returns the requests it completed.
fn wrk(addr: SocketAddr, duration: Duration) -> io::Result<u64> {
    let seconds = duration.as_secs().max(1);
    let output = Command::new("wrk")
        .args(["-t1", "-c64", &format!("-d{seconds}s"), &format!("http://{addr}/")])
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(io::Error::other(format!("wrk failed: {stdout}")));
    }
    if stdout.contains("Non-2xx") || stdout.contains("Socket errors") {
        eprintln!("  wrk reported errors:\n{stdout}");
    }
    parse_wrk_requests(&stdout).ok_or_else(|| io::Error::other(format!("no request count in wrk's output: {stdout}")))
}

/// What [`wrk_latency`] measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WrkRun {
    /// Requests completed.
    pub(crate) requests: u64,
    /// Median latency, in milliseconds.
    pub(crate) p50_ms: f64,
    /// 99th percentile latency, in milliseconds.
    pub(crate) p99_ms: f64,
}

/// Runs `wrk -t1 -c64 --latency -dSECONDS http://ADDR/` and returns the requests it
/// completed with its p50 and p99 latency.
///
/// # Errors
///
/// Fails when wrk cannot be run or fails, or its output lacks a figure.
pub(crate) fn wrk_latency(addr: SocketAddr, duration: Duration) -> io::Result<WrkRun> {
    let seconds = duration.as_secs().max(1);
    let output = Command::new("wrk")
        .args([
            "-t1",
            "-c64",
            "--latency",
            &format!("-d{seconds}s"),
            &format!("http://{addr}/"),
        ])
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(io::Error::other(format!("wrk failed: {stdout}")));
    }
    if stdout.contains("Non-2xx") || stdout.contains("Socket errors") {
        eprintln!("  wrk reported errors:\n{stdout}");
    }
    let missing = || io::Error::other(format!("a figure is missing from wrk's output: {stdout}"));
    Ok(WrkRun {
        requests: parse_wrk_requests(&stdout).ok_or_else(missing)?,
        p50_ms: parse_wrk_percentile(&stdout, "50%").ok_or_else(missing)?,
        p99_ms: parse_wrk_percentile(&stdout, "99%").ok_or_else(missing)?,
    })
}

/// Returns the latency of wrk's `--latency` line `     99%    1.23ms`, in milliseconds.
fn parse_wrk_percentile(output: &str, label: &str) -> Option<f64> {
    let line = output.lines().find(|line| line.trim_start().starts_with(label))?;
    parse_wrk_duration(line.split_whitespace().nth(1)?)
}

/// Parses a wrk duration (`812.00us`, `1.23ms`, `2.01s`) into milliseconds.
fn parse_wrk_duration(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        _ => return None,
    };
    Some(value * factor)
}

/// Returns N from wrk's summary line `  N requests in 3.00s, 9.1MB read`.
fn parse_wrk_requests(output: &str) -> Option<u64> {
    output
        .lines()
        .find(|line| line.contains(" requests in "))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// [`closed_loop`] against an HTTP server whose answers to [`HELLO_REQUEST`] are not
/// byte-for-byte known: each exchange reads one response head and its
/// `Content-Length` body. Returns the exchanges completed.
///
/// # Errors
///
/// Fails when a connection cannot be opened or fails, or a response has no
/// `Content-Length`.
pub(crate) fn closed_loop_http(addr: SocketAddr, duration: Duration) -> io::Result<u64> {
    let deadline = Instant::now() + duration;
    let threads: Vec<JoinHandle<io::Result<u64>>> = (0..CLIENT_THREADS)
        .map(|_| thread::spawn(move || http_client_thread(addr, deadline)))
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("a client thread panicked"))
        .sum()
}

/// One thread of [`closed_loop_http`].
fn http_client_thread(addr: SocketAddr, deadline: Instant) -> io::Result<u64> {
    let mut connections = (0..CONNECTIONS_PER_THREAD)
        .map(|_| {
            let stream = TcpStream::connect(addr)?;
            stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
            Ok(io::BufReader::new(stream))
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut exchanges = 0;
    while Instant::now() < deadline {
        for stream in &mut connections {
            stream.get_mut().write_all(HELLO_REQUEST)?;
        }
        for stream in &mut connections {
            read_http_response(stream)?;
        }
        exchanges += connections.len() as u64;
    }
    Ok(exchanges)
}

/// Reads one response (head, then a `Content-Length` body) from `stream`.
fn read_http_response(stream: &mut io::BufReader<TcpStream>) -> io::Result<()> {
    use std::io::BufRead as _;
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the server closed mid-response"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let length = length.ok_or_else(|| io::Error::other("a response without content-length"))?;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)
}

/// Runs [`CLIENT_THREADS`] threads with [`CONNECTIONS_PER_THREAD`] connections each for
/// about `duration`. Every round, a thread writes `request` on each of its connections,
/// then reads `response.len()` bytes from each and checks they equal `response`.
/// Returns the exchanges completed.
///
/// # Errors
///
/// Fails when a connection cannot be opened or fails, or an answer differs from
/// `response`.
pub(crate) fn closed_loop(
    addr: SocketAddr,
    duration: Duration,
    request: &'static [u8],
    response: &'static [u8],
) -> io::Result<u64> {
    let deadline = Instant::now() + duration;
    let threads: Vec<JoinHandle<io::Result<u64>>> = (0..CLIENT_THREADS)
        .map(|_| thread::spawn(move || client_thread(addr, deadline, request, response)))
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("a client thread panicked"))
        .sum()
}

/// One thread of [`closed_loop`].
fn client_thread(addr: SocketAddr, deadline: Instant, request: &[u8], response: &[u8]) -> io::Result<u64> {
    let mut connections = (0..CONNECTIONS_PER_THREAD)
        .map(|_| {
            let stream = TcpStream::connect(addr)?;
            stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
            Ok(stream)
        })
        .collect::<io::Result<Vec<_>>>()?;
    let mut answer = vec![0u8; response.len()];
    let mut exchanges = 0;
    while Instant::now() < deadline {
        for stream in &mut connections {
            stream.write_all(request)?;
        }
        for stream in &mut connections {
            stream.read_exact(&mut answer)?;
            if answer != response {
                return Err(io::Error::other("the server answered something else"));
            }
        }
        exchanges += connections.len() as u64;
    }
    Ok(exchanges)
}

/// Connections being opened by [`open_connections`]; [`Connecting::finish`] collects
/// them.
#[derive(Debug)]
pub(crate) struct Connecting {
    /// The connecting threads, each returning its sockets.
    threads: Vec<JoinHandle<io::Result<Vec<TcpStream>>>>,
}

impl Connecting {
    /// Waits for every connecting thread and returns all the sockets.
    ///
    /// # Errors
    ///
    /// Returns the first connect error.
    pub(crate) fn finish(self) -> io::Result<Vec<TcpStream>> {
        let mut all = Vec::new();
        for thread in self.threads {
            all.extend(thread.join().expect("a connecting thread panicked")?);
        }
        Ok(all)
    }
}

/// Starts [`CONNECT_THREADS`] threads that open `count` connections to `addr` between
/// them, each connecting as fast as it can (blocking `connect`), and keep them open.
pub(crate) fn open_connections(addr: SocketAddr, count: usize) -> Connecting {
    let threads = (0..CONNECT_THREADS)
        .map(|index| {
            let share = share(count, index);
            thread::spawn(move || (0..share).map(|_| TcpStream::connect(addr)).collect())
        })
        .collect();
    Connecting { threads }
}

/// Returns how many of `count` connections thread `index` of [`CONNECT_THREADS`] opens.
fn share(count: usize, index: usize) -> usize {
    count / CONNECT_THREADS + usize::from(index < count % CONNECT_THREADS)
}

/// Returns the kernel's count of listen-queue overflows (`TcpExt: ListenOverflows` of
/// `/proc/net/netstat`, for the whole network namespace): every one is a SYN or final
/// ACK dropped because a listener's accept queue was full, and costs its client a
/// retransmission one second later. `None` where the file is missing.
pub(crate) fn listen_overflows() -> Option<u64> {
    parse_listen_overflows(&std::fs::read_to_string("/proc/net/netstat").ok()?)
}

/// Returns `ListenOverflows` from the text of `/proc/net/netstat`: a `TcpExt:` line of
/// names followed by a `TcpExt:` line of values.
fn parse_listen_overflows(netstat: &str) -> Option<u64> {
    let mut tcp_ext = netstat.lines().filter(|line| line.starts_with("TcpExt:"));
    let (names, values) = (tcp_ext.next()?, tcp_ext.next()?);
    let index = names.split_whitespace().position(|name| name == "ListenOverflows")?;
    values.split_whitespace().nth(index)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrk_percentiles() {
        let output =
            "  Latency Distribution\n     50%  812.00us\n     75%    1.02ms\n     90%    1.50ms\n     99%    3.21ms\n";
        assert_eq!(parse_wrk_percentile(output, "50%"), Some(0.812));
        assert_eq!(parse_wrk_percentile(output, "99%"), Some(3.21));
        assert_eq!(parse_wrk_duration("2.5s"), Some(2500.0));
        assert_eq!(parse_wrk_duration("7xs"), None);
    }

    #[test]
    fn parses_wrks_request_count() {
        let output = "Running 3s test @ http://127.0.0.1:1/\n  1 threads and 64 connections\n  \
                      Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency   1.00ms  \
                      0.1ms   2.00ms   90.00%\n  123456 requests in 3.00s, 9.18MB read\nRequests/sec:  41152.00\n";
        assert_eq!(parse_wrk_requests(output), Some(123_456));
        assert_eq!(parse_wrk_requests("nothing"), None);
    }

    #[test]
    fn parses_listen_overflows() {
        let netstat = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 273 273\n\
                       IpExt: InNoRoutes\nIpExt: 0\n";
        assert_eq!(parse_listen_overflows(netstat), Some(273));
        assert_eq!(parse_listen_overflows("IpExt: A\nIpExt: 1\n"), None);
        if std::path::Path::new("/proc/net/netstat").exists() {
            assert!(listen_overflows().is_some());
        }
    }

    #[test]
    fn shares_add_up() {
        for count in [0, 1, 3, 4, 10_001] {
            let shares: usize = (0..CONNECT_THREADS).map(|index| share(count, index)).sum();
            assert_eq!(shares, count);
        }
    }
}
