//! The `proxy` suite: the workspace's proxy against nginx and HAProxy (issue 10).
//!
//! Three proxies run, one at a time, in front of the same backend on loopback: ours
//! (the `proxy` binary; see `proxy/peers.rs` for how it is found), nginx and HAProxy
//! (Debian packages, installed with `apt-get` when missing, with the reference
//! configurations in `proxy/`). Each is a child process (nginx a master and a worker),
//! started fresh for every run and stopped after it, so every figure is its own.
//!
//! # A round
//!
//! 1. **Load runs**, for the direct baseline and each proxy: start the proxy, warm it
//!    up (`wrk` for 1 s), wait 1 s and read its resident set (**RSS at rest**), then
//!    `wrk -t1 -c64 -d10s --latency` through it, reading the CPU time (user + system,
//!    every process of the tree) just before and just after: **CPU per request** is
//!    that time over the requests wrk completed with a success. **Added p50 / p99** is
//!    wrk's p50 / p99 through the proxy minus that of the same round's direct run
//!    (wrk straight to the backend).
//! 2. **Idle runs**, for each proxy: start it, open and close 64 connections, wait,
//!    read its resident set; open 10,000 client connections that each complete one
//!    `GET /` and then idle; wait 1 s, read it again: **RSS per idle connection** is the
//!    growth over 10,000. A proxy that closed any of them before the reading fails the
//!    run. The client sockets live in this process and the proxy's in its own (the
//!    open-file limit, 20,000 on these machines, is per process).
//!
//! The order of the runs rotates every round (direct, ours, nginx, HAProxy; then ours,
//! nginx, HAProxy, direct; …), so no proxy always follows the same one. Every figure is
//! the median of its rounds. Memory is the sum of `VmRSS` over the proxy's processes.
//!
//! # Rows
//!
//! Two per measure, ours against each peer (`cpu_per_req_vs_nginx`,
//! `cpu_per_req_vs_haproxy`, …), each with the goal and whether ours meets it,
//! then a table of absolute medians (requests per second, p50, p99, …) with the direct
//! baseline. A side that cannot run (no proxy binary, a package that cannot be
//! installed, a proxy that fails) is reported as missing (`-`, `null` in the JSON) with
//! the reason on standard error; the others are still measured.
//!
//! `--self-check` puts a second nginx in our slot (an A/A test of the suite, and a way
//! to run it before our proxy exists). `--quick` runs 1 s loads and 200 idle
//! connections. `COMPARE_PROXY_PORT_BASE` moves the ports (default 9000: the backend;
//! nginx +1, HAProxy +2, ours +3 with its admin listener on +4).

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::harness::{report_dir, write_json_named, Scale};
use crate::net::sys;
use crate::proxy::measure::{self, LoadSample, Timing};
use crate::proxy::peers::{self, localhost, Program};
use crate::proxy::process::{Backend, Launch};
use crate::proxy::report::{
    self, median, Phase, Summary, ADDED_P50, ADDED_P99, CPU, HAPROXY, IDLE_CONN, MEASURES, NGINX, OURS, RSS_AT_REST,
    SIDES,
};
use crate::Plan;

/// The suite's name on the command line and of its report.
pub(crate) const NAME: &str = "proxy";
/// What the peer column holds.
pub(crate) const PEERS: &str = "nginx, haproxy";

/// Idle client connections of the idle run at [`Scale::Full`].
const IDLE_CONNECTIONS: usize = 10_000;
/// Idle client connections at [`Scale::Quick`].
const QUICK_IDLE_CONNECTIONS: usize = 200;
/// File descriptors this process needs besides the idle connections.
const SPARE_FILES: u64 = 256;
/// Bytes in a MiB: the unit of the resident sets (the "MB"; its reference
/// figures match MiB).
const MIB: f64 = 1_048_576.0;
/// The default port of the backend; the proxies listen on the next ones.
const DEFAULT_PORT_BASE: u16 = 9_000;

/// Where each side listens, as an offset from the port base: ours, nginx, HAProxy.
const LISTEN_OFFSETS: [u16; SIDES] = [3, 1, 2];
/// Where our admin listener goes, as an offset from the port base.
const ADMIN_OFFSET: u16 = 4;
/// Folder (under the suite's temporary folder) of each side.
const DIR_NAMES: [&str; SIDES] = ["ours", "nginx", "haproxy"];

