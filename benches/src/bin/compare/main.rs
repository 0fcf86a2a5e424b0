//! `compare`: rt-stack against its peers, side by side, in one process.
//!
//! ```text
//! cargo run --release -p benches --bin compare -- runtime          # one suite
//! cargo run --release -p benches --bin compare                     # every suite
//! cargo run --release -p benches --bin compare -- runtime --quick  # smoke test
//! ```
//!
//! Each suite prints a table (name, unit, ours, peer, ratio) and writes the same rows to
//! `target/compare/<suite>.json` as an array of
//! `{"name", "unit", "ours", "peer", "peer_name", "ratio"}` objects.
//!
//! # Method
//!
//! The machines these numbers come from have 2 cores and are noisy, so an absolute time
//! from one run means little. What `compare` reports instead:
//!
//! - **Same process, alternating.** Every workload runs on our runtime and on the peer
//!   in the same invocation, one after the other, round after round. Even rounds run
//!   ours first, odd rounds the peer first, so slow drift (another process waking up,
//!   CPU frequency, the heap growing) hits both sides alike and neither always runs
//!   second on warm caches.
//! - **Fresh runtimes.** Every run builds its own runtime (both multi-thread, 2
//!   workers, all drivers enabled; tokio with its default builder), warms it with a few
//!   empty tasks, times the workload alone and drops the runtime untimed. Nothing is
//!   inherited from an earlier run, which matters most for the memory rows.
//! - **Medians.** Each side's value is the median of its rounds (at least 5), which
//!   ignores the odd round a noisy neighbour spoiled, where a mean would absorb it.
//! - **Ratio.** `ratio = ours / peer` of the medians. Every unit is a cost (time or bytes
//!   per operation), so below 1 we are cheaper, 1 is parity and above 1 the peer wins:
//!   0.80 means we spend 20 % less.
//! - **Same code.** Each workload is one generic function over the
//!   `runtimes::Runtime` trait, instantiated for both sides; the trait's implementations
//!   only forward to each runtime's own API.
//!
//! A counting global allocator is installed for the whole binary (both sides pay for
//! it) so the memory rows can count live heap bytes exactly.
//!
//! # Exit status
//!
//! 0 on success, 2 on a bad command line (unknown suite or option), 1 when a report
//! cannot be written.
#![deny(unsafe_code)] // Only the allocator in `alloc` needs it, and says so.

mod alloc;
mod args;
mod harness;
mod runtime_suite;
mod runtimes;

use std::process::ExitCode;

use harness::{Scale, Workload};
use runtimes::{Ours, Peer, Runtime, WORKER_THREADS};

/// A named group of workloads with its own report file.
#[derive(Debug)]
struct Suite {
    /// Name on the command line and of the report, `<name>.json`.
    name: &'static str,
    /// Returns the suite's workloads, in report order.
    workloads: fn() -> Vec<Workload>,
}

/// Every suite, in the order a run without arguments runs them.
const SUITES: &[Suite] = &[Suite {
    name: "runtime",
    workloads: runtime_suite::workloads,
}];

fn main() -> ExitCode {
    let args = match args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(error) => return usage_error(&error.to_string()),
    };
    if args.help {
        println!("{}\n\nsuites: {}", args::USAGE, suite_names());
        return ExitCode::SUCCESS;
    }
    let suites = match select_suites(&args.suites) {
        Ok(suites) => suites,
        Err(message) => return usage_error(&message),
    };
    let scale = if args.quick { Scale::Quick } else { Scale::Full };
    let mut ran_any = false;
    for suite in suites {
        let workloads: Vec<_> = (suite.workloads)()
            .into_iter()
            .filter(|workload| match &args.filter {
                Some(filter) => workload.matches(filter),
                None => true,
            })
            .collect();
        if workloads.is_empty() {
            continue;
        }
        ran_any = true;
        if let Err(error) = run_suite(suite, &workloads, args.rounds, scale) {
            eprintln!("compare: cannot write the {} report: {error}", suite.name);
            return ExitCode::FAILURE;
        }
    }
    if !ran_any {
        return usage_error(&format!(
            "no workload matches --filter `{}`",
            args.filter.unwrap_or_default()
        ));
    }
    ExitCode::SUCCESS
}

/// Returns the suites named in `names` (all of them when `names` is empty).
fn select_suites(names: &[String]) -> Result<Vec<&'static Suite>, String> {
    if names.is_empty() {
        return Ok(SUITES.iter().collect());
    }
    names
        .iter()
        .map(|name| {
            SUITES
                .iter()
                .find(|suite| suite.name == name)
                .ok_or_else(|| format!("unknown suite `{name}` (suites: {})", suite_names()))
        })
        .collect()
}

/// Runs `workloads` of `suite`, prints its table and writes its JSON report.
fn run_suite(suite: &Suite, workloads: &[Workload], rounds: usize, scale: Scale) -> std::io::Result<()> {
    eprintln!(
        "suite {}: ours = {}, peer = {}, {WORKER_THREADS} worker threads each, {rounds} \
         round(s), a fresh runtime per run{}",
        suite.name,
        Ours::NAME,
        Peer::NAME,
        if scale == Scale::Quick {
            ", quick sizes (not a measurement)"
        } else {
            ""
        },
    );
    let rows: Vec<_> = workloads
        .iter()
        .flat_map(|workload| harness::measure(workload, rounds, scale))
        .collect();
    println!(
        "\n{} (ours = {}, ratio = ours / {}; lower is better for us)",
        suite.name,
        Ours::NAME,
        Peer::NAME
    );
    harness::print_table(&rows, Peer::NAME);
    let path = harness::report_dir().join(format!("{}.json", suite.name));
    harness::write_json(&path, &rows, Peer::NAME)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Returns the names of all suites, comma-separated.
fn suite_names() -> String {
    SUITES.iter().map(|suite| suite.name).collect::<Vec<_>>().join(", ")
}

/// Prints `message` and a pointer to `--help` to standard error; returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    eprintln!("compare: error: {message}\n\n{}", args::USAGE);
    ExitCode::from(2)
}
