//! The server side of the `net` suite: a child process running one side's runtime.
//!
//! `compare` re-executes itself as `compare __net-server RUNTIME KIND TARGET`, so that
//! the server's CPU time and memory can be read from `/proc/<pid>` without the load
//! generator's (which runs in the parent). The child builds a fresh runtime (multi-thread,
//! 2 workers, every driver enabled), binds a listener on `127.0.0.1:0` from a task on a
//! worker, prints `ready ADDR`, and serves every connection with the handler of `KIND`.
//! The handlers are generic over [`Stream`], so both sides run the same source with the
//! same buffer sizes; only the runtime and socket types differ.
//!
//! # Protocol
//!
//! One line per message. The child writes to standard output:
//!
//! - `ready ADDR` once the listener is bound;
//! - `done` once `TARGET` connections have been accepted (kind `accept` only);
//! - `stats ACCEPTED WAITING HEAP` in answer to `stats`: connections accepted, idle
//!   handlers that have started waiting, and the live heap bytes of the child (from the
//!   counting allocator);
//! - `trimmed` in answer to `trim`, after handing free heap pages back to the OS.
//!
//! It reads commands from standard input and exits as soon as standard input closes, so
//! a parent that drops the child's stdin (or dies) never leaves a server behind.

use std::io::{self, BufRead as _};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use crate::alloc::{live_bytes, release_free_memory};
use crate::net::sys;
use crate::runtimes::{fresh, on_worker, Listener, NetRuntime, Ours, Peer, Runtime, Stream};

/// First argument that makes `compare` run as a `net` server.
pub(crate) const SUBCOMMAND: &str = "__net-server";

/// The fixed HTTP/1.1 response of the hello-world server: 78 bytes, keep-alive.
pub(crate) const HELLO_RESPONSE: &[u8; 78] =
    b"HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\nHello World!\n";

/// Size of the per-connection buffer of the hello and echo handlers.
const BUFFER_SIZE: usize = 4_096;

/// Size of the stack buffer the idle handler reads into once readable; it is not held
/// across an await, so it is not part of the task.
const IDLE_READ_SIZE: usize = 64;

/// Connections accepted so far.
static ACCEPTED: AtomicUsize = AtomicUsize::new(0);

/// Idle handlers that have started waiting for their first byte.
static WAITING: AtomicUsize = AtomicUsize::new(0);

/// What a server does with its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Answer each request (up to `\r\n\r\n`) with [`HELLO_RESPONSE`], keep-alive.
    Hello,
    /// Write back whatever arrives.
    Echo,
    /// Wait for readability, read into a small stack buffer, until the peer closes.
    Idle,
    /// Keep the accepted sockets without serving them; say `done` at the target count.
    Accept,
    /// Answer HTTP/1.1 requests with each side's own HTTP stack (see `net/http.rs`).
    Http,
}

impl Kind {
    /// Every kind, for parsing.
    const ALL: [Kind; 5] = [Kind::Hello, Kind::Echo, Kind::Idle, Kind::Accept, Kind::Http];

    /// The kind's name on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Hello => "hello",
            Kind::Echo => "echo",
            Kind::Idle => "idle",
            Kind::Accept => "accept",
            Kind::Http => "http",
        }
    }

    /// Returns the kind called `name`, if any.
    fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

/// Runs the server the arguments after [`SUBCOMMAND`] describe: `RUNTIME KIND TARGET`.
/// Returns only on a bad command line or a failed start; a running server ends the
/// process when its standard input closes.
pub(crate) fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let args: Vec<String> = args.collect();
    let [runtime, kind, target] = args.as_slice() else {
        eprintln!("compare {SUBCOMMAND}: expected RUNTIME KIND TARGET, got {args:?}");
        return ExitCode::from(2);
    };
    let Some(kind) = Kind::parse(kind) else {
        eprintln!("compare {SUBCOMMAND}: unknown kind `{kind}`");
        return ExitCode::from(2);
    };
    let Ok(target) = target.parse::<usize>() else {
        eprintln!("compare {SUBCOMMAND}: bad target `{target}`");
        return ExitCode::from(2);
    };
    if let Err(error) = sys::raise_open_file_limit() {
        eprintln!("compare {SUBCOMMAND}: cannot raise the open-file limit: {error}");
    }
    if kind == Kind::Http {
        return serve_http(runtime);
    }
    match runtime.as_str() {
        name if name == Ours::NAME => serve::<Ours>(kind, target),
        name if name == Peer::NAME => serve::<Peer>(kind, target),
        name => {
            eprintln!("compare {SUBCOMMAND}: no net support for runtime `{name}`");
            ExitCode::from(2)
        }
    }
}

/// Builds a fresh `R` runtime, answers commands on a control thread and accepts
/// connections from a task on a worker, forever.
fn serve<R: NetRuntime>(kind: Kind, target: usize) -> ExitCode {
    let runtime = fresh::<R>();
    std::thread::Builder::new()
        .name("net-server-control".into())
        .spawn(control)
        .expect("spawning the control thread");
    on_worker(&runtime, accept_loop::<R>(kind, target));
    ExitCode::SUCCESS
}

