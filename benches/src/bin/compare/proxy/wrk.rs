//! The load of the `proxy` suite: `wrk -t1 -c64 -dNs --latency`, and what it reports.

use std::io;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

/// Connections wrk keeps open, each with one request in flight.
pub(crate) const CONNECTIONS: usize = 64;

/// What one wrk run reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Report {
    /// Requests completed.
    pub(crate) requests: u64,
    /// Responses with a status other than 2xx or 3xx.
    pub(crate) non_2xx: u64,
    /// Connect, read, write and timeout errors.
    pub(crate) socket_errors: u64,
    /// Median latency, in milliseconds.
    pub(crate) p50_ms: f64,
    /// 99th percentile latency, in milliseconds.
    pub(crate) p99_ms: f64,
    /// Requests per second.
    pub(crate) rate: f64,
}

impl Report {
    /// Requests answered with a success: what a proxy's CPU time is divided by.
    pub(crate) fn successes(&self) -> u64 {
        self.requests.saturating_sub(self.non_2xx)
    }
}

/// Runs `wrk -t1 -c64 -d{duration}s --latency http://{addr}/` and parses its report.
///
/// # Errors
///
/// Fails when wrk cannot run, exits with an error, or prints no request count or
/// latency distribution.
pub(crate) fn run(wrk: &str, addr: SocketAddr, duration: Duration) -> io::Result<Report> {
    let seconds = duration.as_secs().max(1);
    let output = Command::new(wrk)
        .args([
            "-t1",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{seconds}s"),
            "--latency",
            &format!("http://{addr}/"),
        ])
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(io::Error::other(format!("wrk failed: {stdout}{stderr}")));
    }
    parse(&stdout).ok_or_else(|| io::Error::other(format!("unexpected wrk output:\n{stdout}")))
}

/// Parses wrk's report (printed with `--latency`).
fn parse(output: &str) -> Option<Report> {
    let requests = output
        .lines()
        .find(|line| line.contains(" requests in "))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(Report {
        requests,
        non_2xx: after(output, "Non-2xx or 3xx responses:").map_or(Some(0), |rest| rest.trim().parse().ok())?,
        socket_errors: after(output, "Socket errors:").map_or(0, socket_errors),
        p50_ms: duration_ms(percentile(output, "50%")?)?,
        p99_ms: duration_ms(percentile(output, "99%")?)?,
        rate: after(output, "Requests/sec:")?.trim().parse().ok()?,
    })
}

/// Returns the rest of the first line of `output` that starts (after blanks) with
/// `label`.
fn after<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    output.lines().find_map(|line| line.trim_start().strip_prefix(label))
}

/// Returns the value of a line `     99%    1.61ms` of the latency distribution.
fn percentile<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    let line = output
        .lines()
        .find(|line| line.split_whitespace().next() == Some(label))?;
    line.split_whitespace().nth(1)
}

/// Sums the counts of ` connect 0, read 0, write 0, timeout 0`.
fn socket_errors(text: &str) -> u64 {
    text.split(',')
        .filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum()
}

/// Converts one of wrk's durations (`818.00us`, `1.61ms`, `2.00s`, `1.50m`) to
/// milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 1e-3,
        "ms" => 1.0,
        "s" => 1e3,
        "m" => 60e3,
        "h" => 3_600e3,
        _ => return None,
    };
    Some(number * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "Running 10s test @ http://127.0.0.1:9001/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   849.52us  201.83us   9.03ms   90.69%
    Req/Sec    75.73k     2.52k   80.36k    73.00%
  Latency Distribution
     50%  818.00us
     75%  906.00us
     90%    1.01ms
     99%    1.61ms
  753471 requests in 10.00s, 114.97MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 3, write 0, timeout 2
Requests/sec:  75339.11
Transfer/sec:     11.49MB
";

    #[test]
    fn parses_a_report_with_errors() {
        let report = parse(OUTPUT).unwrap();
        assert_eq!(report.requests, 753_471);
        assert_eq!(report.non_2xx, 12);
        assert_eq!(report.successes(), 753_459);
        assert_eq!(report.socket_errors, 5);
        assert!((report.p50_ms - 0.818).abs() < 1e-9);
        assert!((report.p99_ms - 1.61).abs() < 1e-9);
        assert!((report.rate - 75_339.11).abs() < 1e-6);
    }

    #[test]
    fn parses_a_clean_report_and_rejects_one_without_latencies() {
        let clean: String = OUTPUT
            .lines()
            .filter(|line| !line.contains("Non-2xx") && !line.contains("Socket errors"))
            .map(|line| format!("{line}\n"))
            .collect();
        let report = parse(&clean).unwrap();
        assert_eq!((report.non_2xx, report.socket_errors), (0, 0));
        assert!(parse(&clean.replace("99%", "98%")).is_none());
    }

    #[test]
    fn converts_every_unit() {
        assert_eq!(duration_ms("500.00us"), Some(0.5));
        assert_eq!(duration_ms("2.00s"), Some(2_000.0));
        assert_eq!(duration_ms("1.50m"), Some(90_000.0));
        assert_eq!(duration_ms("3.00"), None);
        assert_eq!(duration_ms("3.00ns"), None);
    }
}
