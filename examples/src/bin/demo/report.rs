//! The final table: what the client saw, what the proxy did, what each backend received.

use std::collections::BTreeMap;
use std::time::Duration;

use examples::proxy::Snapshot;

use crate::backend::{Backend, Kind};
use crate::load::{Outcome, Sample};
use crate::schedule::{Phase, Schedule};
use crate::timeline::{Seen, Timeline};

/// Everything the final table is made of.
#[derive(Debug)]
pub(crate) struct Report<'a> {
    /// Every request the clients sent.
    pub(crate) samples: &'a [Sample],
    /// How long the load ran.
    pub(crate) elapsed: Duration,
    /// The number of clients.
    pub(crate) clients: usize,
    /// The failure window.
    pub(crate) schedule: Schedule,
    /// The backends and their counts.
    pub(crate) backends: &'a [Backend],
    /// The backends' states over time.
    pub(crate) timeline: &'a Timeline,
    /// The proxy's counters at the end.
    pub(crate) proxy: &'a Snapshot,
}

impl Report<'_> {
    /// Prints the table.
    pub(crate) fn print(&self) {
        println!();
        println!(
            "== results: {} clients for {:.1} s ==",
            self.clients,
            self.elapsed.as_secs_f64()
        );
        self.print_client();
        self.print_proxy();
        println!();
        self.print_backends();
        println!();
        println!("{}", self.verdict());
    }

    /// Requests, rate, latency percentiles and errors, as the client saw them.
    fn print_client(&self) {
        let mut latencies: Vec<u32> = self.samples.iter().map(|s| s.latency_micros).collect();
        latencies.sort_unstable();
        let requests = self.samples.len() as u64;
        let rate = requests as f64 / self.elapsed.as_secs_f64().max(1e-3);
        row("requests", format_count(requests));
        row("requests per second", format_count(rate as u64));
        for (name, quantile) in [
            ("latency p50", 0.5),
            ("latency p90", 0.9),
            ("latency p99", 0.99),
            ("latency max", 1.0),
        ] {
            let value = percentile(&latencies, quantile).map_or_else(|| "-".to_owned(), format_latency);
            row(name, value);
        }
        let errors = self.errors();
        row("errors the client saw", format_count(errors.values().sum()));
        for (outcome, count) in &errors {
            row(&format!("  {}", outcome.describe()), format_count(*count));
        }
    }

    /// The proxy's own counters.
    fn print_proxy(&self) {
        row("proxy retries", format_count(self.proxy.retries));
        row("proxy retry budget refusals", format_count(self.proxy.budget_refusals));
        let statuses: Vec<String> = self
            .proxy
            .responses_by_status
            .iter()
            .map(|(status, count)| format!("{status}: {}", format_count(*count)))
            .collect();
        row("proxy responses by status", statuses.join(", "));
    }

    /// One row per backend: its share of the requests received per phase, its failures,
    /// its state per second.
    fn print_backends(&self) {
        let window = |from: Duration, to: Duration| format!("{:.1}-{:.1} s", from.as_secs_f64(), to.as_secs_f64());
        let s = self.schedule;
        println!(
            "share of the requests each backend received: before the failure window ({}), during it ({}), after it ({})",
            window(Duration::ZERO, s.fail_at),
            window(s.fail_at, s.recover_at),
            window(s.recover_at, s.duration)
        );
        println!(
            "{:<6}  {:<15}  {:>7}  {:>7}  {:>7}  {:>9}  {:>6}  state per second (R ready, P pending, F failing, X removed)",
            "name", "address", "before", "during", "after", "503s sent", "resets"
        );
        let totals: Vec<u64> = Phase::ALL
            .iter()
            .map(|&phase| self.backends.iter().map(|b| b.stats.received(phase)).sum())
            .collect();
        for (index, backend) in self.backends.iter().enumerate() {
            let mut line = format!("{:<6}  {:<15}", backend.kind.name(), backend.addr.to_string());
            for phase in Phase::ALL {
                let share = backend.stats.received(phase) as f64 * 100.0 / totals[phase.index()].max(1) as f64;
                line.push_str(&format!("  {share:>6.1}%"));
            }
            let (unavailable, resets) = (backend.stats.unavailable(), backend.stats.resets());
            line.push_str(&format!(
                "  {:>9}  {:>6}  ",
                format_count(unavailable),
                format_count(resets)
            ));
            line.push_str(&self.timeline.letters(index));
            println!("{line}");
        }
        self.print_recovery();
    }

    /// When the proxy put the flaky backend back into rotation after it recovered.
    fn print_recovery(&self) {
        let Some(index) = self.backends.iter().position(|b| b.kind == Kind::Flaky) else {
            return;
        };
        let recovered = self.schedule.recover_at;
        let from = recovered.as_secs_f64().ceil() as usize;
        let back = match (self.timeline.ready_from(index, from), self.timeline.last(index)) {
            (Some(second), _) => format!("the proxy had it back in rotation from {second} s on"),
            (None, Seen::Ready) => "the proxy had it back in rotation by the end of the run".to_owned(),
            (None, state) => format!("the proxy still had it {} at the end of the run", state.name()),
        };
        println!("flaky recovered at {:.1} s; {back}", recovered.as_secs_f64());
    }

    /// The client's errors by outcome.
    fn errors(&self) -> BTreeMap<Outcome, u64> {
        let mut errors = BTreeMap::new();
        for sample in self.samples.iter().filter(|s| !s.outcome.is_success()) {
            *errors.entry(sample.outcome).or_insert(0) += 1;
        }
        errors
    }

    /// Whether the client was shielded from the failure, and if not, when it was not.
    fn verdict(&self) -> String {
        let failed: Vec<&Sample> = self.samples.iter().filter(|s| !s.outcome.is_success()).collect();
        if failed.is_empty() {
            return "verdict: the client saw no errors while the flaky backend failed".to_owned();
        }
        let during = failed
            .iter()
            .filter(|s| self.schedule.phase(s.at()) == Phase::During)
            .count();
        let plural = if failed.len() == 1 { "" } else { "s" };
        format!(
            "verdict: the client saw {} error{plural} ({} sent in the failure window); see the errors above",
            format_count(failed.len() as u64),
            format_count(during as u64)
        )
    }
}

/// Prints one `name  value` row.
fn row(name: &str, value: String) {
    println!("{name:<30} {value}");
}

/// The `quantile` (0 to 1) of sorted latencies in microseconds (nearest rank).
pub(crate) fn percentile(sorted: &[u32], quantile: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(Duration::from_micros(sorted[rank - 1].into()))
}

/// A latency in milliseconds with two decimals.
pub(crate) fn format_latency(latency: Duration) -> String {
    format!("{:.2} ms", latency.as_secs_f64() * 1e3)
}

/// A count with thousands separators.
pub(crate) fn format_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_get_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1_000), "1,000");
        assert_eq!(format_count(1_234_567), "1,234,567");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 0.5), Some(Duration::from_micros(50)));
        assert_eq!(percentile(&sorted, 0.99), Some(Duration::from_micros(99)));
        assert_eq!(percentile(&sorted, 1.0), Some(Duration::from_micros(100)));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
