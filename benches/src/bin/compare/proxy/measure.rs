//! One run of one proxy (or of the direct baseline): the load run and the idle run.

use std::net::SocketAddr;
use std::time::Duration;

use super::idle::IdleClients;
use super::process::{Backend, Launch, Proxy};
use super::wrk;

/// Connections opened and closed before the idle run reads its baseline, so that code
/// paths and lazily built state are in place.
const WARM_UP_CONNECTIONS: usize = 64;

/// How long each phase of a run lasts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// The measured wrk run.
    pub(crate) load: Duration,
    /// The wrk run before it, which warms the proxy up (and precedes the at-rest read).
    pub(crate) warm_up: Duration,
    /// The pause before a memory reading.
    pub(crate) settle: Duration,
}

/// What a load run measured.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadSample {
    /// wrk's report of the measured run.
    pub(crate) report: wrk::Report,
    /// Proxy CPU microseconds per successful request (`NaN` for the direct run).
    pub(crate) cpu_us_per_req: f64,
    /// The proxy's resident set after the warm-up, in bytes (`NaN` for the direct run).
    pub(crate) rss_at_rest: f64,
    /// The proxy's resident set once it answered its first request, before the warm-up
    /// (for context: a warm-up leaves buffers in the proxies' pools).
    pub(crate) rss_fresh: f64,
}

/// Starts the proxy of `launch`, warms it up with wrk, reads its resident set at rest,
/// then loads it with wrk and reads the CPU time its processes used meanwhile.
///
/// # Errors
///
/// Fails, with a reason to print, when the proxy does not start or dies, wrk fails, or
/// no request succeeded.
pub(crate) fn load_proxy(
    launch: &Launch,
    backend: &mut Backend,
    wrk: &str,
    timing: Timing,
) -> Result<LoadSample, String> {
    let mut proxy = Proxy::start(launch).map_err(|error| format!("does not start: {error}"))?;
    let rss_fresh = proxy.rss_bytes().map_err(|error| format!("RSS: {error}"))? as f64;
    warm_up(wrk, proxy.addr(), timing)?;
    let rss_at_rest = proxy.rss_bytes().map_err(|error| format!("RSS: {error}"))? as f64;
    let backend_before = backend.requests().map_err(|error| format!("backend: {error}"))?;
    let cpu_before = proxy.cpu_time();
    let report = wrk::run(wrk, proxy.addr(), timing.load).map_err(|error| error.to_string())?;
    let cpu = proxy.cpu_time().saturating_sub(cpu_before);
    proxy
        .check_alive()
        .map_err(|error| format!("died under load: {error}"))?;
    let backend_requests = backend.requests().map_err(|error| format!("backend: {error}"))? - backend_before;
    check_report(&report, backend_requests)?;
    Ok(LoadSample {
        report,
        cpu_us_per_req: cpu.as_secs_f64() * 1e6 / report.successes() as f64,
        rss_at_rest,
        rss_fresh,
    })
}

/// Loads the backend directly, as [`load_proxy`] loads a proxy: the baseline the
/// proxies' latencies are compared with.
///
/// # Errors
///
/// Fails when wrk fails or no request succeeded.
pub(crate) fn load_direct(
    backend: &mut Backend,
    addr: SocketAddr,
    wrk: &str,
    timing: Timing,
) -> Result<LoadSample, String> {
    warm_up(wrk, addr, timing)?;
    let backend_before = backend.requests().map_err(|error| format!("backend: {error}"))?;
    let report = wrk::run(wrk, addr, timing.load).map_err(|error| error.to_string())?;
    let backend_requests = backend.requests().map_err(|error| format!("backend: {error}"))? - backend_before;
    check_report(&report, backend_requests)?;
    Ok(LoadSample {
        report,
        cpu_us_per_req: f64::NAN,
        rss_at_rest: f64::NAN,
        rss_fresh: f64::NAN,
    })
}

/// Runs wrk for the warm-up time, then waits for things to settle.
fn warm_up(wrk: &str, addr: SocketAddr, timing: Timing) -> Result<(), String> {
    wrk::run(wrk, addr, timing.warm_up).map_err(|error| format!("warm-up: {error}"))?;
    std::thread::sleep(timing.settle);
    Ok(())
}

/// Fails when no request succeeded; warns (on standard error) about failed requests,
/// and about successes the backend never saw (a proxy must not answer by itself).
fn check_report(report: &wrk::Report, backend_requests: u64) -> Result<(), String> {
    if report.successes() == 0 {
        return Err(format!("no request succeeded: {report:?}"));
    }
    if report.non_2xx > 0 || report.socket_errors > 0 {
        eprintln!(
            "    warning: {} of {} responses were not 2xx/3xx, {} socket errors \
             (CPU is divided by the successes only)",
            report.non_2xx, report.requests, report.socket_errors
        );
    }
    if backend_requests < report.successes() {
        eprintln!(
            "    warning: {} successes but the backend answered only {backend_requests} requests",
            report.successes()
        );
    }
    Ok(())
}

/// Starts the proxy of `launch`, opens and closes a few connections, reads its
/// resident set, opens `connections` idle client connections (each after one request),
/// waits, and reads it again. Returns the growth per connection, in bytes.
///
/// # Errors
///
/// Fails, with a reason to print, when the proxy does not start or dies, a connection
/// fails, or the proxy closed any idle connection before the second reading.
pub(crate) fn idle_bytes(launch: &Launch, connections: usize, timing: Timing) -> Result<f64, String> {
    let mut proxy = Proxy::start(launch).map_err(|error| format!("does not start: {error}"))?;
    drop(IdleClients::open(proxy.addr(), WARM_UP_CONNECTIONS).map_err(|error| format!("warm-up: {error}"))?);
    std::thread::sleep(timing.settle);
    let before = proxy.rss_bytes().map_err(|error| format!("RSS: {error}"))?;
    let clients =
        IdleClients::open(proxy.addr(), connections).map_err(|error| format!("opening idle connections: {error}"))?;
    std::thread::sleep(timing.settle);
    let after = proxy.rss_bytes().map_err(|error| format!("RSS: {error}"))?;
    proxy.check_alive().map_err(|error| format!("died: {error}"))?;
    match clients.closed_by_peer() {
        0 => Ok((after as f64 - before as f64) / connections as f64),
        closed => Err(format!(
            "closed {closed} of {connections} idle connections before the reading"
        )),
    }
}
