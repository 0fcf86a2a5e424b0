//! `hello_http` against Python's `http.client` over loopback: keep-alive, pipelining,
//! HTTP/1.0 and a rejected request (skipped, with a printed reason, without python3).

mod http_support;

use std::process::Command;

use http_support::{have, HelloHttp};

const SCRIPT: &str = r#"
import http.client, socket, sys

host, port = sys.argv[1].rsplit(":", 1)
port = int(port)

# Keep-alive: five requests over one connection.
conn = http.client.HTTPConnection(host, port, timeout=10)
conn.connect()
first = conn.sock
for i in range(5):
    conn.request("GET", "/%d" % i)
    res = conn.getresponse()
    assert res.status == 200, res.status
    assert res.read() == b"Hello World"
    assert conn.sock is first, "connection not kept alive"
conn.request("POST", "/post", body=b"x" * 100000)
res = conn.getresponse()
assert res.status == 200 and res.read() == b"Hello World"
conn.close()

class KeepOpen:
    """A file whose close() is a no-op, shared by successive responses."""
    def __init__(self, fp):
        self.fp = fp
    def __getattr__(self, name):
        return getattr(self.fp, name)
    def close(self):
        pass

class Sock:
    def __init__(self, fp):
        self.fp = fp
    def makefile(self, *args, **kwargs):
        return KeepOpen(self.fp)

def responses(sock, n, method="GET"):
    fp = sock.makefile("rb")
    out = []
    for _ in range(n):
        res = http.client.HTTPResponse(Sock(fp), method=method)
        res.begin()
        out.append((res.status, res.getheader("connection"), res.read()))
    return out

# Pipelining: ten requests in one write, ten answers in order.
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(10)))
got = responses(sock, 10)
assert got == [(200, None, b"Hello World")] * 10, got
sock.close()

# HTTP/1.0 without keep-alive: one answer, then the server closes.
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
got = responses(sock, 1)
assert got == [(200, "close", b"Hello World")], got
assert sock.recv(1) == b""
sock.close()

# A smuggling attempt: 400 and the connection closed.
sock = socket.create_connection((host, port), timeout=10)
sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
got = responses(sock, 1)
assert got == [(400, "close", b"")], got
assert sock.recv(1) == b""
sock.close()
print("ok")
"#;

#[test]
fn python_http_client_keep_alive_pipelining_and_rejections() {
    if !have("python3", "python_http_client_keep_alive_pipelining_and_rejections") {
        return;
    }
    let server = HelloHttp::start();
    let out = Command::new("python3")
        .args(["-c", SCRIPT, &server.addr])
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.trim() == "ok",
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
