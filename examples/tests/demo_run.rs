//! Runs the demo binary for a few seconds and checks its report and its chart.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test's chart.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rt-stack-demo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs the demo with `args`; panics with its output if it failed.
fn demo(args: &[&str]) -> String {
    let Output { status, stdout, stderr } = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(args)
        .output()
        .expect("the demo binary runs");
    let stdout = String::from_utf8(stdout).expect("utf-8 output");
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(status.success(), "demo {args:?} failed ({status}):\n{stdout}\n{stderr}");
    stdout
}

/// The value of a `name  value` row of the report.
fn row<'a>(report: &'a str, name: &str) -> &'a str {
    report
        .lines()
        .find_map(|line| line.strip_prefix(name).filter(|rest| rest.starts_with(' ')))
        .unwrap_or_else(|| panic!("no row {name:?} in:\n{report}"))
        .trim()
}

/// Checks that `svg` is one `<svg>` element whose tags nest properly.
fn assert_well_formed_svg(svg: &str) {
    assert!(
        svg.starts_with("<svg"),
        "not an SVG document: {}",
        &svg[..svg.len().min(80)]
    );
    let mut open: Vec<&str> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("a tag is closed") + start;
        let tag = &rest[start + 1..end];
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(open.pop(), Some(closing.trim()), "mismatched </{closing}>");
        } else if !tag.ends_with('/') && !tag.starts_with('?') && !tag.starts_with('!') {
            open.push(tag.split_whitespace().next().expect("a tag name"));
        }
        rest = &rest[end + 1..];
    }
    assert!(open.is_empty(), "unclosed tags: {open:?}");
    assert!(rest.trim().is_empty(), "text after the root element: {rest:?}");
}

fn chart_path(dir: &Path) -> PathBuf {
    dir.join("charts").join("latency.svg")
}

#[test]
fn a_short_run_reports_every_backend_and_writes_the_chart() {
    let dir = scratch_dir("short");
    let chart = chart_path(&dir);
    let out = demo(&["--duration", "3", "--clients", "8", "--out", chart.to_str().unwrap()]);

    // Live progress: one line per second.
    let progress = out
        .lines()
        .filter(|line| line.trim_start().starts_with(|c: char| c.is_ascii_digit()) && line.contains(" s "))
        .count();
    assert!(progress >= 3, "expected a progress line per second:\n{out}");

    // The final table.
    let requests: u64 = row(&out, "requests").replace(',', "").parse().expect("a request count");
    assert!(requests > 100, "only {requests} requests in 3 s:\n{out}");
    for name in [
        "requests per second",
        "latency p50",
        "latency p90",
        "latency p99",
        "latency max",
    ] {
        assert!(!row(&out, name).is_empty());
    }
    // The demo's claim: the proxy shields the client from the flaky backend.
    assert_eq!(row(&out, "errors the client saw"), "0", "the client saw errors:\n{out}");
    assert!(out.contains("verdict: the client saw no errors"), "{out}");
    row(&out, "proxy retries");
    for backend in ["fast", "slow", "flaky"] {
        let line = out
            .lines()
            .find(|line| line.starts_with(backend) && line.contains("127.0.0.1:"))
            .unwrap_or_else(|| panic!("no row for backend {backend}:\n{out}"));
        assert_eq!(line.matches('%').count(), 3, "a share per phase: {line}");
    }
    let flaky = out
        .lines()
        .find(|line| line.starts_with("flaky") && line.contains("127.0.0.1:"))
        .unwrap();
    let failures: Vec<u64> = flaky
        .split_whitespace()
        .skip(5)
        .take(2)
        .map(|n| n.replace(',', "").parse().unwrap())
        .collect();
    assert!(
        failures.iter().sum::<u64>() > 0,
        "the flaky backend never failed: {flaky}"
    );

    // The chart.
    assert!(
        out.contains(&format!("chart: {}", chart.display())),
        "chart path not printed:\n{out}"
    );
    let svg = std::fs::read_to_string(&chart).expect("the chart was written");
    assert_well_formed_svg(&svg);
    for text in ["p50", "p99", "flaky backend answers 503", "seconds since the start"] {
        assert!(svg.contains(text), "the chart lacks {text:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_the_flags() {
    let help = demo(&["--help"]);
    for flag in ["--duration <SECS>", "--clients <N>", "--out <PATH>", "--help"] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn bad_flags_are_refused() {
    let status = Command::new(env!("CARGO_BIN_EXE_demo"))
        .args(["--clients", "0"])
        .output()
        .expect("the demo binary runs")
        .status;
    assert!(!status.success());
}
