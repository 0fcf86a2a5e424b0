//! The rows of the `proxy` suite, the goal for each, and how they are printed.
//!
//! Every measure gives two rows, ours against nginx and ours against HAProxy, named
//! `<measure>_vs_nginx` and `<measure>_vs_haproxy`; each row's JSON object carries
//! its own `peer_name`.

use crate::harness::{number, Better, Metric, Row};

/// Index of our proxy (or what stands in for it) in the per-side arrays.
pub(crate) const OURS: usize = 0;
/// Index of nginx.
pub(crate) const NGINX: usize = 1;
/// Index of HAProxy.
pub(crate) const HAPROXY: usize = 2;
/// Number of proxies.
pub(crate) const SIDES: usize = 3;

/// What issue 10 asks of our proxy for a measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Goal {
    /// No goal (reported for context).
    None,
    /// Lower than the peer.
    BelowPeer,
    /// Lower than the peer, and at most this much.
    BelowPeerAndAtMost(f64),
    /// At most this much.
    AtMost(f64),
}

impl Goal {
    /// Describes the goal for the table.
    fn describe(self) -> String {
        match self {
            Goal::None => "-".to_owned(),
            Goal::BelowPeer => "< peer".to_owned(),
            Goal::BelowPeerAndAtMost(max) => format!("< peer, <= {max}"),
            Goal::AtMost(max) => format!("<= {max}"),
        }
    }

    /// Returns whether `ours` meets the goal against `peer`; `None` when there is no
    /// goal or a value is missing.
    pub(crate) fn met(self, ours: f64, peer: f64) -> Option<bool> {
        let known = |value: f64| value.is_finite().then_some(value);
        match self {
            Goal::None => None,
            Goal::BelowPeer => Some(known(ours)? < known(peer)?),
            Goal::BelowPeerAndAtMost(max) => Some(known(ours)? < known(peer)? && ours <= max),
            Goal::AtMost(max) => Some(known(ours)? <= max),
        }
    }
}

/// Which run of a round measures a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The wrk run (and the at-rest reading before it).
    Load,
    /// The run with idle client connections.
    Idle,
}

/// One measure: two rows, ours against each peer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measure {
    /// Row names: against nginx, against HAProxy.
    pub(crate) names: [&'static str; 2],
    /// Unit of the values.
    pub(crate) unit: &'static str,
    /// The goal.
    pub(crate) goal: Goal,
    /// The run that measures it.
    pub(crate) phase: Phase,
}

impl Measure {
    /// Returns whether either row name contains `filter` (every row matches `None`).
    pub(crate) fn matches(&self, filter: Option<&str>) -> bool {
        filter.is_none_or(|filter| self.names.iter().any(|name| name.contains(filter)))
    }
}

/// Index in [`MEASURES`] of proxy CPU per request.
pub(crate) const CPU: usize = 0;
/// Index in [`MEASURES`] of the added p50 latency.
pub(crate) const ADDED_P50: usize = 1;
/// Index in [`MEASURES`] of the added p99 latency.
pub(crate) const ADDED_P99: usize = 2;
/// Index in [`MEASURES`] of the resident set at rest.
pub(crate) const RSS_AT_REST: usize = 3;
/// Index in [`MEASURES`] of the resident set per idle connection.
pub(crate) const IDLE_CONN: usize = 4;

/// Every measure, in report order; [`Summary::values`] is indexed by [`CPU`] and its
/// siblings.
pub(crate) const MEASURES: [Measure; 5] = [
    Measure {
        names: ["cpu_per_req_vs_nginx", "cpu_per_req_vs_haproxy"],
        unit: "proxy CPU us/req",
        goal: Goal::BelowPeerAndAtMost(10.0),
        phase: Phase::Load,
    },
    Measure {
        names: ["added_p50_vs_nginx", "added_p50_vs_haproxy"],
        unit: "ms over direct",
        goal: Goal::None,
        phase: Phase::Load,
    },
    Measure {
        names: ["added_p99_vs_nginx", "added_p99_vs_haproxy"],
        unit: "ms over direct",
        goal: Goal::BelowPeer,
        phase: Phase::Load,
    },
    Measure {
        names: ["rss_at_rest_vs_nginx", "rss_at_rest_vs_haproxy"],
        unit: "MiB",
        goal: Goal::AtMost(4.0),
        phase: Phase::Load,
    },
    Measure {
        names: ["idle_conn_rss_vs_nginx", "idle_conn_rss_vs_haproxy"],
        unit: "KiB/idle conn",
        goal: Goal::AtMost(0.5),
        phase: Phase::Idle,
    },
];

/// Medians over the rounds, per side; `NaN` where a side has no sample.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Summary {
    /// Per measure of [`MEASURES`], per side.
    pub(crate) values: [[f64; SIDES]; MEASURES.len()],
    /// Requests per second, p50 and p99 latency (ms), and the resident set (MiB) before
    /// the warm-up, of each proxy.
    pub(crate) proxies: [[f64; 4]; SIDES],
    /// The same for the direct runs.
    pub(crate) direct: [f64; 3],
}

impl Summary {
    /// Returns the value of measure `index` for `side`.
    fn value(&self, index: usize, side: usize) -> f64 {
        self.values[index][side]
    }

