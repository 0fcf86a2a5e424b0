//! The admin listener: `/metrics` (Prometheus text format 0.0.4), `/ready` (200 once a
//! backend is ready, else 503) and `/live` (always 200).

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;

use http::{Request, Response};
use svc_http::Body;

use super::metrics::{BackendState, LATENCY_BOUNDS_US};
use super::stack::status;
use super::Inner;

/// Answers one admin request.
pub(crate) async fn handle(inner: Arc<Inner>, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(match req.uri().path() {
        "/live" => status(200, "live\n"),
        "/ready" if inner.is_ready() => status(200, "ready\n"),
        "/ready" => status(503, "not ready: no backend ready\n"),
        "/metrics" => {
            let mut res = Response::new(Body::from(render(&inner)));
            res.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            res
        }
        _ => status(404, "not found: try /metrics, /ready or /live\n"),
    })
}

/// One metric family's `# HELP` and `# TYPE` lines.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Writes counter family `name` with one sample per runtime worker, labelled
/// `worker="N"`, its value from `value(N)`.
fn per_worker(out: &mut String, rt: &rt_sched::RuntimeMetrics, name: &str, help: &str, value: impl Fn(usize) -> u64) {
    family(out, name, "counter", help);
    for w in 0..rt.num_workers() {
        let _ = writeln!(out, "{name}{{worker=\"{w}\"}} {}", value(w));
    }
}

/// The metrics in Prometheus text format.
pub(crate) fn render(inner: &Inner) -> String {
    let snap = inner.snapshot();
    let mut out = String::with_capacity(4096);
    family(
        &mut out,
        "proxy_requests_total",
        "counter",
        "Requests received (tcp mode: connections).",
    );
    let _ = writeln!(out, "proxy_requests_total {}", snap.requests);
    family(
        &mut out,
        "proxy_responses_total",
        "counter",
        "Responses sent, by status code.",
    );
    for (code, n) in &snap.responses_by_status {
        let _ = writeln!(out, "proxy_responses_total{{status=\"{code}\"}} {n}");
    }
    render_latency(inner, &mut out);
    family(&mut out, "proxy_retries_total", "counter", "Retries sent to backends.");
    let _ = writeln!(out, "proxy_retries_total {}", snap.retries);
    family(
        &mut out,
        "proxy_retry_budget_refusals_total",
        "counter",
        "Retries refused by the retry budget.",
    );
    let _ = writeln!(out, "proxy_retry_budget_refusals_total {}", snap.budget_refusals);
    family(
        &mut out,
        "proxy_buffer_depth",
        "gauge",
        "Requests queued in (or holding a slot of) the buffer.",
    );
    let _ = writeln!(out, "proxy_buffer_depth {}", snap.buffer_depth);
    family(
        &mut out,
        "proxy_buffer_requests_total",
        "counter",
        "Requests handed to the balancer, by the buffer's path: `direct` (nothing queued, called on the connection's task) or `queued` (through the buffer's worker).",
    );
    let (direct, queued) = snap.buffer_served;
    let _ = writeln!(out, "proxy_buffer_requests_total{{path=\"direct\"}} {direct}");
    let _ = writeln!(out, "proxy_buffer_requests_total{{path=\"queued\"}} {queued}");
    family(
        &mut out,
        "proxy_client_connections",
        "gauge",
        "Client connections open.",
    );
    let _ = writeln!(out, "proxy_client_connections {}", snap.connections);
    family(
        &mut out,
        "proxy_endpoint_state",
        "gauge",
        "1 for the state each backend is in.",
    );
    for backend in &snap.backends {
        for state in [
            BackendState::Ready,
            BackendState::Pending,
            BackendState::Failing,
            BackendState::Removed,
        ] {
            let on = u8::from(backend.state == state);
            let (addr, name) = (backend.addr, state.as_str());
            let _ = writeln!(out, "proxy_endpoint_state{{endpoint=\"{addr}\",state=\"{name}\"}} {on}");
        }
    }
    family(
        &mut out,
        "proxy_endpoint_requests_total",
        "counter",
        "Requests sent to each backend.",
    );
    for b in &snap.backends {
        let _ = writeln!(
            out,
            "proxy_endpoint_requests_total{{endpoint=\"{}\"}} {}",
            b.addr, b.requests
        );
    }
    family(
        &mut out,
        "proxy_endpoint_in_flight",
        "gauge",
        "Requests in flight to each backend.",
    );
    for b in &snap.backends {
        let _ = writeln!(
            out,
            "proxy_endpoint_in_flight{{endpoint=\"{}\"}} {}",
            b.addr, b.in_flight
        );
    }
    render_runtime(inner, &mut out);
    out
}

fn render_latency(inner: &Inner, out: &mut String) {
    let (counts, sum_us) = inner.stats.latency();
    family(
        out,
        "proxy_request_duration_seconds",
        "histogram",
        "Time from request to response head.",
    );
    let mut cumulative = 0;
    for (bound, n) in LATENCY_BOUNDS_US.iter().zip(&counts) {
        cumulative += n;
        let le = *bound as f64 / 1e6;
        let _ = writeln!(out, "proxy_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}");
    }
    cumulative += counts.last().copied().unwrap_or(0);
    let _ = writeln!(out, "proxy_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
    let _ = writeln!(out, "proxy_request_duration_seconds_sum {}", sum_us as f64 / 1e6);
    let _ = writeln!(out, "proxy_request_duration_seconds_count {cumulative}");
}

fn render_runtime(inner: &Inner, out: &mut String) {
    let rt = &inner.runtime;
    family(out, "runtime_workers", "gauge", "Runtime worker threads.");
    let _ = writeln!(out, "runtime_workers {}", rt.num_workers());
    family(out, "runtime_alive_tasks", "gauge", "Tasks alive.");
    let _ = writeln!(out, "runtime_alive_tasks {}", rt.num_alive_tasks());
    family(out, "runtime_spawned_tasks_total", "counter", "Tasks spawned.");
    let _ = writeln!(out, "runtime_spawned_tasks_total {}", rt.spawned_tasks_count());
    family(out, "runtime_global_queue_depth", "gauge", "Tasks in the global queue.");
    let _ = writeln!(out, "runtime_global_queue_depth {}", rt.global_queue_depth());
    per_worker(out, rt, "runtime_worker_polls_total", "Task polls per worker.", |w| {
        rt.worker_poll_count(w)
    });
    per_worker(
        out,
        rt,
        "runtime_worker_parks_total",
        "Times each worker parked.",
        |w| rt.worker_park_count(w),
    );
    per_worker(
        out,
        rt,
        "runtime_worker_steals_total",
        "Tasks stolen by each worker.",
        |w| rt.worker_steal_count(w),
    );
    family(
        out,
        "runtime_blocking_threads",
        "gauge",
        "Threads in the blocking pool.",
    );
    let _ = writeln!(out, "runtime_blocking_threads {}", rt.num_blocking_threads());
}
