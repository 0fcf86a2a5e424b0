//! The one-command demo: three backends, the proxy in front of them, and a load generator,
//! all in this process on one `rt-sched` runtime.
//!
//! ```sh
//! cargo run --release -p examples --bin demo            # 25 s, 32 clients
//! cargo run --release -p examples --bin demo -- --help
//! ```
//!
//! The backends are HTTP/1.1 servers built with `svc-http`: `fast` (~1 ms), `slow`
//! (20–50 ms) and `flaky` (~1 ms), which fails from 40 % to 60 % of the run (first
//! `503`s, then connection resets) and recovers. The proxy (`examples::proxy`, HTTP mode)
//! balances over them; the clients send `GET /` through it back to back. The demo prints
//! a progress line per second, then a table (requests, rate, latency percentiles, the
//! errors the client saw, the proxy's retries, each backend's share before / during /
//! after the failure window and its state per second), and writes a latency-over-time
//! chart (SVG).
//!
//! With the defaults the client should see no errors: the proxy retries the failed
//! idempotent requests on another backend and stops sending to the failing one. The
//! table shows any error the client saw, by kind, and when.
#![forbid(unsafe_code)]

mod backend;
mod chart;
mod cli;
mod clock;
mod histogram;
mod load;
mod progress;
mod report;
mod resetting;
mod schedule;
mod timeline;

use std::io;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use examples::proxy::{Config, Mode, Proxy};
use rt_sched::task::JoinSet;

use crate::backend::Backend;
use crate::cli::Args;
use crate::clock::Clock;
use crate::load::Load;
use crate::report::Report;
use crate::schedule::Schedule;

fn main() -> ExitCode {
    let args = Args::parse();
    let result = rt_sched::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("demo-worker")
        .enable_all()
        .build()
        .and_then(|rt| rt.block_on(run(&args)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the demo: starts everything, watches the load, reports.
async fn run(args: &Args) -> io::Result<()> {
    let schedule = Schedule::new(Duration::from_secs(args.duration));
    let clock = Clock::start();
    let mut servers = JoinSet::new();
    let backends = backend::start_all(clock, schedule, &mut servers).await?;
    let proxy = start_proxy(&backends).await?;
    print_banner(args, &backends, &proxy, schedule);

    let load = Load::start(proxy.local_addr(), args.clients, clock, schedule.duration);
    let timeline = progress::watch(&proxy, &backends, load.live(), clock, schedule).await;
    let samples = load.join().await?;
    let elapsed = clock.elapsed().min(schedule.duration);
    let snapshot = proxy.snapshot();
    proxy.shutdown().await;
    servers.abort_all();

    let report = Report {
        samples: &samples,
        elapsed,
        clients: args.clients,
        schedule,
        backends: &backends,
        timeline: &timeline,
        proxy: &snapshot,
    };
    report.print();
    chart::write(&args.out, &samples, schedule)?;
    println!("chart: {}", args.out.display());
    Ok(())
}

/// Starts the proxy in HTTP mode in front of the backends.
async fn start_proxy(backends: &[Backend]) -> io::Result<Proxy> {
    let mut config = Config::new(([127, 0, 0, 1], 0).into());
    config.backends = backends.iter().map(|backend| backend.addr).collect();
    config.mode = Mode::Http;
    Proxy::start(config).await
}

/// What runs where, and when the flaky backend fails.
fn print_banner(args: &Args, backends: &[Backend], proxy: &Proxy, schedule: Schedule) {
    println!(
        "rt-stack demo: {} clients -> proxy {} -> 3 backends, for {} s",
        args.clients,
        proxy.local_addr(),
        args.duration
    );
    for backend in backends {
        println!(
            "  {:<6} {:<15}  {}",
            backend.kind.name(),
            backend.addr.to_string(),
            backend.kind.describe(&schedule)
        );
    }
    println!();
}