    /// Returns the report rows of the measures `filter` selects, each with its peer's
    /// name and goal.
    pub(crate) fn rows(&self, filter: Option<&str>, names: [&str; SIDES]) -> Vec<(Row, String, Goal)> {
        let mut rows = Vec::new();
        for (index, measure) in MEASURES.iter().enumerate() {
            for (column, peer) in [NGINX, HAPROXY].into_iter().enumerate() {
                let name = measure.names[column];
                if filter.is_some_and(|filter| !name.contains(filter)) {
                    continue;
                }
                let row = Row {
                    metric: Metric {
                        name,
                        unit: measure.unit,
                        better: Better::Lower,
                    },
                    ours: self.value(index, OURS),
                    peer: self.value(index, peer),
                };
                rows.push((row, names[peer].to_owned(), measure.goal));
            }
        }
        rows
    }
}

/// Prints the rows with the goal and whether ours meets it.
pub(crate) fn print_rows(rows: &[(Row, String, Goal)]) {
    let width = |header: &str, cells: Vec<usize>| cells.into_iter().chain([header.len()]).max().unwrap_or_default();
    let name_width = width("name", rows.iter().map(|(row, ..)| row.metric.name.len()).collect());
    let unit_width = width("unit", rows.iter().map(|(row, ..)| row.metric.unit.len()).collect());
    let peer_width = width("peer", rows.iter().map(|(_, peer, _)| peer.len()).collect());
    println!(
        "{:<name_width$} {:<unit_width$} {:>10} {:<peer_width$} {:>10} {:>7}  {:<16} goal met",
        "name", "unit", "ours", "peer", "peer", "ratio", "goal"
    );
    for (row, peer, goal) in rows {
        println!(
            "{:<name_width$} {:<unit_width$} {:>10} {:<peer_width$} {:>10} {:>7}  {:<16} {}",
            row.metric.name,
            row.metric.unit,
            cell(row.ours),
            peer,
            cell(row.peer),
            if row.ratio().is_finite() {
                format!("{:.3}", row.ratio())
            } else {
                "-".to_owned()
            },
            goal.describe(),
            match goal.met(row.ours, row.peer) {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "-",
            },
        );
    }
}

/// Prints the absolute medians: the load each proxy served and the direct baseline.
pub(crate) fn print_absolute(summary: &Summary, names: [&str; SIDES]) {
    println!(
        "{:<12} {:>10} {:>8} {:>8} {:>11} {:>9} {:>9} {:>9}",
        "medians", "req/s", "p50 ms", "p99 ms", "CPU us/req", "fresh MiB", "rest MiB", "KiB/idle"
    );
    let [rate, p50, p99] = summary.direct;
    println!(
        "{:<12} {:>10} {:>8} {:>8} {:>11} {:>9} {:>9} {:>9}",
        "direct",
        cell(rate),
        cell(p50),
        cell(p99),
        "-",
        "-",
        "-",
        "-"
    );
    for (side, name) in names.iter().enumerate() {
        let [rate, p50, p99, fresh] = summary.proxies[side];
        println!(
            "{:<12} {:>10} {:>8} {:>8} {:>11} {:>9} {:>9} {:>9}",
            name,
            cell(rate),
            cell(p50),
            cell(p99),
            cell(summary.value(CPU, side)),
            cell(fresh),
            cell(summary.value(RSS_AT_REST, side)),
            cell(summary.value(IDLE_CONN, side)),
        );
    }
}

/// Formats a value for the table; `-` when it is missing.
fn cell(value: f64) -> String {
    if value.is_finite() {
        number(value)
    } else {
        "-".to_owned()
    }
}

/// Returns the median of the finite `values` (the mean of the middle two for an even
/// count); `NaN` when there is none.
pub(crate) fn median(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.into_iter().filter(|value| value.is_finite()).collect();
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_skips_missing_samples() {
        assert_eq!(median([3.0, f64::NAN, 1.0, 2.0]), 2.0);
        assert_eq!(median([4.0, 1.0]), 2.5);
        assert!(median([f64::NAN]).is_nan());
    }

    #[test]
    fn goals_compare_with_the_peer_and_the_bound() {
        assert_eq!(Goal::BelowPeerAndAtMost(10.0).met(9.0, 13.0), Some(true));
        assert_eq!(Goal::BelowPeerAndAtMost(10.0).met(11.0, 13.0), Some(false));
        assert_eq!(Goal::BelowPeerAndAtMost(10.0).met(9.0, 8.0), Some(false));
        assert_eq!(Goal::BelowPeer.met(f64::NAN, 1.0), None);
        assert_eq!(Goal::AtMost(0.5).met(0.6, f64::NAN), Some(false));
        assert_eq!(Goal::None.met(1.0, 2.0), None);
    }

    #[test]
    fn rows_name_their_peer_and_follow_the_filter() {
        let mut summary = Summary {
            values: [[f64::NAN; SIDES]; MEASURES.len()],
            proxies: [[f64::NAN; 4]; SIDES],
            direct: [f64::NAN; 3],
        };
        summary.values[CPU] = [9.0, 13.0, 12.5];
        let names = ["ours", "nginx", "haproxy"];
        let rows = summary.rows(None, names);
        assert_eq!(rows.len(), 2 * MEASURES.len());
        let (row, peer, _) = &rows[1];
        assert_eq!((row.metric.name, peer.as_str()), ("cpu_per_req_vs_haproxy", "haproxy"));
        assert_eq!((row.ours, row.peer), (9.0, 12.5));
        let idle = summary.rows(Some("idle_conn_rss_vs_h"), names);
        assert_eq!(idle.len(), 1);
        assert!(MEASURES[IDLE_CONN].matches(Some("idle")) && !MEASURES[IDLE_CONN].matches(Some("cpu")));
    }
}
