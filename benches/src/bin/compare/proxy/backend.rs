//! The backend every proxy of the `proxy` suite forwards to, and the direct baseline
//! talks to: a minimal single-threaded epoll HTTP/1.1 keep-alive server.
//!
//! `compare` re-executes itself as `compare __proxy-backend ADDR`. The child binds `ADDR`,
//! prints `ready ADDR`, and serves every connection from one thread with one `mio::Poll`
//! (epoll, edge-triggered), the shape of the C epoll backend the reference
//! figures were measured with:
//!
//! - each connection has a [`BUFFER_SIZE`] input buffer; every readable event reads
//!   until `EWOULDBLOCK`;
//! - every complete request (a head ended by `\r\n\r\n`; requests have no body, as
//!   wrk's `GET /` and its proxied copies have none) is answered with
//!   [`HELLO_RESPONSE`] (`Content-Length: 13`, keep-alive), all the answers to one read
//!   in one `write`;
//! - a connection closes on end of stream, an error, or a head that does not fit the
//!   buffer.
//!
//! The same backend serves every proxy and the direct run, so its cost is the same
//! for all of them and only the proxy's CPU time is counted.
//!
//! # Protocol
//!
//! The child writes `ready ADDR` once bound, answers `stats` on standard input with
//! `stats REQUESTS` (requests answered so far), and exits as soon as standard input
//! closes, so a parent that drops the pipe (or dies) never leaves a backend behind.

use std::io::{self, BufRead as _, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};
use slab::Slab;

use crate::net::server::HELLO_RESPONSE;
use crate::net::sys;

/// First argument that makes `compare` run as the proxy suite's backend.
pub(crate) const SUBCOMMAND: &str = "__proxy-backend";

/// Size of a connection's input buffer: a request head must fit in it.
const BUFFER_SIZE: usize = 4_096;

/// Events handled per `epoll_wait`.
const EVENTS: usize = 1_024;

/// Token of the listener; connections use their slab key.
const LISTENER: Token = Token(usize::MAX);

/// Requests answered so far.
static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// Runs the backend the arguments after [`SUBCOMMAND`] describe: `ADDR`. Returns only
/// on a bad command line or a failed start; a running backend ends the process when its
/// standard input closes.
pub(crate) fn main(args: impl Iterator<Item = String>) -> ExitCode {
    let args: Vec<String> = args.collect();
    let [addr] = args.as_slice() else {
        eprintln!("compare {SUBCOMMAND}: expected ADDR, got {args:?}");
        return ExitCode::from(2);
    };
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("compare {SUBCOMMAND}: bad address `{addr}`");
        return ExitCode::from(2);
    };
    if let Err(error) = sys::raise_open_file_limit() {
        eprintln!("compare {SUBCOMMAND}: cannot raise the open-file limit: {error}");
    }
    match serve(addr) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("compare {SUBCOMMAND}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Binds `addr`, says `ready`, starts the control thread and serves forever.
///
/// # Errors
///
/// Fails when the listener cannot be bound or the poll fails.
fn serve(addr: SocketAddr) -> io::Result<()> {
    let mut listener = TcpListener::bind(addr)?;
    let mut poll = Poll::new()?;
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    println!("ready {}", listener.local_addr()?);
    io::stdout().flush()?;
    std::thread::Builder::new()
        .name("proxy-backend-control".into())
        .spawn(control)?;
    let mut connections = Slab::new();
    let mut events = Events::with_capacity(EVENTS);
    loop {
        match poll.poll(&mut events, None) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
        for event in &events {
            if event.token() == LISTENER {
                accept_all(&listener, &poll, &mut connections);
                continue;
            }
            let key = event.token().0;
            let Some(connection) = connections.get_mut(key) else {
                continue;
            };
            if !connection.on_event() {
                let mut connection = connections.remove(key);
                let _ = poll.registry().deregister(&mut connection.stream);
            }
        }
    }
}

/// Answers the parent's commands until standard input closes, then ends the process.
fn control() {
    for line in io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match line.trim() {
            "stats" => println!("stats {}", REQUESTS.load(Relaxed)),
            other => eprintln!("compare {SUBCOMMAND}: unknown command `{other}`"),
        }
    }
    std::process::exit(0);
}

