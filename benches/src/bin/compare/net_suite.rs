//! The `net` suite: TCP servers and timers, each side on its own runtime and sockets.
//!
//! Every workload is one generic function over [`NetRuntime`], instantiated by `both!`
//! for rt-sched with `rt_net` / `rt_core::time` and for tokio with `tokio::net` /
//! `tokio::time`.
//!
//! The TCP workloads run the server in a child process ([`Server`]: `compare` started
//! again with a hidden subcommand, see `net/server.rs`) and the load in this process,
//! so the server's CPU time (`utime + stime` of `/proc/<pid>/stat`, every thread) and
//! resident set (`VmRSS` of `/proc/<pid>/status`) are the server's alone. The CPU time
//! is read just before the load starts and just after it ends; connection set-up and
//! tear-down inside that window count, runtime start-up does not. On these 2-core
//! machines the load generator and the server share the cores, so the load generator is
//! the bottleneck and requests per second would say little: the rows are server CPU per
//! request or message, and server memory per connection.
//!
//! `http_hello_vs_bare_c_*` put the bare C epoll server (`net/bare_http.c`, compiled once
//! per run by `net/bare.rs`) in the peer's place, under the same load and measure as
//! `http_hello_cpu_per_req`: the floor our HTTP server is held against.
//!
//! `timers` runs in this process, in a root task on a worker, like the other suites.

use std::pin::pin;
use std::time::{Duration, Instant};

use crate::harness::{per_op, Better, Metric, Scale, Workload};
use crate::net::bare;
use crate::net::load::{self, HelloLoad};
use crate::net::process::{Server, Stats};
use crate::net::server::Kind;
use crate::net::sys;
use crate::runtimes::{fresh, on_worker, NetRuntime, Ours, Peer, TimerRuntime};

/// How long the hello and echo loads run at [`Scale::Full`].
const LOAD_DURATION: Duration = Duration::from_secs(3);
/// How long they run at [`Scale::Quick`] (wrk's shortest run).
const QUICK_LOAD_DURATION: Duration = Duration::from_secs(1);
/// Size of an echo message.
const ECHO_MESSAGE_SIZE: usize = 1_024;
/// Idle connections of `idle_conn_bytes`.
const IDLE_CONNECTIONS: usize = 10_000;
/// Connections opened and closed before `idle_conn_bytes` reads its baseline, so that
/// code paths and lazily built runtime state are in place.
const WARM_UP_CONNECTIONS: usize = 64;
/// How long `idle_conn_bytes` waits after the last handler started before it reads the
/// server's memory.
const SETTLE: Duration = Duration::from_millis(100);
/// How long `idle_conn_bytes` waits for every handler to start.
const IDLE_DEADLINE: Duration = Duration::from_secs(60);
/// Connections of `accept_burst`.
const BURST_CONNECTIONS: usize = 10_000;
/// Timers of `timers`.
const TIMERS: usize = 1_000_000;
/// File descriptors a process needs besides its connections.
const SPARE_FILES: u64 = 256;

/// The peer of `http_hello_vs_bare_c_*`, in the report.
const BARE_C: &str = "bare C epoll";

/// The message every echo client sends.
static ECHO_MESSAGE: [u8; ECHO_MESSAGE_SIZE] = [b'x'; ECHO_MESSAGE_SIZE];

/// Instantiates a generic workload function for `[ours, peer]`.
macro_rules! both {
    ($run:ident) => {
        [$run::<Ours>, $run::<Peer>]
    };
}

