//! `compare`: rt-stack against its peers, side by side, in one process.
//!
//! ```text
//! cargo run --release -p benches --bin compare -- runtime          # one suite
//! cargo run --release -p benches --bin compare -- sync             # another
//! cargo run --release -p benches --bin compare -- net              # TCP servers, timers
//! cargo run --release -p benches --bin compare -- svc              # service stacks vs tower
//! cargo run --release -p benches --bin compare -- proxy            # our proxy vs nginx, HAProxy
//! cargo run --release -p benches --bin compare                     # every suite
//! cargo run --release -p benches --bin compare -- runtime --quick  # smoke test
//! ```
//!
//! Each suite prints a table (name, unit, ours, peer, ratio; rows where a higher value
//! is better, such as a rate, are marked) and writes the same rows to
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
//!   `runtimes::Runtime` trait (or `runtimes::SyncPrimitives`, which adds each side's
//!   own channels, semaphore and notify, or `runtimes::NetRuntime`, which adds its TCP
//!   types and `sleep`), instantiated for both sides; the traits' implementations only
//!   forward to each runtime's or crate's own API.
//! - **Servers in a child process.** The `net` suite's TCP servers run in a child
//!   process (this binary again, with a hidden first argument: see `net/server.rs`), so
//!   their CPU time and resident set are read from `/proc/<pid>` apart from the load
//!   generator's, which runs here. The child is started fresh for every run, like a
//!   runtime.
//! - **Proxies in child processes.** The `proxy` suite has its own loop
//!   (`proxy_suite.rs`): three proxies (ours, nginx, HAProxy) and a direct baseline in
//!   front of one backend, each a child process, in an order that rotates every round.
//!   Its rows compare ours with each peer, and each row names its peer.
//!
//! A counting global allocator is installed for the whole binary (both sides pay for
//! it) so the memory rows can count live heap bytes exactly. Before a memory run reads
//! its baseline, the C allocator is asked to return its free pages (`malloc_trim` on
//! glibc): otherwise a run that follows a bigger one reuses the pages that run freed and
//! its resident set does not grow at all.
//!
//! `--self-check` runs the peer on both sides (an A/A test): every ratio should then be
//! close to 1, and how far it strays shows how much to trust a ratio from the same
//! machine. The ratio is about the runtimes, not the workload: only workloads written
//! once for both sides are fair, and that is what the `Runtime` trait enforces.
//!
//! # Exit status
//!
//! 0 on success, 2 on a bad command line (unknown suite or option, too few rounds, a
//! filter that matches nothing), 1 when a report cannot be written.
#![deny(unsafe_code)] // Only `alloc` (the allocator, `malloc_trim`) and `cpu` (`getrusage`) need it, and say so.

mod alloc;
mod args;
mod cpu;
mod harness;
mod net;
mod net_suite;
mod proxy;
mod proxy_suite;
mod runtime_suite;
mod runtimes;
mod svc_suite;
mod sync_suite;

use std::io;
use std::process::ExitCode;

use harness::{Scale, Workload};
use runtimes::{Ours, Peer, Runtime, WORKER_THREADS};

/// A named group of workloads with its own report file.
#[derive(Debug)]
struct Suite {
    /// Name on the command line and of the report, `<name>.json`.
    name: &'static str,
    /// How the suite is measured.
    runner: Runner,
    /// What the peer column is: the runtime, or the middleware crate on that runtime.
    peer: &'static str,
}

/// How a suite is measured.
#[derive(Debug, Clone, Copy)]
enum Runner {
    /// Two-sided workloads (returned in report order), alternated by
    /// [`harness::measure`] and reported by [`run_suite`].
    Workloads(fn() -> Vec<Workload>),
    /// A suite with its own loop, table and report (the `proxy` suite: three proxies
    /// and a baseline). Given the plan and the filter, it returns whether any of its
    /// rows matched the filter.
    Own(fn(Plan, Option<&str>) -> io::Result<bool>),
}

/// Every suite, in the order a run without arguments runs them.
const SUITES: &[Suite] = &[
    Suite {
        name: "runtime",
        runner: Runner::Workloads(runtime_suite::workloads),
        peer: Peer::NAME,
    },
    Suite {
        name: "sync",
        runner: Runner::Workloads(sync_suite::workloads),
        peer: Peer::NAME,
    },
    Suite {
        name: "net",
        runner: Runner::Workloads(net_suite::workloads),
        peer: Peer::NAME,
    },
    Suite {
        name: "svc",
        runner: Runner::Workloads(svc_suite::workloads),
        peer: "tower",
    },
    Suite {
        name: proxy_suite::NAME,
        runner: Runner::Own(proxy_suite::run),
        peer: proxy_suite::PEERS,
    },
];

