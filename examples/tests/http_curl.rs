//! `hello_http` against curl over loopback (skipped, with a printed reason, without curl).

mod http_support;

use std::process::Command;

use http_support::{have, HelloHttp};

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl").args(args).output().expect("run curl");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn curl_gets_hello_world() {
    if !have("curl", "curl_gets_hello_world") {
        return;
    }
    let server = HelloHttp::start();
    let (out, _) = curl(&["-s", "-i", &format!("http://{}/", server.addr)]);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.to_ascii_lowercase().contains("content-length: 11\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nHello World"), "{out}");
}

#[test]
fn curl_reuses_the_connection() {
    if !have("curl", "curl_reuses_the_connection") {
        return;
    }
    let server = HelloHttp::start();
    let url = format!("http://{}/", server.addr);
    let (out, err) = curl(&["-s", "-v", &url, &url, &url]);
    assert_eq!(out, "Hello World".repeat(3));
    let err = err.to_ascii_lowercase();
    assert!(
        err.contains("re-using existing connection") || err.contains("reusing existing connection"),
        "{err}"
    );
}

#[test]
fn curl_http10_and_a_post() {
    if !have("curl", "curl_http10_and_a_post") {
        return;
    }
    let server = HelloHttp::start();
    let url = format!("http://{}/submit", server.addr);
    let (out, _) = curl(&["-s", "-i", "--http1.0", &url]);
    assert!(out.starts_with("HTTP/1.1 200 OK\r\n"), "{out}");
    assert!(out.to_ascii_lowercase().contains("connection: close\r\n"), "{out}");
    let (out, _) = curl(&["-s", "--data-binary", "some body", &url]);
    assert_eq!(out, "Hello World");
}
