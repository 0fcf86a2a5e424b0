//! The proxies the suite compares, and how each one is found and started.
//!
//! - **Ours**: the workspace's `proxy` binary (issue 10), started with the flags the
//!   issue fixes: `--listen ADDR --backend ADDR --admin ADDR --mode http`. Its path is
//!   `COMPARE_PROXY_BIN`, else `proxy` next to the running `compare` (so
//!   `target/release/proxy` for `cargo run --release`); `COMPARE_PROXY_ARGS` adds
//!   whitespace-separated arguments.
//! - **nginx** and **HAProxy** from the distribution's packages, with the reference
//!   configurations of `nginx.conf` and `haproxy.cfg` beside this file (one worker or
//!   thread, upstream keep-alive, no access log, keep-alive requests not capped),
//!   run in the foreground (`nginx -g 'daemon off;'`, `haproxy -db`).
//!
//! Missing packages (`nginx`, `haproxy`, `wrk`) are installed with `apt-get`.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::process::Launch;

/// The reference nginx configuration (`@RUN_DIR@` and addresses replaced at start).
const NGINX_CONF: &str = include_str!("nginx.conf");
/// The reference HAProxy configuration (addresses replaced at start).
const HAPROXY_CFG: &str = include_str!("haproxy.cfg");
/// The backend's address in the reference configurations.
const REFERENCE_BACKEND: &str = "127.0.0.1:9000";
/// nginx's listen address in its reference configuration.
const REFERENCE_NGINX: &str = "127.0.0.1:9001";
/// HAProxy's listen address in its reference configuration.
const REFERENCE_HAPROXY: &str = "127.0.0.1:9002";
/// Lines of `apt-get` output shown when it fails.
const APT_TAIL_LINES: usize = 5;

/// A proxy implementation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Program {
    /// The workspace's proxy at this path, with extra arguments.
    Ours(PathBuf, Vec<String>),
    /// nginx at this path.
    Nginx(PathBuf),
    /// HAProxy at this path.
    Haproxy(PathBuf),
}

impl Program {
    /// Returns how to start this proxy on `listen` (and `admin`, for ours) in front of
    /// `backend`, with its files in `run_dir`.
    pub(crate) fn launch(&self, backend: SocketAddr, listen: SocketAddr, admin: SocketAddr, run_dir: &Path) -> Launch {
        let file = |name: &str| run_dir.join(name);
        let dir = run_dir.display().to_string();
        let (program, args, files, binds) = match self {
            Program::Ours(path, extra) => {
                let mut args = vec![
                    "--listen".to_owned(),
                    listen.to_string(),
                    "--backend".to_owned(),
                    backend.to_string(),
                    "--admin".to_owned(),
                    admin.to_string(),
                    "--mode".to_owned(),
                    "http".to_owned(),
                ];
                args.extend(extra.iter().cloned());
                (path, args, vec![], vec![listen, admin])
            }
            Program::Nginx(path) => {
                let conf = file("nginx.conf");
                let text = render(NGINX_CONF, &dir, backend, (REFERENCE_NGINX, listen));
                let args = [
                    "-p",
                    &dir,
                    "-e",
                    &format!("{dir}/error.log"),
                    "-c",
                    &conf.display().to_string(),
                ];
                let mut args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
                args.extend(["-g".to_owned(), "daemon off;".to_owned()]);
                (path, args, vec![(conf, text)], vec![listen])
            }
            Program::Haproxy(path) => {
                let cfg = file("haproxy.cfg");
                let text = render(HAPROXY_CFG, &dir, backend, (REFERENCE_HAPROXY, listen));
                let args = vec!["-f".to_owned(), cfg.display().to_string(), "-db".to_owned()];
                (path, args, vec![(cfg, text)], vec![listen])
            }
        };
        Launch {
            program: program.clone(),
            args,
            files,
            run_dir: run_dir.to_path_buf(),
            listen,
            binds,
        }
    }
}

/// Returns a reference configuration with `@RUN_DIR@` replaced by `run_dir`, the
/// backend's address by `backend` and the listen address `listen.0` by `listen.1`.
fn render(template: &str, run_dir: &str, backend: SocketAddr, listen: (&str, SocketAddr)) -> String {
    // Through placeholders, so that a new address equal to another reference address
    // is not replaced twice.
    template
        .replace(REFERENCE_BACKEND, "@BACKEND@")
        .replace(listen.0, "@LISTEN@")
        .replace("@RUN_DIR@", run_dir)
        .replace("@BACKEND@", &backend.to_string())
        .replace("@LISTEN@", &listen.1.to_string())
}

