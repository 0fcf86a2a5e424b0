//! The admin listener: `/metrics` parses as Prometheus text, `/ready` and `/live`.

mod proxy_support;

use std::collections::HashMap;

use proxy_support::{client, config, get, start, Backend};

/// One sample: its metric name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    value: f64,
}

fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Parses the Prometheus text format (0.0.4), strictly enough for a test: `# HELP` and
/// `# TYPE` lines, samples `name{label="value",...} value`; returns the samples and the
/// declared types. Panics on anything malformed.
fn parse(text: &str) -> (Vec<Sample>, HashMap<String, String>) {
    let mut samples = Vec::new();
    let mut types = HashMap::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name, tail) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
            assert!(is_name(name), "bad metric name in {line:?}");
            match kind {
                "HELP" => assert!(!tail.is_empty()),
                "TYPE" => {
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&tail),
                        "{line:?}"
                    );
                    assert!(
                        types.insert(name.to_owned(), tail.to_owned()).is_none(),
                        "two TYPE lines for {name}"
                    );
                }
                _ => panic!("unknown comment {line:?}"),
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("no value in {line:?}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("bad value in {line:?}")),
        };
        let (name, labels) = match series.split_once('{') {
            None => (series, Vec::new()),
            Some((name, rest)) => {
                let body = rest
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels in {line:?}"));
                let labels = body
                    .split(',')
                    .map(|pair| {
                        let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("bad label in {line:?}"));
                        assert!(is_name(k), "bad label name in {line:?}");
                        let v = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
                        (
                            k.to_owned(),
                            v.unwrap_or_else(|| panic!("unquoted label in {line:?}")).to_owned(),
                        )
                    })
                    .collect();
                (name, labels)
            }
        };
        assert!(is_name(name), "bad metric name in {line:?}");
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s)
                    .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            })
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample before its TYPE line: {line:?}");
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    (samples, types)
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(a, b)| a == k && b == v))
        })
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
        .value
}

async fn admin_get(admin: std::net::SocketAddr, path: &str) -> proxy_support::Answer {
    get(&client(admin), path).await
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_as_prometheus_text() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let admin = proxy.admin_addr().unwrap();
    let pool = client(proxy.local_addr());
    for _ in 0..10 {
        assert_eq!(get(&pool, "/").await.status, 200);
    }
    assert_eq!(get(&pool, "/status/404").await.status, 404);
    let answer = admin_get(admin, "/metrics").await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let (samples, types) = parse(&answer.body);
    assert_eq!(value(&samples, "proxy_requests_total", &[]), 11.0);
    assert_eq!(value(&samples, "proxy_responses_total", &[("status", "200")]), 10.0);
    assert_eq!(value(&samples, "proxy_responses_total", &[("status", "404")]), 1.0);
    assert_eq!(types["proxy_request_duration_seconds"], "histogram");
    // Buckets are cumulative and end with +Inf = count.
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == "proxy_request_duration_seconds_bucket")
        .map(|s| s.value)
        .collect();
    assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
    let count = value(&samples, "proxy_request_duration_seconds_count", &[]);
    assert_eq!((buckets.last().copied(), count), (Some(11.0), 11.0));
    let endpoint = backend.addr.to_string();
    assert_eq!(
        value(
            &samples,
            "proxy_endpoint_state",
            &[("endpoint", &endpoint), ("state", "ready")]
        ),
        1.0
    );
    assert_eq!(
        value(&samples, "proxy_endpoint_requests_total", &[("endpoint", &endpoint)]),
        11.0
    );
    for name in [
        "proxy_retries_total",
        "proxy_retry_budget_refusals_total",
        "proxy_buffer_depth",
        "runtime_workers",
    ] {
        value(&samples, name, &[]);
    }
    assert_eq!(value(&samples, "runtime_workers", &[]), 2.0);
    let by_path = |path| value(&samples, "proxy_buffer_requests_total", &[("path", path)]);
    assert_eq!(by_path("direct") + by_path("queued"), 11.0);
    assert!(by_path("direct") >= 1.0, "one request at a time: the buffer is idle");
    assert_eq!(proxy.metrics_text().lines().count(), answer.body.lines().count());
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_and_live() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let admin = proxy.admin_addr().unwrap();
    assert_eq!(admin_get(admin, "/live").await.status, 200);
    assert_eq!(admin_get(admin, "/ready").await.status, 200);
    assert_eq!(admin_get(admin, "/nope").await.status, 404);
    proxy.shutdown().await;

    let proxy = start(config(&[])).await;
    let admin = proxy.admin_addr().unwrap();
    assert_eq!(admin_get(admin, "/live").await.status, 200);
    assert_eq!(admin_get(admin, "/ready").await.status, 503);
    proxy.shutdown().await;
}
