//! Runs the `hello_http` binary on a free port for end-to-end tests.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `hello_http`, killed on drop.
pub struct HelloHttp {
    child: Child,
    pub addr: String,
}

impl HelloHttp {
    pub fn start() -> HelloHttp {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hello_http"))
            .args(["--port", "0", "--workers", "2"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("start hello_http");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(addr.contains(':'), "unexpected first line {line:?}");
        HelloHttp { child, addr }
    }
}

impl Drop for HelloHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `program` can be run; prints why a test is skipped if not.
pub fn have(program: &str, test: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        println!("{test}: skipped: `{program}` is not installed");
    }
    ok
}
