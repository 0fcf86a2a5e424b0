//! The measuring loop shared by every suite: alternation, medians, the table and the
//! JSON report.
//!
//! A [`Workload`] holds one run function per side, both instantiated from the same
//! generic source. [`measure`] calls them alternately, round after round, and reduces
//! each metric to the median of its rounds; [`print_table`] and [`write_json_named`] report
//! the result.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Index of our runtime in [`Workload::runs`] and in the sample arrays.
const OURS: usize = 0;
/// Index of the peer runtime in [`Workload::runs`] and in the sample arrays.
const PEER: usize = 1;

/// How large the workloads are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// The sizes the issue names.
    Full,
    /// A hundredth of them: a smoke test that the suite runs, not a measurement.
    Quick,
}

impl Scale {
    /// Returns `full` at [`Scale::Full`], a hundredth of it (at least 1) at
    /// [`Scale::Quick`].
    pub(crate) fn size(self, full: usize) -> usize {
        match self {
            Scale::Full => full,
            Scale::Quick => (full / 100).max(1),
        }
    }
}

/// Returns `elapsed` in nanoseconds per each of `count` operations.
pub(crate) fn per_op(elapsed: Duration, count: usize) -> f64 {
    elapsed.as_nanos() as f64 / count as f64
}

/// A measured quantity: one row of the report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Metric {
    /// Row name, e.g. `spawn_many_local`.
    pub(crate) name: &'static str,
    /// Unit of the value, e.g. `ns/task`.
    pub(crate) unit: &'static str,
    /// Whether a lower value (a cost) or a higher one (a rate) is better.
    pub(crate) better: Better,
}

/// Which way a metric improves. The ratio is always ours / peer; the table marks the
/// rows where above 1 is better for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Better {
    /// A cost (time, CPU or bytes per operation): below 1 we are cheaper.
    Lower,
    /// A rate (operations per CPU second): above 1 we do more.
    Higher,
}

/// One run of a workload on one side: builds a fresh runtime, measures, shuts it down,
/// and returns one value per [`Workload::metrics`] entry.
pub(crate) type RunFn = fn(Scale) -> Vec<f64>;

/// A workload: what it measures, and how to run it on each side.
#[derive(Debug)]
pub(crate) struct Workload {
    /// The rows this workload yields, in the order its run functions return them.
    pub(crate) metrics: &'static [Metric],
    /// Run functions: `[ours, peer]`, the same generic function for both.
    pub(crate) runs: [RunFn; 2],
    /// What the peer side is when it is not the suite's peer (the bare C server of
    /// `http_hello_vs_bare_c_*`); the table and the JSON name it on each of these rows.
    pub(crate) peer: Option<&'static str>,
}

impl Workload {
    /// Returns this workload with the peer's run function on both sides, for an A/A
    /// test of the harness.
    pub(crate) fn peer_on_both_sides(mut self) -> Self {
        self.runs[OURS] = self.runs[PEER];
        self
    }

    /// Returns whether any of this workload's rows has `filter` in its name.
    pub(crate) fn matches(&self, filter: &str) -> bool {
        self.metrics.iter().any(|metric| metric.name.contains(filter))
    }
}

/// The medians of one metric on both sides.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// What was measured.
    pub(crate) metric: Metric,
    /// Median on our runtime.
    pub(crate) ours: f64,
    /// Median on the peer.
    pub(crate) peer: f64,
}

impl Row {
    /// Returns ours / peer: below 1 we are cheaper, above 1 the peer is.
    pub(crate) fn ratio(&self) -> f64 {
        self.ours / self.peer
    }
}

/// Runs `workload` for `rounds` rounds, alternating sides, and returns one row per
/// metric with the median of each side.
///
/// Round `r` runs ours then the peer when `r` is even and the peer then ours when it is
/// odd, so neither side always inherits the other's warm (or dirty) caches, heap and
/// page tables. Progress goes to standard error, one line per round.
pub(crate) fn measure(workload: &Workload, rounds: usize, scale: Scale) -> Vec<Row> {
    let mut samples: [Vec<Vec<f64>>; 2] = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        let order = if round % 2 == 0 { [OURS, PEER] } else { [PEER, OURS] };
        for side in order {
            let values = (workload.runs[side])(scale);
            assert_eq!(values.len(), workload.metrics.len(), "one value per metric");
            samples[side].push(values);
        }
        eprint_round(workload, round, rounds, &samples);
    }
    workload
        .metrics
        .iter()
        .enumerate()
        .map(|(index, &metric)| Row {
            metric,
            ours: median(samples[OURS].iter().map(|values| values[index]).collect()),
            peer: median(samples[PEER].iter().map(|values| values[index]).collect()),
        })
        .collect()
}

/// Prints the values of the last round of `samples` to standard error.
fn eprint_round(workload: &Workload, round: usize, rounds: usize, samples: &[Vec<Vec<f64>>; 2]) {
    for (index, metric) in workload.metrics.iter().enumerate() {
        eprintln!(
            "  {:<20} round {}/{}: ours {:>10}  {} {:>10}  {}",
            metric.name,
            round + 1,
            rounds,
            number(samples[OURS][round][index]),
            workload.peer.unwrap_or("peer"),
            number(samples[PEER][round][index]),
            metric.unit,
        );
    }
}