/// What every round runs: a load run of the direct baseline or of a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// wrk straight to the backend.
    Direct,
    /// wrk through the proxy of this side.
    Proxy(usize),
}

/// Everything the rounds need.
#[derive(Debug)]
struct Setup {
    /// Column names of the sides.
    names: [&'static str; SIDES],
    /// What runs in our slot: the proxy's path, or nginx.
    ours_is: String,
    /// How to start each side; `None` when it cannot run.
    launches: [Option<Launch>; SIDES],
    /// wrk's path, when the load runs happen.
    wrk: Option<String>,
    /// Idle connections per idle run, when the idle runs happen.
    idle_connections: Option<usize>,
    /// The backend's address.
    backend: SocketAddr,
    /// Run lengths.
    timing: Timing,
}

/// Samples of every round, per side; `None` or `NaN` where a run failed.
#[derive(Debug, Default)]
struct Samples {
    /// Load runs of the proxies.
    load: [Vec<Option<LoadSample>>; SIDES],
    /// Load runs of the direct baseline.
    direct: Vec<Option<LoadSample>>,
    /// Bytes per idle connection.
    idle: [Vec<f64>; SIDES],
}

/// Runs the suite as `plan` says, on the rows `filter` selects; prints its tables and
/// writes `target/compare/proxy.json` (or `proxy.self-check.json`). Returns `false`
/// when no row matches `filter`.
///
/// # Errors
///
/// Fails when `COMPARE_PROXY_PORT_BASE` is not a port, the backend cannot start, or
/// the report cannot be written. A proxy that cannot run only leaves its rows empty.
pub(crate) fn run(plan: Plan, filter: Option<&str>) -> io::Result<bool> {
    let wants = |phase| {
        MEASURES
            .iter()
            .any(|measure| measure.phase == phase && measure.matches(filter))
    };
    let (load, idle) = (wants(Phase::Load), wants(Phase::Idle));
    if !load && !idle {
        return Ok(false);
    }
    let run_root = std::env::temp_dir().join(format!("compare-proxy-{}", std::process::id()));
    let setup = prepare(plan, load, idle, &run_root)?;
    let mut backend = Backend::start(setup.backend)
        .map_err(|error| io::Error::other(format!("cannot start the backend on {}: {error}", setup.backend)))?;
    let mut samples = Samples::default();
    for round in 0..plan.rounds {
        run_round(&setup, &mut backend, &mut samples, round, plan.rounds);
    }
    drop(backend);
    let _ = std::fs::remove_dir_all(&run_root);
    let summary = summarize(&samples);
    let rows = summary.rows(filter, setup.names);
    println!(
        "\n{NAME} (ours = {}; ratio = ours / peer; lower is better; goal = issue 10's)",
        setup.ours_is
    );
    report::print_rows(&rows);
    println!();
    report::print_absolute(&summary, setup.names);
    let file = if plan.self_check {
        format!("{NAME}.self-check.json")
    } else {
        format!("{NAME}.json")
    };
    let path = report_dir().join(file);
    let named: Vec<_> = rows.iter().map(|(row, peer, _)| (*row, peer.as_str())).collect();
    write_json_named(&path, &named)?;
    println!("wrote {}", path.display());
    Ok(true)
}

/// Finds (or installs) the proxies and wrk, checks the open-file limit, and prints
/// what will run and what is skipped, and why.
fn prepare(plan: Plan, load: bool, idle: bool, run_root: &Path) -> io::Result<Setup> {
    let base = port_base()?;
    let backend = localhost(base);
    let [nginx, haproxy, wrk] =
        <[_; 3]>::try_from(peers::find_or_install(&["nginx", "haproxy", "wrk"])).expect("one result per program");
    let ours = if plan.self_check {
        nginx.clone().map(Program::Nginx)
    } else {
        peers::ours()
    };
    let names = [if plan.self_check { "nginx-a/a" } else { "ours" }, "nginx", "haproxy"];
    let ours_is = match &ours {
        Ok(Program::Ours(path, _)) => path.display().to_string(),
        Ok(_) => "a second nginx (--self-check)".to_owned(),
        Err(_) => "missing".to_owned(),
    };
    let mut skipped = Vec::new();
    let programs = [ours, nginx.map(Program::Nginx), haproxy.map(Program::Haproxy)];
    let launches = std::array::from_fn(|side| match &programs[side] {
        Ok(program) => Some(launch(program, side, base, run_root)),
        Err(reason) => {
            skipped.push(format!("{} rows skipped: {reason}", names[side]));
            None
        }
    });
    let wrk = match wrk {
        Ok(path) if load => Some(path.display().to_string()),
        Ok(_) => None,
        Err(reason) if load => {
            skipped.push(format!("load rows skipped: {reason}"));
            None
        }
        Err(_) => None,
    };
    let idle_connections = match idle.then(|| idle_connections(plan.scale)) {
        Some(Ok(connections)) => Some(connections),
        Some(Err(reason)) => {
            skipped.push(format!("idle rows skipped: {reason}"));
            None
        }
        None => None,
    };
    let timing = timing(plan.scale);
    eprintln!(
        "suite {NAME}: ours = {ours_is}, peers = nginx, haproxy; backend {backend} (single-threaded epoll); \
         load wrk -t1 -c64 -d{}s --latency after a {} s warm-up; {} idle connections; {} round(s){}",
        timing.load.as_secs(),
        timing.warm_up.as_secs(),
        idle_connections.map_or_else(|| "no".to_owned(), |count| count.to_string()),
        plan.rounds,
        if plan.scale == Scale::Quick {
            ", quick sizes (not a measurement)"
        } else {
            ""
        },
    );
    for reason in skipped {
        eprintln!("  {reason}");
    }
    Ok(Setup {
        names,
        ours_is,
        launches,
        wrk,
        idle_connections,
        backend,
        timing,
    })
}

/// Returns how to start `program` in the slot `side`: its ports from `base`, its
/// folder under `run_root`.
fn launch(program: &Program, side: usize, base: u16, run_root: &Path) -> Launch {
    let listen = localhost(base + LISTEN_OFFSETS[side]);
    let admin = localhost(base + ADMIN_OFFSET);
    program.launch(localhost(base), listen, admin, &run_root.join(DIR_NAMES[side]))
}

/// Returns the port base: `COMPARE_PROXY_PORT_BASE`, else 9000.
fn port_base() -> io::Result<u16> {
    match std::env::var("COMPARE_PROXY_PORT_BASE") {
        Err(_) => Ok(DEFAULT_PORT_BASE),
        Ok(text) => text
            .parse::<u16>()
            .ok()
            .filter(|base| base.checked_add(ADMIN_OFFSET).is_some())
            .ok_or_else(|| io::Error::other(format!("COMPARE_PROXY_PORT_BASE is not a usable port: `{text}`"))),
    }
}

/// Returns the run lengths at `scale`.
fn timing(scale: Scale) -> Timing {
    match scale {
        Scale::Full => Timing {
            load: Duration::from_secs(10),
            warm_up: Duration::from_secs(1),
            settle: Duration::from_secs(1),
        },
        Scale::Quick => Timing {
            load: Duration::from_secs(1),
            warm_up: Duration::from_secs(1),
            settle: Duration::from_millis(200),
        },
    }
}

/// Returns the idle connections of an idle run at `scale`, after raising this
/// process's open-file limit (the proxies inherit it); the reason when the limit is too
/// low.
fn idle_connections(scale: Scale) -> Result<usize, String> {
    let connections = match scale {
        Scale::Full => IDLE_CONNECTIONS,
        Scale::Quick => QUICK_IDLE_CONNECTIONS,
    };
    let needed = connections as u64 + SPARE_FILES;
    match sys::raise_open_file_limit() {
        Ok(limit) if limit >= needed => Ok(connections),
        Ok(limit) => Err(format!("the open-file limit is {limit}; {needed} needed")),
        Err(error) => Err(format!("cannot read or raise the open-file limit: {error}")),
    }
}

/// Runs round `round`: the load runs, then the idle runs, each in this round's order.
fn run_round(setup: &Setup, backend: &mut Backend, samples: &mut Samples, round: usize, rounds: usize) {
    let label = |name: &str| format!("  round {}/{rounds} {name:<9}", round + 1);
    if let Some(wrk) = &setup.wrk {
        let mut targets = [
            Target::Direct,
            Target::Proxy(OURS),
            Target::Proxy(NGINX),
            Target::Proxy(HAPROXY),
        ];
        let count = targets.len();
        targets.rotate_left(round % count);
        samples.direct.push(None);
        for side in 0..SIDES {
            samples.load[side].push(None);
        }
        for target in targets {
            let sample = load_run(setup, backend, wrk, target, &label);
            match target {
                Target::Direct => *samples.direct.last_mut().expect("pushed above") = sample,
                Target::Proxy(side) => *samples.load[side].last_mut().expect("pushed above") = sample,
            }
        }
    }
    if let Some(connections) = setup.idle_connections {
        let mut sides = [OURS, NGINX, HAPROXY];
        sides.rotate_left(round % SIDES);
        for side in sides {
            if let Some(launch) = &setup.launches[side] {
                let name = label(setup.names[side]);
                samples.idle[side].push(idle_run(launch, connections, setup.timing, &name));
            }
        }
    }
}

/// Runs the load run of `target` and prints its line, labelled by `label`; `None` when
/// the side cannot run or the run failed (the reason printed).
fn load_run(
    setup: &Setup,
    backend: &mut Backend,
    wrk: &str,
    target: Target,
    label: &dyn Fn(&str) -> String,
) -> Option<LoadSample> {
    let (name, result) = match target {
        Target::Direct => (
            "direct",
            measure::load_direct(backend, setup.backend, wrk, setup.timing),
        ),
        Target::Proxy(side) => (
            setup.names[side],
            measure::load_proxy(setup.launches[side].as_ref()?, backend, wrk, setup.timing),
        ),
    };
    match result {
        Ok(sample) => {
            eprintln!("{} {}", label(name), describe_load(&sample));
            Some(sample)
        }
        Err(reason) => {
            eprintln!("{} failed: {reason}", label(name));
            None
        }
    }
}

/// Runs the idle run of `launch` and prints its line, starting with `label`; returns
/// bytes per connection, `NaN` when the run failed (the reason printed).
fn idle_run(launch: &Launch, connections: usize, timing: Timing, label: &str) -> f64 {
    match measure::idle_bytes(launch, connections, timing) {
        Ok(bytes) => {
            eprintln!("{label} {bytes:.0} bytes per idle connection ({connections})");
            bytes
        }
        Err(reason) => {
            eprintln!("{label} idle run failed: {reason}");
            f64::NAN
        }
    }
}

/// Describes a load run for the progress lines.
fn describe_load(sample: &LoadSample) -> String {
    let report = &sample.report;
    let mut text = format!(
        "{:.0} req/s, p50 {:.3} ms, p99 {:.3} ms",
        report.rate, report.p50_ms, report.p99_ms
    );
    if sample.cpu_us_per_req.is_finite() {
        text.push_str(&format!(
            ", {:.2} us CPU/req, {:.1} MiB at rest ({:.1} MiB before the warm-up)",
            sample.cpu_us_per_req,
            sample.rss_at_rest / MIB,
            sample.rss_fresh / MIB
        ));
    }
    text
}

/// Reduces the samples to medians.
fn summarize(samples: &Samples) -> Summary {
    let mut values = [[f64::NAN; SIDES]; MEASURES.len()];
    let mut proxies = [[f64::NAN; 4]; SIDES];
    let field = |runs: &[Option<LoadSample>], get: fn(&LoadSample) -> f64| {
        median(runs.iter().map(|run| run.as_ref().map_or(f64::NAN, get)))
    };
    let added = |runs: &[Option<LoadSample>], get: fn(&LoadSample) -> f64| {
        median(
            runs.iter()
                .zip(&samples.direct)
                .map(|(run, direct)| match (run, direct) {
                    (Some(run), Some(direct)) => get(run) - get(direct),
                    _ => f64::NAN,
                }),
        )
    };
    let rate: fn(&LoadSample) -> f64 = |sample| sample.report.rate;
    let p50: fn(&LoadSample) -> f64 = |sample| sample.report.p50_ms;
    let p99: fn(&LoadSample) -> f64 = |sample| sample.report.p99_ms;
    for side in 0..SIDES {
        let runs = &samples.load[side];
        values[CPU][side] = field(runs, |sample| sample.cpu_us_per_req);
        values[ADDED_P50][side] = added(runs, p50);
        values[ADDED_P99][side] = added(runs, p99);
        values[RSS_AT_REST][side] = field(runs, |sample| sample.rss_at_rest / MIB);
        values[IDLE_CONN][side] = median(samples.idle[side].iter().map(|bytes| bytes / 1024.0));
        let fresh = field(runs, |sample| sample.rss_fresh / MIB);
        proxies[side] = [field(runs, rate), field(runs, p50), field(runs, p99), fresh];
    }
    let direct = &samples.direct;
    Summary {
        values,
        proxies,
        direct: [field(direct, rate), field(direct, p50), field(direct, p99)],
    }
}