/// Returns the workloads of the suite, in report order.
pub(crate) fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            metrics: &[Metric {
                name: "tcp_hello_cpu_per_req",
                unit: "server CPU us/req",
                better: Better::Lower,
            }],
            runs: both!(tcp_hello),
            peer: None,
        },
        Workload {
            metrics: &[
                Metric {
                    name: "http_hello_cpu_per_req",
                    unit: "server CPU us/req",
                    better: Better::Lower,
                },
                Metric {
                    name: "http_hello_p50",
                    unit: "ms",
                    better: Better::Lower,
                },
                Metric {
                    name: "http_hello_p99",
                    unit: "ms",
                    better: Better::Lower,
                },
            ],
            runs: both!(http_hello),
            peer: None,
        },
        // The same run, with the bare C epoll server (`net/bare_http.c`) in the peer's
        // place: the floor the issue holds ours against (ratio <= 1.10).
        Workload {
            metrics: &[
                Metric {
                    name: "http_hello_vs_bare_c_cpu_per_req",
                    unit: "server CPU us/req",
                    better: Better::Lower,
                },
                Metric {
                    name: "http_hello_vs_bare_c_p50",
                    unit: "ms",
                    better: Better::Lower,
                },
                Metric {
                    name: "http_hello_vs_bare_c_p99",
                    unit: "ms",
                    better: Better::Lower,
                },
            ],
            runs: [http_hello_vs_bare_ours, http_hello_bare_c],
            peer: Some(BARE_C),
        },
        Workload {
            metrics: &[
                Metric {
                    name: "tcp_echo",
                    unit: "msg/server CPU s",
                    better: Better::Higher,
                },
                Metric {
                    name: "tcp_echo_cpu_per_msg",
                    unit: "server CPU us/msg",
                    better: Better::Lower,
                },
            ],
            runs: both!(tcp_echo),
            peer: None,
        },
        Workload {
            metrics: &[
                Metric {
                    name: "idle_conn_bytes",
                    unit: "RSS bytes/conn",
                    better: Better::Lower,
                },
                Metric {
                    name: "idle_conn_heap_bytes",
                    unit: "heap bytes/conn",
                    better: Better::Lower,
                },
            ],
            runs: both!(idle_conn_bytes),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "accept_burst",
                unit: "ms",
                better: Better::Lower,
            }],
            runs: both!(accept_burst),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "timers",
                unit: "ns/timer",
                better: Better::Lower,
            }],
            runs: both!(timers),
            peer: None,
        },
    ]
}

/// Returns how long the hello and echo loads run.
fn load_duration(scale: Scale) -> Duration {
    match scale {
        Scale::Full => LOAD_DURATION,
        Scale::Quick => QUICK_LOAD_DURATION,
    }
}

/// Starts a server of `kind` on `R` in a child process.
///
/// # Panics
///
/// Panics when it cannot be started: there is nothing to measure then.
fn start<R: NetRuntime>(kind: Kind, target: usize) -> Server {
    Server::start(R::NAME, kind, target).unwrap_or_else(|error| panic!("starting the {} server: {error}", R::NAME))
}

/// Runs `load` against `server` and returns its result with the server CPU time it
/// cost.
fn with_server_cpu<T>(server: &Server, load: impl FnOnce() -> T) -> (T, Duration) {
    let before = server.cpu_time().expect("reading the server's CPU time");
    let result = load();
    let after = server.cpu_time().expect("reading the server's CPU time");
    (result, after.saturating_sub(before))
}

/// The hello-world server under [`HelloLoad`] (wrk, else the closed-loop client) for
/// 3 seconds. Yields server CPU µs per request.
fn tcp_hello<R: NetRuntime>(scale: Scale) -> Vec<f64> {
    let load = HelloLoad::get();
    let server = start::<R>(Kind::Hello, 0);
    let (requests, cpu) = with_server_cpu(&server, || load.run(server.addr(), load_duration(scale)));
    drop(server);
    let requests = requests.expect("loading the hello server");
    eprint_load::<R>(requests, "requests", scale, cpu);
    vec![micros(cpu) / requests as f64]
}