/// Returns the median of `values` (the mean of the middle two for an even count).
///
/// # Panics
///
/// Panics when `values` is empty.
fn median(mut values: Vec<f64>) -> f64 {
    assert!(!values.is_empty(), "median of no samples");
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// Formats a measured value with a precision that suits its magnitude.
pub(crate) fn number(value: f64) -> String {
    match value.abs() {
        v if v >= 1000.0 => format!("{value:.0}"),
        v if v >= 10.0 => format!("{value:.1}"),
        _ => format!("{value:.2}"),
    }
}

/// Prints `rows`, each with its peer's name, as a table with columns name, unit, ours,
/// the suite's peer `peer_name` and ratio; a row whose peer is another one says so.
pub(crate) fn print_table(rows: &[(Row, &str)], peer_name: &str) {
    let name_width = column_width("name", rows.iter().map(|(row, _)| row.metric.name));
    let unit_width = column_width("unit", rows.iter().map(|(row, _)| row.metric.unit));
    println!(
        "{:<name_width$} {:<unit_width$} {:>12} {:>12} {:>7}",
        "name", "unit", "ours", peer_name, "ratio"
    );
    for &(row, row_peer) in rows {
        println!(
            "{:<name_width$} {:<unit_width$} {:>12} {:>12} {:>7.3}{}{}",
            row.metric.name,
            row.metric.unit,
            number(row.ours),
            number(row.peer),
            row.ratio(),
            match row.metric.better {
                Better::Lower => "",
                Better::Higher => "  (higher is better)",
            },
            if row_peer == peer_name {
                String::new()
            } else {
                format!("  (peer: {row_peer})")
            },
        );
    }
}

/// Returns the width of a table column: its longest cell, or its header.
fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells.map(str::len).chain([header.len()]).max().unwrap_or_default()
}

/// Writes `rows`, each with its peer's name, as a JSON array to `path`, creating its
/// directory. Rows name their own peer because a suite may have more than one (the
/// `proxy` suite, the `net` suite's bare C rows).
///
/// Each element is `{"name", "unit", "ours", "peer", "peer_name", "ratio"}`; a value
/// that is not finite (a zero peer median makes an infinite ratio) is written as `null`.
///
/// # Errors
///
/// Returns the error of creating the directory or writing the file.
pub(crate) fn write_json_named(path: &Path, rows: &[(Row, &str)]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, to_json_named(rows))
}

/// Renders `rows` as the JSON report (see [`write_json_named`]).
#[cfg(test)]
fn to_json(rows: &[Row], peer_name: &str) -> String {
    to_json_named(&rows.iter().map(|&row| (row, peer_name)).collect::<Vec<_>>())
}

/// Renders `rows`, each with its peer's name, as the JSON report (see [`write_json_named`]).
fn to_json_named(rows: &[(Row, &str)]) -> String {
    let mut out = String::from("[\n");
    for (index, &(row, peer_name)) in rows.iter().enumerate() {
        let separator = if index + 1 == rows.len() { "" } else { "," };
        let _ = writeln!(
            out,
            "  {{\"name\": {}, \"unit\": {}, \"ours\": {}, \"peer\": {}, \"peer_name\": {}, \"ratio\": {}}}{separator}",
            json_string(row.metric.name),
            json_string(row.metric.unit),
            json_number(row.ours),
            json_number(row.peer),
            json_string(peer_name),
            json_number(row.ratio()),
        );
    }
    out.push_str("]\n");
    out
}

/// Quotes and escapes `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Formats `value` as a JSON number (`null` when not finite).
fn json_number(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.4}")
    } else {
        String::from("null")
    }
}

/// Returns the directory reports go to: `compare/` under the workspace's target
/// directory.
///
/// The target directory is `CARGO_TARGET_DIR` when set, else `target/` in the nearest
/// ancestor of this crate's manifest directory whose `Cargo.toml` declares a
/// `[workspace]`.
pub(crate) fn report_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    target.join("compare")
}

/// Returns the workspace root (see [`report_dir`]); the crate's parent as a fallback.
fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .unwrap_or_else(|| manifest_dir.parent().unwrap_or(manifest_dir))
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn json_escapes_strings_and_non_finite_numbers() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), r#""a\"b\\c\n\u0001""#);
        let row = Row {
            metric: Metric {
                name: "x",
                unit: "ns/op",
                better: Better::Lower,
            },
            ours: 1.0,
            peer: 0.0,
        };
        assert_eq!(
            to_json(&[row], "tokio"),
            "[\n  {\"name\": \"x\", \"unit\": \"ns/op\", \"ours\": 1.0000, \"peer\": 0.0000, \
             \"peer_name\": \"tokio\", \"ratio\": null}\n]\n"
        );
    }

    #[test]
    fn quick_scale_is_a_hundredth() {
        assert_eq!(Scale::Quick.size(1_000_000), 10_000);
        assert_eq!(Scale::Quick.size(50), 1);
        assert_eq!(Scale::Full.size(50), 50);
    }
}
