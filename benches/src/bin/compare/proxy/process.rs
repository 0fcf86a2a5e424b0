//! The child processes of the `proxy` suite: the backend, and a proxy under test.
//!
//! Both are stopped when their handle drops, so a failed run (or a panic) leaves
//! nothing listening on the suite's ports.

use std::fs::File;
use std::io::{self, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::backend::SUBCOMMAND;
use super::client;
use super::sys::{self, Signal};
use crate::net::process::{read_until, wait_exit};
use crate::net::procfs;

/// How long a proxy may take to answer its first request.
const START_DEADLINE: Duration = Duration::from_secs(20);
/// How long a stopped proxy may take to exit before it is killed.
const EXIT_GRACE: Duration = Duration::from_secs(5);
/// Lines of a proxy's output shown when it fails.
const LOG_TAIL_LINES: usize = 15;

/// The backend child process (see [`super::backend`]). Dropping it closes its standard
/// input, which ends it.
#[derive(Debug)]
pub(crate) struct Backend {
    /// The child process.
    child: Child,
    /// Commands to the child; `None` once closed.
    stdin: Option<ChildStdin>,
    /// Lines from the child.
    stdout: BufReader<ChildStdout>,
}

impl Backend {
    /// Starts `compare` again as the backend on `addr` and waits until it listens.
    ///
    /// # Errors
    ///
    /// Fails when the child cannot be started or exits before it says `ready` (the
    /// address is taken, for one).
    pub(crate) fn start(addr: SocketAddr) -> io::Result<Backend> {
        let mut child = Command::new(std::env::current_exe()?)
            .args([SUBCOMMAND, &addr.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut backend = Backend { child, stdin, stdout };
        backend.wait_for("ready")?;
        Ok(backend)
    }

    /// Returns the requests the backend has answered so far.
    ///
    /// # Errors
    ///
    /// Fails when the backend is gone or answers something unexpected.
    pub(crate) fn requests(&mut self) -> io::Result<u64> {
        let stdin = self.stdin.as_mut().expect("stdin is open until drop");
        writeln!(stdin, "stats")?;
        stdin.flush()?;
        let answer = self.wait_for("stats")?;
        answer
            .parse()
            .map_err(|_| io::Error::other(format!("bad stats from the backend: `{answer}`")))
    }

    /// Reads lines until one starts with `word`; returns the rest of it.
    fn wait_for(&mut self, word: &str) -> io::Result<String> {
        read_until(&mut self.stdout, word, "backend")
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        drop(self.stdin.take());
        if !wait_exit(&mut self.child, EXIT_GRACE) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// How to start one proxy: its command line, the files it reads, where it listens.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    /// The program.
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Files to write before starting it (its configuration), as `(path, contents)`.
    pub(crate) files: Vec<(PathBuf, String)>,
    /// The folder that holds its files and its output; created fresh, removed at stop.
    pub(crate) run_dir: PathBuf,
    /// Where it takes client connections.
    pub(crate) listen: SocketAddr,
    /// Every address it binds (`listen` and e.g. an admin listener): all must be free.
    pub(crate) binds: Vec<SocketAddr>,
}

/// A running proxy. Dropping it sends `SIGTERM`, waits for the process tree to exit
/// (killing what remains after five seconds) and removes its run folder.
#[derive(Debug)]
pub(crate) struct Proxy {
    /// The process started (nginx's master, HAProxy, ours).
    child: Child,
    /// What it was started from.
    launch: Launch,
}

impl Proxy {
    /// Writes the files of `launch`, starts the proxy with its output in
    /// `RUN_DIR/output.log`, and waits until a `GET /` through it is answered `200`.
    ///
    /// # Errors
    ///
    /// Fails when an address it needs is taken, it cannot be started, it exits, or it
    /// does not answer `200` within 20 seconds; the error ends with its last lines of
    /// output.
    pub(crate) fn start(launch: &Launch) -> io::Result<Proxy> {
        for &addr in &launch.binds {
            if let Err(error) = TcpListener::bind(addr) {
                return Err(io::Error::other(format!(
                    "{addr} is taken ({error}): is something else running?"
                )));
            }
        }
        let _ = std::fs::remove_dir_all(&launch.run_dir);
        std::fs::create_dir_all(&launch.run_dir)?;
        for (path, contents) in &launch.files {
            std::fs::write(path, contents)?;
        }
        let log = File::create(launch.run_dir.join("output.log"))?;
        let child = Command::new(&launch.program)
            .args(&launch.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .map_err(|error| io::Error::other(format!("cannot run {}: {error}", launch.program.display())))?;
        let mut proxy = Proxy {
            child,
            launch: launch.clone(),
        };
        match proxy.wait_ready() {
            Ok(()) => Ok(proxy),
            Err(error) => Err(io::Error::other(format!("{error}{}", proxy.log_tail()))),
        }
    }

    /// Probes the proxy with `GET /` until it answers `200`.
    fn wait_ready(&mut self) -> io::Result<()> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Err(io::Error::other(format!("it exited at start ({status})")));
            }
            let last = match client::connect_and_get(self.launch.listen) {
                Ok((_, 200)) => return Ok(()),
                Ok((_, status)) => format!("it answered {status}"),
                Err(error) => error.to_string(),
            };
            if Instant::now() >= deadline {
                return Err(io::Error::other(format!("not ready after {START_DEADLINE:?}: {last}")));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Returns where the proxy takes client connections.
    pub(crate) fn addr(&self) -> SocketAddr {
        self.launch.listen
    }

    /// Returns the process ids of the proxy: the process started and its descendants.
    pub(crate) fn pids(&self) -> Vec<u32> {
        procfs::tree(self.child.id())
    }

    /// Returns the CPU time the proxy's processes have used so far.
    pub(crate) fn cpu_time(&self) -> Duration {
        procfs::cpu_time(&self.pids())
    }

    /// Returns the resident set of the proxy's processes, summed, in bytes.
    ///
    /// # Errors
    ///
    /// Fails when a process exits while being read.
    pub(crate) fn rss_bytes(&self) -> io::Result<u64> {
        procfs::rss_bytes(&self.pids())
    }

    /// Returns an error unless the proxy is still running (it may crash under load).
    ///
    /// # Errors
    ///
    /// Fails when the proxy has exited; the error ends with its last lines of output.
    pub(crate) fn check_alive(&mut self) -> io::Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => Err(io::Error::other(format!("it exited ({status}){}", self.log_tail()))),
        }
    }

    /// Returns the last lines of the proxy's output, on lines of their own.
    fn log_tail(&self) -> String {
        log_tail(&self.launch.run_dir.join("output.log"))
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // A child already reaped (it exited) must not be signalled: its id may belong
        // to another process by now. An unreaped one keeps its id, even as a zombie.
        if !matches!(self.child.try_wait(), Ok(None)) {
            let _ = std::fs::remove_dir_all(&self.launch.run_dir);
            return;
        }
        let members = self.pids();
        let _ = sys::send(self.child.id(), Signal::Terminate);
        if !wait_exit(&mut self.child, EXIT_GRACE) {
            eprintln!(
                "compare: {} did not exit on SIGTERM; killing it",
                self.launch.program.display()
            );
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        let deadline = Instant::now() + EXIT_GRACE;
        let alive = |pid: &&u32| Path::new(&format!("/proc/{pid}")).exists();
        while members[1..].iter().any(|pid| alive(&pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        for pid in members[1..].iter().filter(alive) {
            let _ = sys::send(*pid, Signal::Kill);
        }
        let _ = std::fs::remove_dir_all(&self.launch.run_dir);
    }
}

/// Returns the last [`LOG_TAIL_LINES`] lines of the file at `path`, each on a line of
/// its own after a header line; empty when there are none.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    if tail.is_empty() {
        return String::new();
    }
    let mut out = String::from("; its last output:");
    for line in tail {
        out.push_str("\n      ");
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A launch of `program ARGS` that should listen on `listen`, in a fresh folder.
    fn launch(program: &str, args: &[&str], listen: SocketAddr, name: &str) -> Launch {
        Launch {
            program: PathBuf::from(program),
            args: args.iter().map(|arg| arg.to_string()).collect(),
            files: vec![],
            run_dir: std::env::temp_dir().join(format!("compare-proxy-test-{}-{name}", std::process::id())),
            listen,
            binds: vec![listen],
        }
    }

    #[test]
    fn refuses_a_taken_address() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let launch = launch("true", &[], taken.local_addr().unwrap(), "taken");
        let error = Proxy::start(&launch).unwrap_err().to_string();
        assert!(error.contains("is taken"), "{error}");
    }

    #[test]
    fn reports_a_proxy_that_exits_at_start_with_its_output() {
        let free = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let launch = launch("sh", &["-c", "echo no config here; exit 3"], free, "exits");
        let error = Proxy::start(&launch).unwrap_err().to_string();
        assert!(
            error.contains("exited at start") && error.contains("no config here"),
            "{error}"
        );
        assert!(!launch.run_dir.exists(), "the run folder is removed");
    }
}