/// Each side's HTTP/1.1 hello-world server (svc-http on rt-sched, hyper on tokio; see
/// `net/http.rs`) under `wrk -t1 -c64 --latency` for 3 seconds. Yields server CPU µs per
/// request and wrk's p50 and p99 latency. Without wrk, the closed-loop client measures
/// the CPU row and the latency rows are not available (reported as NaN).
fn http_hello<R: NetRuntime>(scale: Scale) -> Vec<f64> {
    http_load(&start::<R>(Kind::Http, 0), R::NAME, scale)
}

/// Loads the HTTP hello server `server` (named `name` in the progress line) as
/// [`http_hello`] describes and returns its three values.
fn http_load(server: &Server, name: &str, scale: Scale) -> Vec<f64> {
    let duration = load_duration(scale);
    let (run, cpu) = with_server_cpu(server, || match HelloLoad::get() {
        HelloLoad::Wrk => load::wrk_latency(server.addr(), duration),
        HelloLoad::ClosedLoop => load::closed_loop_http(server.addr(), duration).map(|requests| load::WrkRun {
            requests,
            p50_ms: f64::NAN,
            p99_ms: f64::NAN,
        }),
    });
    let run = run.expect("loading the HTTP hello server");
    eprint_load_named(name, run.requests, "requests", scale, cpu);
    vec![micros(cpu) / run.requests as f64, run.p50_ms, run.p99_ms]
}

/// Our side of `http_hello_vs_bare_c_*`: [`http_hello`] on rt-sched, run again so that
/// it alternates with the bare C server; skipped (NaN) when that server cannot run.
fn http_hello_vs_bare_ours(scale: Scale) -> Vec<f64> {
    match bare_skip_reason() {
        Some(reason) => skip_bare(&reason),
        None => http_hello::<Ours>(scale),
    }
}

/// The peer side of `http_hello_vs_bare_c_*`: the bare C epoll server
/// (`net/bare_http.c`) under the same load and measure as [`http_hello`]. Skipped (NaN)
/// without wrk or a C compiler.
fn http_hello_bare_c(scale: Scale) -> Vec<f64> {
    if let Some(reason) = bare_skip_reason() {
        return skip_bare(&reason);
    }
    let program = bare::program().expect("checked by bare_skip_reason");
    let server = Server::start_program(program).unwrap_or_else(|error| panic!("starting the bare C server: {error}"));
    http_load(&server, BARE_C, scale)
}

/// Returns why `http_hello_vs_bare_c_*` cannot run, if it cannot: it needs wrk (the
/// closed-loop client is not the load the figures come from) and the compiled
/// bare server.
fn bare_skip_reason() -> Option<String> {
    if HelloLoad::get() != HelloLoad::Wrk {
        return Some("wrk is not installed".to_owned());
    }
    bare::program().err().map(str::to_owned)
}

/// Prints that `http_hello_vs_bare_c_*` is skipped and returns its NaN values.
fn skip_bare(reason: &str) -> Vec<f64> {
    eprintln!("  http_hello_vs_bare_c: skipped: {reason}");
    vec![f64::NAN; 3]
}

/// 64 connections ([`load::CLIENT_THREADS`] threads × [`load::CONNECTIONS_PER_THREAD`])
/// each echo 1 KiB messages in a closed loop for 3 seconds. Yields messages per server
/// CPU second and server CPU µs per message.
fn tcp_echo<R: NetRuntime>(scale: Scale) -> Vec<f64> {
    let server = start::<R>(Kind::Echo, 0);
    let (messages, cpu) = with_server_cpu(&server, || {
        load::closed_loop(server.addr(), load_duration(scale), &ECHO_MESSAGE, &ECHO_MESSAGE)
    });
    drop(server);
    let messages = messages.expect("loading the echo server");
    eprint_load::<R>(messages, "messages", scale, cpu);
    let messages = messages as f64;
    vec![messages / cpu.as_secs_f64(), micros(cpu) / messages]
}