/// Accepts every pending connection and registers it for reads and writes.
fn accept_all(listener: &TcpListener, poll: &Poll, connections: &mut Slab<Connection>) {
    loop {
        let mut stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            // Aborted connections, and running out of descriptors: try again on the
            // next event rather than stop serving.
            Err(_) => return,
        };
        let _ = stream.set_nodelay(true);
        let entry = connections.vacant_entry();
        let token = Token(entry.key());
        if poll
            .registry()
            .register(&mut stream, token, Interest::READABLE | Interest::WRITABLE)
            .is_ok()
        {
            entry.insert(Connection::new(stream));
        }
    }
}

/// One client connection of the backend.
#[derive(Debug)]
struct Connection {
    /// The socket.
    stream: TcpStream,
    /// Bytes read and not yet consumed by a complete request.
    input: Box<[u8; BUFFER_SIZE]>,
    /// How much of `input` is filled.
    filled: usize,
    /// Answers not yet written (the socket's send buffer was full).
    output: Vec<u8>,
}

impl Connection {
    /// Wraps an accepted socket.
    fn new(stream: TcpStream) -> Connection {
        Connection {
            stream,
            input: Box::new([0; BUFFER_SIZE]),
            filled: 0,
            output: Vec::new(),
        }
    }

    /// Handles a readiness event: reads everything available, answers every complete
    /// request, writes what it can. Returns `false` when the connection is done.
    fn on_event(&mut self) -> bool {
        loop {
            match self.stream.read(&mut self.input[self.filled..]) {
                Ok(0) => return false,
                Ok(read) => {
                    self.filled += read;
                    self.answer_complete_requests();
                    if self.filled == BUFFER_SIZE {
                        return false;
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        self.flush()
    }

    /// Queues one answer per complete request at the start of the input and drops
    /// those requests from it.
    fn answer_complete_requests(&mut self) {
        let (requests, consumed) = complete_requests(&self.input[..self.filled]);
        if requests == 0 {
            return;
        }
        self.input.copy_within(consumed..self.filled, 0);
        self.filled -= consumed;
        for _ in 0..requests {
            self.output.extend_from_slice(HELLO_RESPONSE);
        }
        REQUESTS.fetch_add(requests as u64, Relaxed);
    }

    /// Writes queued answers until done or the socket would block. Returns `false` on a
    /// write error.
    fn flush(&mut self) -> bool {
        let mut written = 0;
        while written < self.output.len() {
            match self.stream.write(&self.output[written..]) {
                Ok(0) => return false,
                Ok(count) => written += count,
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
        }
        self.output.drain(..written);
        true
    }
}

/// Returns how many complete requests (each a head ended by `\r\n\r\n`) `bytes` starts
/// with, and how many bytes they take.
fn complete_requests(bytes: &[u8]) -> (usize, usize) {
    let (mut requests, mut consumed) = (0, 0);
    while let Some(end) = head_end(&bytes[consumed..]) {
        requests += 1;
        consumed += end;
    }
    (requests, consumed)
}

/// Returns the length of the head `bytes` starts with, `\r\n\r\n` included, if complete.
fn head_end(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .map(|at| at + 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_complete_requests_and_keeps_the_tail() {
        assert_eq!(complete_requests(b""), (0, 0));
        assert_eq!(complete_requests(b"GET / HTTP/1.1\r\nHost: x\r\n"), (0, 0));
        assert_eq!(complete_requests(b"GET / HTTP/1.1\r\n\r\n"), (1, 18));
        assert_eq!(complete_requests(b"A\r\n\r\nB\r\n\r\nC\r\n"), (2, 10));
    }

    #[test]
    fn answers_pipelined_requests_over_a_real_socket() {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        let mut client = std::net::TcpStream::connect(addr).unwrap();
        let (accepted, _) = std_listener.accept().unwrap();
        accepted.set_nonblocking(true).unwrap();
        let mut connection = Connection::new(TcpStream::from_std(accepted));
        client
            .write_all(b"GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\nGET /")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(connection.on_event());
        assert_eq!(connection.filled, 5, "the incomplete third request stays buffered");
        let mut answers = vec![0; 2 * HELLO_RESPONSE.len()];
        client.read_exact(&mut answers).unwrap();
        assert_eq!(&answers[..HELLO_RESPONSE.len()], HELLO_RESPONSE);
        assert_eq!(&answers[HELLO_RESPONSE.len()..], HELLO_RESPONSE);
        drop(client);
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!connection.on_event(), "end of stream closes the connection");
    }
}