/// Returns our proxy: `COMPARE_PROXY_BIN`, else `proxy` next to this executable, with
/// the arguments of `COMPARE_PROXY_ARGS`.
///
/// # Errors
///
/// Fails, saying where it looked and how to build it, when there is no such file.
pub(crate) fn ours() -> Result<Program, String> {
    let path = match std::env::var_os("COMPARE_PROXY_BIN").filter(|path| !path.is_empty()) {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()
            .map_err(|error| format!("cannot find this executable: {error}"))?
            .with_file_name("proxy"),
    };
    if !path.is_file() {
        return Err(format!(
            "no proxy binary at {} (build it with `cargo build --release -p examples --bin proxy`, \
             or point COMPARE_PROXY_BIN at one)",
            path.display()
        ));
    }
    let extra = std::env::var("COMPARE_PROXY_ARGS").unwrap_or_default();
    Ok(Program::Ours(
        path,
        extra.split_whitespace().map(str::to_owned).collect(),
    ))
}

/// Returns the path of each of `programs` (Debian package names equal program names),
/// installing the missing ones with `apt-get` first; a program that is still missing
/// comes with the reason.
pub(crate) fn find_or_install(programs: &[&str]) -> Vec<Result<PathBuf, String>> {
    let missing: Vec<&str> = programs.iter().copied().filter(|name| find(name).is_none()).collect();
    let mut reason = String::new();
    if !missing.is_empty() {
        eprintln!("  installing {} with apt-get", missing.join(" "));
        if let Err(error) = apt_install(&missing) {
            reason = format!(": {error}");
        }
    }
    programs
        .iter()
        .map(|name| find(name).ok_or_else(|| format!("{name} is not installed and could not be installed{reason}")))
        .collect()
}

/// Returns the path of `program` in `PATH` or the system folders (`/usr/sbin` is not
/// in every user's `PATH`).
fn find(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(
            [
                "/usr/local/sbin",
                "/usr/local/bin",
                "/usr/sbin",
                "/usr/bin",
                "/sbin",
                "/bin",
            ]
            .map(PathBuf::from),
        )
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Runs `apt-get install -y --no-install-recommends PACKAGES`, and again after
/// `apt-get update` when the first attempt fails (a stale package index).
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let install = || apt(&[&["install", "-y", "--no-install-recommends"], packages].concat());
    install().or_else(|_| apt(&["update"])).and_then(|()| install())
}

/// Runs `apt-get ARGS` non-interactively; on failure returns the last lines of its
/// output.
fn apt(args: &[&str]) -> Result<(), String> {
    let output = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .output()
        .map_err(|error| format!("cannot run apt-get: {error}"))?;
    if output.status.success() {
        return Ok(());
    }
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    let tail = lines[lines.len().saturating_sub(APT_TAIL_LINES)..].join(" / ");
    Err(format!("apt-get {} failed ({}): {tail}", args.join(" "), output.status))
}

/// Returns `127.0.0.1:port`.
pub(crate) fn localhost(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_reference_address_and_folder() {
        let backend = localhost(7000);
        for (template, listen) in [(NGINX_CONF, REFERENCE_NGINX), (HAPROXY_CFG, REFERENCE_HAPROXY)] {
            assert!(template.contains(REFERENCE_BACKEND) && template.contains(listen));
            let text = render(template, "/tmp/run", backend, (listen, localhost(7001)));
            assert!(text.contains("127.0.0.1:7000") && text.contains("127.0.0.1:7001"));
            assert!(!text.contains("@RUN_DIR@") && !text.contains("127.0.0.1:900"), "{text}");
        }
    }

    #[test]
    fn renders_addresses_that_swap_reference_ports_once() {
        let text = render(
            NGINX_CONF,
            "/tmp/run",
            localhost(9001),
            (REFERENCE_NGINX, localhost(9002)),
        );
        assert!(text.contains("server 127.0.0.1:9001;"), "{text}");
        assert!(text.contains("listen 127.0.0.1:9002 "), "{text}");
    }

    #[test]
    fn launches_ours_with_the_issues_flags() {
        let ours = Program::Ours(PathBuf::from("/bin/proxy"), vec!["-v".to_owned()]);
        let launch = ours.launch(localhost(9000), localhost(9003), localhost(9004), Path::new("/tmp/x"));
        assert_eq!(
            launch.args.join(" "),
            "--listen 127.0.0.1:9003 --backend 127.0.0.1:9000 --admin 127.0.0.1:9004 --mode http -v"
        );
        assert_eq!(launch.binds, [localhost(9003), localhost(9004)]);
    }

    #[test]
    fn launches_nginx_in_the_foreground_with_its_own_folder() {
        let launch = Program::Nginx(PathBuf::from("/usr/sbin/nginx")).launch(
            localhost(9000),
            localhost(9001),
            localhost(9004),
            Path::new("/tmp/x"),
        );
        assert_eq!(
            launch.args.join(" "),
            "-p /tmp/x -e /tmp/x/error.log -c /tmp/x/nginx.conf -g daemon off;"
        );
        assert!(launch.files[0].1.contains("pid /tmp/x/nginx.pid;"));
    }

    #[test]
    fn finds_a_system_program() {
        assert!(find("sh").is_some());
        assert!(find("no-such-program-here").is_none());
    }
}