/// The server spawns a task per connection that waits for readability (the idle
/// handler of `net/server.rs`); the client opens 10,000 connections and sends nothing.
/// Once every handler waits, yields the growth of the server's resident set and of its
/// live heap bytes, per connection.
///
/// Before the baseline the server accepts and closes a few connections (warm-up) and
/// hands its free heap pages back to the OS.
fn idle_conn_bytes<R: NetRuntime>(scale: Scale) -> Vec<f64> {
    let connections = scale.size(IDLE_CONNECTIONS);
    if let Err(reason) = check_open_file_limit(connections) {
        eprintln!("  idle_conn_bytes: skipped: {reason}");
        return vec![f64::NAN, f64::NAN];
    }
    let mut server = start::<R>(Kind::Idle, 0);
    drop(
        load::open_connections(server.addr(), WARM_UP_CONNECTIONS)
            .finish()
            .expect("warm-up connections"),
    );
    wait_until_accepted(&mut server, WARM_UP_CONNECTIONS);
    std::thread::sleep(SETTLE);
    server.trim().expect("trimming the server's heap");
    let before = memory(&mut server);
    let clients = load::open_connections(server.addr(), connections)
        .finish()
        .expect("opening the idle connections");
    wait_until_waiting(&mut server, before.waiting + connections);
    std::thread::sleep(SETTLE);
    let after = memory(&mut server);
    drop(server);
    drop(clients);
    let per_connection = |before: f64, after: f64| (after - before) / connections as f64;
    vec![
        per_connection(before.rss_bytes, after.rss_bytes),
        per_connection(before.heap_bytes, after.heap_bytes),
    ]
}

/// The server's memory, and how many idle handlers wait.
#[derive(Debug, Clone, Copy)]
struct Memory {
    /// Resident set size.
    rss_bytes: f64,
    /// Live heap bytes.
    heap_bytes: f64,
    /// Idle handlers waiting.
    waiting: usize,
}

/// Reads the server's resident set and asks it for its live heap bytes.
fn memory(server: &mut Server) -> Memory {
    let rss_bytes = server.rss_bytes().expect("the server's RSS") as f64;
    let stats = server.stats().expect("the server's stats");
    Memory {
        rss_bytes,
        heap_bytes: stats.heap_bytes as f64,
        waiting: stats.waiting,
    }
}

/// Polls `server` until it has accepted `count` connections.
///
/// # Panics
///
/// Panics after [`IDLE_DEADLINE`].
fn wait_until_accepted(server: &mut Server, count: usize) {
    poll_stats(server, |stats| stats.accepted >= count, "accepted connections");
}

/// Polls `server` until `count` idle handlers wait.
///
/// # Panics
///
/// Panics after [`IDLE_DEADLINE`].
fn wait_until_waiting(server: &mut Server, count: usize) {
    poll_stats(server, |stats| stats.waiting >= count, "waiting handlers");
}