/// How every suite of this invocation is run.
#[derive(Debug, Clone, Copy)]
struct Plan {
    /// Rounds per workload.
    rounds: usize,
    /// Workload sizes.
    scale: Scale,
    /// Whether the peer runs on both sides (`--self-check`).
    self_check: bool,
}

impl Plan {
    /// Name of what the "ours" column measures in `suite`.
    fn ours_name(self, suite: &Suite) -> &'static str {
        match (self.self_check, suite.peer == Peer::NAME) {
            (true, _) => suite.peer,
            (false, true) => Ours::NAME,
            (false, false) => "rt-stack",
        }
    }
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1).peekable();
    if argv.next_if(|arg| arg == net::server::SUBCOMMAND).is_some() {
        return net::server::main(argv);
    }
    if argv.next_if(|arg| arg == proxy::backend::SUBCOMMAND).is_some() {
        return proxy::backend::main(argv);
    }
    let args = match args::parse(argv) {
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
    let plan = Plan {
        rounds: args.rounds,
        scale: if args.quick { Scale::Quick } else { Scale::Full },
        self_check: args.self_check,
    };
    let mut ran_any = false;
    for suite in suites {
        let filter = args.filter.as_deref();
        let workloads = match suite.runner {
            Runner::Workloads(workloads) => selected_workloads(workloads, filter, plan),
            Runner::Own(run) => match run(plan, filter) {
                Ok(ran) => {
                    ran_any |= ran;
                    continue;
                }
                Err(error) => {
                    eprintln!("compare: the {} suite failed: {error}", suite.name);
                    return ExitCode::FAILURE;
                }
            },
        };
        if workloads.is_empty() {
            continue;
        }
        ran_any = true;
        if let Err(error) = run_suite(suite, &workloads, plan) {
            eprintln!("compare: cannot write the {} report: {error}", suite.name);
            return ExitCode::FAILURE;
        }
    }
    if !ran_any {
        let filter = args.filter.unwrap_or_default();
        return usage_error(&format!("no workload matches --filter `{filter}`"));
    }
    ExitCode::SUCCESS
}

/// Returns the `workloads` of a suite that `filter` selects, set up as `plan` says.
fn selected_workloads(workloads: fn() -> Vec<Workload>, filter: Option<&str>, plan: Plan) -> Vec<Workload> {
    workloads()
        .into_iter()
        .filter(|workload| match filter {
            Some(filter) => workload.matches(filter),
            None => true,
        })
        .map(|workload| {
            if plan.self_check {
                workload.peer_on_both_sides()
            } else {
                workload
            }
        })
        .collect()
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
fn run_suite(suite: &Suite, workloads: &[Workload], plan: Plan) -> std::io::Result<()> {
    let (ours, peer) = (plan.ours_name(suite), suite.peer);
    eprintln!(
        "suite {}: ours = {ours}, peer = {peer}, {WORKER_THREADS} worker threads each, {} round(s), \
         a fresh runtime per run{}{}",
        suite.name,
        plan.rounds,
        if plan.scale == Scale::Quick {
            ", quick sizes (not a measurement)"
        } else {
            ""
        },
        if plan.self_check {
            ", self-check (the peer on both sides)"
        } else {
            ""
        },
    );
    let rows: Vec<_> = workloads
        .iter()
        .flat_map(|workload| {
            let row_peer = workload.peer.unwrap_or(peer);
            harness::measure(workload, plan.rounds, plan.scale)
                .into_iter()
                .map(move |row| (row, row_peer))
        })
        .collect();
    println!(
        "\n{} (ours = {ours}, ratio = ours / {peer} unless a row names its peer; lower is better for us \
         unless marked)",
        suite.name
    );
    harness::print_table(&rows, peer);
    let file = if plan.self_check {
        format!("{}.self-check.json", suite.name)
    } else {
        format!("{}.json", suite.name)
    };
    let path = harness::report_dir().join(file);
    harness::write_json_named(&path, &rows)?;
    println!("wrote {}", path.display());
    Ok(())
}

/// Returns the names of all suites, comma-separated.
fn suite_names() -> String {
    SUITES.iter().map(|suite| suite.name).collect::<Vec<_>>().join(", ")
}

/// Prints `message`, the usage line and a pointer to `--help` to standard error;
/// returns exit code 2.
fn usage_error(message: &str) -> ExitCode {
    let usage = args::USAGE.lines().next().unwrap_or_default();
    eprintln!("compare: error: {message}\n{usage}\n(`compare --help` for more)");
    ExitCode::from(2)
}