/// Serves HTTP on `runtime`'s own HTTP stack (`net/http.rs`), with the control thread.
fn serve_http(runtime: &str) -> ExitCode {
    let serve: fn() = match runtime {
        name if name == Ours::NAME => crate::net::http::serve_ours,
        name if name == Peer::NAME => crate::net::http::serve_peer,
        name => {
            eprintln!("compare {SUBCOMMAND}: no HTTP server for runtime `{name}`");
            return ExitCode::from(2);
        }
    };
    std::thread::Builder::new()
        .name("net-server-control".into())
        .spawn(control)
        .expect("spawning the control thread");
    serve();
    ExitCode::SUCCESS
}

/// Answers the parent's commands until standard input closes, then ends the process.
fn control() {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "stats" => println!(
                "stats {} {} {}",
                ACCEPTED.load(Relaxed),
                WAITING.load(Relaxed),
                live_bytes()
            ),
            "trim" => {
                release_free_memory();
                println!("trimmed");
            }
            other => eprintln!("compare {SUBCOMMAND}: unknown command `{other}`"),
        }
    }
    std::process::exit(0);
}

/// Binds the listener, says `ready`, then accepts connections and hands each to the
/// handler of `kind`.
///
/// # Panics
///
/// Panics when the listener cannot be bound or `accept` fails with anything but an
/// aborted connection: the benchmark has nothing to measure then.
async fn accept_loop<R: NetRuntime>(kind: Kind, target: usize) {
    let listener = R::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("binding the server");
    println!("ready {}", listener.local_addr().expect("the listener's address"));
    let mut held = Vec::new();
    loop {
        let stream = match listener.accept().await {
            Ok(stream) => stream,
            Err(error) if error.kind() == io::ErrorKind::ConnectionAborted => continue,
            Err(error) => panic!("accept failed: {error}"),
        };
        let accepted = ACCEPTED.fetch_add(1, Relaxed) + 1;
        match kind {
            Kind::Hello => drop(R::spawn(hello(stream))),
            Kind::Echo => drop(R::spawn(echo(stream))),
            Kind::Idle => drop(R::spawn(idle(stream))),
            Kind::Http => unreachable!("HTTP servers run their own accept loop"),
            Kind::Accept => {
                held.push(stream);
                if accepted == target {
                    println!("done");
                }
            }
        }
    }
}

/// The hello-world handler: reads requests into a [`BUFFER_SIZE`] buffer and answers
/// every complete one (ended by `\r\n\r\n`) with [`HELLO_RESPONSE`], until the peer
/// closes, an error, or a request that does not fit the buffer.
async fn hello<S: Stream>(mut stream: S) {
    let mut buffer = [0u8; BUFFER_SIZE];
    let mut filled = 0;
    loop {
        match stream.read(&mut buffer[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(read) => filled += read,
        }
        let (requests, consumed) = complete_requests(&buffer[..filled]);
        buffer.copy_within(consumed..filled, 0);
        filled -= consumed;
        for _ in 0..requests {
            if stream.write_all(HELLO_RESPONSE).await.is_err() {
                return;
            }
        }
        if filled == BUFFER_SIZE {
            return;
        }
    }
}

/// Returns how many complete requests (each ended by `\r\n\r\n`) `bytes` starts with,
/// and how many bytes they take.
fn complete_requests(bytes: &[u8]) -> (usize, usize) {
    const END: &[u8] = b"\r\n\r\n";
    let (mut requests, mut consumed) = (0, 0);
    while let Some(at) = bytes[consumed..].windows(END.len()).position(|window| window == END) {
        requests += 1;
        consumed += at + END.len();
    }
    (requests, consumed)
}

/// The echo handler: writes back whatever it reads into a [`BUFFER_SIZE`] buffer, until
/// the peer closes or an error.
async fn echo<S: Stream>(mut stream: S) {
    let mut buffer = [0u8; BUFFER_SIZE];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(read) => {
                if stream.write_all(&buffer[..read]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The idle handler: counts itself as waiting, then waits for readability and reads
/// into a small stack buffer (not held across the wait), until the peer closes.
///
/// This is the shape a server with many idle connections should have: nothing but the
/// socket lives in the task while it waits.
async fn idle<S: Stream>(stream: S) {
    WAITING.fetch_add(1, Relaxed);
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        let mut buffer = [0u8; IDLE_READ_SIZE];
        match stream.try_read(&mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_response_is_78_bytes_and_consistent() {
        let text = std::str::from_utf8(HELLO_RESPONSE).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())));
        assert_eq!(HELLO_RESPONSE.len(), 78);
    }

    #[test]
    fn counts_complete_requests_and_keeps_the_tail() {
        assert_eq!(complete_requests(b""), (0, 0));
        assert_eq!(complete_requests(b"GET / HTTP/1.1\r\n"), (0, 0));
        assert_eq!(complete_requests(b"GET / HTTP/1.1\r\n\r\n"), (1, 18));
        assert_eq!(complete_requests(b"A\r\n\r\nB\r\n\r\nC\r\n"), (2, 10));
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.name()), Some(kind));
        }
        assert_eq!(Kind::parse("nope"), None);
    }
}
