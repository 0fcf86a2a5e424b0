//! The bare C epoll HTTP/1.1 server (`bare_http.c`), the peer of the `net` suite's
//! `http_hello_vs_bare_c_*` rows: compiled with the system C compiler (`cc -O2`) the
//! first time a run needs it, once per `compare` run, and started like the other
//! servers ([`super::process::Server::start_program`]).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::harness::report_dir;

/// The server's source, inside `compare` so that the binary needs no source tree.
const SOURCE: &str = include_str!("bare_http.c");

/// Returns the compiled bare server, compiling it on the first call; else why it cannot
/// be had (no C compiler, a failed compile), for the caller to print as a skip reason.
pub(crate) fn program() -> Result<&'static Path, &'static str> {
    static PROGRAM: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PROGRAM
        .get_or_init(|| {
            let program = compile();
            match &program {
                Ok(path) => eprintln!("  bare C server: built {} (cc -O2)", path.display()),
                Err(reason) => eprintln!("  bare C server: not available: {reason}"),
            }
            program
        })
        .as_deref()
        .map_err(String::as_str)
}

/// Compiles [`SOURCE`] into `bare_http` in the report directory and returns its path.
///
/// The source and the program are first written under names with this process's id and
/// the program is then renamed into place, so that two `compare` runs at once never
/// execute a half-written file.
fn compile() -> Result<PathBuf, String> {
    let dir = report_dir();
    std::fs::create_dir_all(&dir).map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    let pid = std::process::id();
    let source = dir.join(format!("bare_http.{pid}.c"));
    let temporary = dir.join(format!("bare_http.{pid}"));
    let program = dir.join("bare_http");
    std::fs::write(&source, SOURCE).map_err(|error| format!("cannot write {}: {error}", source.display()))?;
    let output = Command::new("cc")
        .arg("-O2")
        .arg("-o")
        .arg(&temporary)
        .arg(&source)
        .output();
    let _ = std::fs::remove_file(&source);
    match output {
        Err(error) if error.kind() == io::ErrorKind::NotFound => Err("no C compiler (`cc` is not in PATH)".to_owned()),
        Err(error) => Err(format!("cannot run cc: {error}")),
        Ok(output) if !output.status.success() => Err(format!(
            "cc -O2 failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Ok(_) => {
            std::fs::rename(&temporary, &program).map_err(|error| format!("cannot rename the program: {error}"))?;
            Ok(program)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::net::TcpStream;
    use std::time::Duration;

    use super::*;
    use crate::net::process::Server;

    /// What svc-http answers to a GET of its hello-world service, up to the date.
    const HEAD_START: &[u8] = b"HTTP/1.1 200 OK\r\ndate: ";
    /// The rest of the answer after the 29-byte date.
    const AFTER_DATE: &[u8] = b" GMT\r\ncontent-length: 13\r\n\r\nHello World!\n";

    #[test]
    fn answers_every_pipelined_head_with_svc_http_s_bytes() {
        let program = match program() {
            Ok(program) => program,
            Err(reason) => {
                eprintln!("skipped: {reason}");
                return;
            }
        };
        let server = Server::start_program(program).unwrap();
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // Two heads and the start of a third in one write, the rest of it in another.
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHo")
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
        stream.write_all(b"st: a\r\n\r\n").unwrap();
        let length = HEAD_START.len() + 25 + AFTER_DATE.len();
        let mut answers = vec![0; 3 * length];
        stream.read_exact(&mut answers).unwrap();
        for answer in answers.chunks(length) {
            assert!(answer.starts_with(HEAD_START), "{}", String::from_utf8_lossy(answer));
            assert!(answer.ends_with(AFTER_DATE), "{}", String::from_utf8_lossy(answer));
        }
        // Nothing more: one answer per head.
        stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut more = [0; 1];
        assert!(stream.read(&mut more).is_err());
    }
}
