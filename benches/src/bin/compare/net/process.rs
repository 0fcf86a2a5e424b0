//! The parent's handle on a server child process (see [`super::server`]): start it,
//! talk to it, read its CPU time and resident set from `/proc`, stop it.

use std::io::{self, BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::procfs;
use super::server::{Kind, SUBCOMMAND};

/// How long a stopped server may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// What a server reports when asked for `stats`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stats {
    /// Connections accepted so far.
    pub(crate) accepted: usize,
    /// Idle handlers that have started waiting.
    pub(crate) waiting: usize,
    /// Live heap bytes of the server process.
    pub(crate) heap_bytes: i64,
}

/// A running server child process. Dropping it closes the child's standard input, which
/// ends the child, and reaps it (killing it if it has not exited after two seconds).
#[derive(Debug)]
pub(crate) struct Server {
    /// The child process.
    child: Child,
    /// Commands to the child; `None` once closed.
    stdin: Option<ChildStdin>,
    /// Lines from the child.
    stdout: BufReader<ChildStdout>,
    /// Address the server listens on.
    addr: SocketAddr,
}

impl Server {
    /// Starts `compare` again as a server of `kind` on the runtime named `runtime`, and
    /// waits until it listens. `target` is the connection count of [`Kind::Accept`].
    ///
    /// # Errors
    ///
    /// Fails when the child cannot be started or exits before it says `ready`.
    pub(crate) fn start(runtime: &str, kind: Kind, target: usize) -> io::Result<Server> {
        let mut command = Command::new(std::env::current_exe()?);
        command.args([SUBCOMMAND, runtime, kind.name(), &target.to_string()]);
        Server::spawn(command)
    }

    /// Starts the server program at `path` (the bare C server of `net/bare.rs`), which
    /// speaks the same protocol: `ready ADDR` once it listens, exit when its standard
    /// input closes.
    ///
    /// # Errors
    ///
    /// Fails when the program cannot be started or exits before it says `ready`.
    pub(crate) fn start_program(path: &Path) -> io::Result<Server> {
        Server::spawn(Command::new(path))
    }

    /// Spawns `command` with piped standard input and output, and waits for its
    /// `ready ADDR`.
    fn spawn(mut command: Command) -> io::Result<Server> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut server = Server {
            child,
            stdin,
            stdout,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let ready = server.wait_for("ready")?;
        server.addr = ready
            .parse()
            .map_err(|_| io::Error::other(format!("bad address from the server: `{ready}`")))?;
        Ok(server)
    }

    /// Returns the address the server listens on.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Reads lines from the server until one starts with `word`; returns the rest of it.
    ///
    /// # Errors
    ///
    /// Fails when the server exits (end of its output) or the pipe fails.
    pub(crate) fn wait_for(&mut self, word: &str) -> io::Result<String> {
        read_until(&mut self.stdout, word, "server")
    }

    /// Sends `command` and returns the rest of the server's answer, which starts with
    /// `answer`.
    fn ask(&mut self, command: &str, answer: &str) -> io::Result<String> {
        let stdin = self.stdin.as_mut().expect("stdin is open until drop");
        writeln!(stdin, "{command}")?;
        stdin.flush()?;
        self.wait_for(answer)
    }

    /// Returns the server's counters and live heap bytes.
    ///
    /// # Errors
    ///
    /// Fails when the server is gone or answers something unexpected.
    pub(crate) fn stats(&mut self) -> io::Result<Stats> {
        let answer = self.ask("stats", "stats")?;
        let fields: Vec<i64> = answer
            .split_whitespace()
            .filter_map(|field| field.parse().ok())
            .collect();
        match fields[..] {
            [accepted, waiting, heap_bytes] => Ok(Stats {
                accepted: accepted as usize,
                waiting: waiting as usize,
                heap_bytes,
            }),
            _ => Err(io::Error::other(format!("bad stats from the server: `{answer}`"))),
        }
    }

    /// Asks the server to hand its free heap pages back to the OS (`malloc_trim`), so
    /// that its resident set holds only live memory.
    ///
    /// # Errors
    ///
    /// Fails when the server is gone.
    pub(crate) fn trim(&mut self) -> io::Result<()> {
        self.ask("trim", "trimmed").map(drop)
    }

    /// Returns the CPU time (user + system, every thread, exited ones included) the
    /// server has used so far, from `/proc/<pid>/stat` (a resolution of one clock tick,
    /// 10 ms on Linux).
    ///
    /// # Errors
    ///
    /// Fails where `/proc` is missing or has an unexpected format.
    pub(crate) fn cpu_time(&self) -> io::Result<Duration> {
        procfs::process_cpu_time(self.child.id())
    }

    /// Returns the server's resident set size in bytes (`VmRSS` of `/proc/<pid>/status`).
    ///
    /// # Errors
    ///
    /// Fails where `/proc` is missing or has an unexpected format.
    pub(crate) fn rss_bytes(&self) -> io::Result<u64> {
        procfs::process_rss_bytes(self.child.id())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if wait_exit(&mut self.child, EXIT_GRACE) {
            return;
        }
        eprintln!("compare: the {} server did not exit; killing it", self.addr);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads lines from a child speaking the line protocol (`ready ADDR`, answers to commands)
/// until one starts with `word`; returns the rest of it. `who` names the child in errors.
///
/// # Errors
///
/// Fails when the child exits (end of its output) or the pipe fails.
pub(crate) fn read_until(stdout: &mut BufReader<ChildStdout>, word: &str, who: &str) -> io::Result<String> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line)? == 0 {
            return Err(io::Error::other(format!("the {who} exited before `{word}`")));
        }
        if let Some(rest) = line.trim_end().strip_prefix(word) {
            return Ok(rest.trim_start().to_owned());
        }
    }
}

/// Waits up to `grace` for `child` to exit; `false` if it is still running.
pub(crate) fn wait_exit(child: &mut Child, grace: Duration) -> bool {
    let deadline = Instant::now() + grace;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => return true,
            Ok(None) if Instant::now() >= deadline => return false,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}