/// Asks `server` for its stats every millisecond until `done` holds.
///
/// # Panics
///
/// Panics after [`IDLE_DEADLINE`], naming `what` did not reach its count.
fn poll_stats(server: &mut Server, done: impl Fn(&Stats) -> bool, what: &str) {
    let deadline = Instant::now() + IDLE_DEADLINE;
    loop {
        let stats = server.stats().expect("the server's stats");
        if done(&stats) {
            return;
        }
        assert!(Instant::now() < deadline, "too few {what}: {stats:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Client threads open 10,000 connections as fast as they can; the server accepts and
/// keeps them. Yields the milliseconds from the first connect to the server's last
/// accept, and prints how many times a listen queue overflowed meanwhile (every
/// overflow costs a client a retransmission a second later).
fn accept_burst<R: NetRuntime>(scale: Scale) -> Vec<f64> {
    let connections = scale.size(BURST_CONNECTIONS);
    if let Err(reason) = check_open_file_limit(connections) {
        eprintln!("  accept_burst: skipped: {reason}");
        return vec![f64::NAN];
    }
    let mut server = start::<R>(Kind::Accept, connections);
    let overflows_before = load::listen_overflows();
    let start = Instant::now();
    let clients = load::open_connections(server.addr(), connections);
    server.wait_for("done").expect("the server's last accept");
    let elapsed = start.elapsed();
    let overflows = load::listen_overflows()
        .zip(overflows_before)
        .map(|(after, before)| after - before);
    drop(server);
    drop(clients.finish().expect("opening the burst's connections"));
    eprintln!(
        "    {}: {connections} accepted in {:.0} ms, {} listen-queue overflows (system-wide count)",
        R::NAME,
        elapsed.as_secs_f64() * 1e3,
        overflows.map_or_else(|| "?".to_owned(), |count| count.to_string()),
    );
    vec![elapsed.as_secs_f64() * 1e3]
}

/// A root task on a worker creates 1,000,000 `sleep` timers one after the other, with
/// deadlines from 1 ms to about an hour (spread evenly over powers of two, so every
/// level of a hierarchical wheel gets its share), polls each once so that it registers
/// with the timer driver, and drops it (cancels it). Yields ns per timer.
fn timers<R: TimerRuntime>(scale: Scale) -> Vec<f64> {
    let count = scale.size(TIMERS);
    let runtime = fresh::<R>();
    let elapsed = on_worker(&runtime, async move {
        let start = Instant::now();
        for index in 0..count {
            let mut sleep = pin!(R::sleep(timer_deadline(index)));
            let _ = futures::poll!(sleep.as_mut());
        }
        start.elapsed()
    });
    drop(runtime);
    vec![per_op(elapsed, count)]
}

/// Returns the delay of timer `index` of `timers`: in `[2^k, 2^(k+1))` ms with `k`
/// cycling through 0..22, spread inside the range by a multiplicative hash.
fn timer_deadline(index: usize) -> Duration {
    const OCTAVES: usize = 22;
    let octave = index % OCTAVES;
    let base = 1u64 << octave;
    let offset = (index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
    Duration::from_millis(base + offset % base)
}

/// Raises the open-file limit of this process (the server raises its own) and checks
/// both can hold `connections` sockets.
fn check_open_file_limit(connections: usize) -> Result<(), String> {
    let needed = connections as u64 + SPARE_FILES;
    match sys::raise_open_file_limit() {
        Ok(limit) if limit >= needed => Ok(()),
        Ok(limit) => Err(format!(
            "the open-file limit is {limit} and cannot be raised; {needed} needed"
        )),
        Err(error) => Err(format!("cannot read or raise the open-file limit: {error}")),
    }
}

/// Prints how much load a run served and what it cost the server, to standard error:
/// CPU per request falls as the load rises (more events per wake-up), so a CPU figure
/// means most next to the load it was measured at.
fn eprint_load<R: NetRuntime>(count: u64, what: &str, scale: Scale, cpu: Duration) {
    eprint_load_named(R::NAME, count, what, scale, cpu);
}

/// [`eprint_load`] for a server named `name`.
fn eprint_load_named(name: &str, count: u64, what: &str, scale: Scale, cpu: Duration) {
    let seconds = load_duration(scale).as_secs_f64();
    eprintln!(
        "    {name}: {count} {what} in {seconds:.0} s ({:.0}/s), {:.2} s server CPU",
        count as f64 / seconds,
        cpu.as_secs_f64()
    );
}

/// Returns `duration` in microseconds.
fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_deadlines_span_1_ms_to_an_hour() {
        let deadlines: Vec<Duration> = (0..1_000).map(timer_deadline).collect();
        assert_eq!(deadlines.iter().min(), Some(&Duration::from_millis(1)));
        let longest = *deadlines.iter().max().unwrap();
        assert!(longest >= Duration::from_secs(2_000) && longest < Duration::from_secs(4_200));
    }
}
