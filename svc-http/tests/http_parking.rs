//! Parked connections: a new connection, and a keep-alive connection that waited a moment
//! (10 ms) for its next request, keep nothing but their stream, service, configuration,
//! shutdown signal and timer, and wake up when bytes arrive. Each test crosses a pause
//! longer than that on real loopback sockets, so the connection is parked when the next
//! thing happens.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_core::sync::watch;
use rt_core::time::{sleep, timeout, Instant};
use rt_net::{TcpListener, TcpStream};
use support::{echo, parse_responses};
use svc_http::server::{self, Config, StopSignal};

/// Longer than the time a connection waits before it parks.
const PAUSE: Duration = Duration::from_millis(150);

/// Serves one connection with the echo handler and `config`, stopped by `stop`.
async fn serve_one(config: Config) -> (SocketAddr, watch::Sender<bool>, rt_sched::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let task = rt_sched::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let _ = server::serve_connection_with_shutdown(stream, echo(), config, StopSignal::new(stopped)).await;
    });
    (addr, stop, task)
}

/// Reads until `count` complete responses have arrived (or end of stream).
async fn read_responses(stream: &mut TcpStream, count: usize) -> Vec<support::Parsed> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let res = parse_responses(&out);
        if res.len() >= count {
            return res;
        }
        let n = timeout(Duration::from_secs(5), stream.read(&mut buf))
            .await
            .expect("a response within 5 s")
            .unwrap();
        if n == 0 {
            return parse_responses(&out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// A configuration whose header timeout (300 ms) passes long before its keep-alive time.
fn short_header_timeout() -> Config {
    Config::new()
        .header_timeout(Duration::from_millis(300))
        .keep_alive_timeout(Duration::from_secs(60))
}

/// Reads to end of stream, checks that what arrived is one `408`, and returns how long
/// that took from `start`.
async fn expect_lone_408(client: &mut TcpStream, start: Instant) -> Duration {
    let out = read_to_end(client).await;
    let waited = start.elapsed();
    let res = parse_responses(&out);
    assert_eq!(
        (res.len(), res[0].status),
        (1, 408),
        "{}",
        String::from_utf8_lossy(&out)
    );
    waited
}

/// Reads to end of stream; what arrived.
async fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    timeout(Duration::from_secs(5), stream.read_to_end(&mut out))
        .await
        .expect("the server closed the connection within 5 s")
        .unwrap();
    out
}

#[rt_sched::test]
async fn a_parked_connection_serves_what_comes_after_the_pause() {
    let (addr, _stop, task) = serve_one(Config::new()).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    assert_eq!(read_responses(&mut client, 1).await[0].body_str(), "GET /1 ");

    // After a pause: a request with a body larger than the first read block.
    sleep(PAUSE).await;
    let body = "b".repeat(3000);
    let req = format!(
        "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    client.write_all(req.as_bytes()).await.unwrap();
    let res = read_responses(&mut client, 1).await;
    assert_eq!(res[0].status, 200);
    assert_eq!(res[0].body_str(), format!("POST /2 {body}"));

    // After another pause: two pipelined requests, answered in order.
    sleep(PAUSE).await;
    client
        .write_all(b"GET /3 HTTP/1.1\r\nHost: x\r\n\r\nGET /4 HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let bodies: Vec<String> = read_responses(&mut client, 2)
        .await
        .iter()
        .map(|r| r.body_str())
        .collect();
    assert_eq!(bodies, ["GET /3 ", "GET /4 "]);

    // And a head that arrives in two pieces, the second after the connection parked
    // again: the first piece woke it up, so it waits for the rest as an active one.
    sleep(PAUSE).await;
    client.write_all(b"GET /5 HTTP/1.1\r\nHo").await.unwrap();
    sleep(PAUSE).await;
    client.write_all(b"st: x\r\n\r\n").await.unwrap();
    assert_eq!(read_responses(&mut client, 1).await[0].body_str(), "GET /5 ");
    drop(client);
    timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

#[rt_sched::test]
async fn a_head_begun_after_the_pause_gets_408_after_the_header_timeout() {
    let (addr, _stop, task) = serve_one(short_header_timeout()).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    assert_eq!(read_responses(&mut client, 1).await[0].status, 200);
    sleep(PAUSE).await;
    let start = Instant::now();
    client.write_all(b"GET /2 HTTP/1.1\r\nHo").await.unwrap();
    let waited = expect_lone_408(&mut client, start).await;
    assert!(waited >= Duration::from_millis(300), "408 after {waited:?}");
    timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

#[rt_sched::test]
async fn a_parked_connection_closes_at_the_end_of_its_keep_alive_time() {
    let config = Config::new().keep_alive_timeout(Duration::from_millis(400));
    let (addr, _stop, task) = serve_one(config).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    assert_eq!(read_responses(&mut client, 1).await[0].status, 200);
    let start = Instant::now();
    assert_eq!(read_to_end(&mut client).await, b"");
    let waited = start.elapsed();
    // From the response, give or take the timer's millisecond and the coarse clock (and,
    // above, a loaded machine).
    assert!(
        waited >= Duration::from_millis(350) && waited < Duration::from_secs(3),
        "closed after {waited:?}"
    );
    timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

/// How a test ends a connection.
enum End {
    /// The server's shutdown signal.
    Shutdown,
    /// The client's half-close.
    HalfClose,
}

/// Opens a connection (which makes one request first if `request_first`), waits past the
/// park delay, ends it with `end`, and checks that the server closes its side and the
/// connection's task ends.
async fn closes_when(end: End, request_first: bool) {
    let (addr, stop, task) = serve_one(Config::new()).await;
    let mut client = TcpStream::connect(addr).await.unwrap();
    if request_first {
        client.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        assert_eq!(read_responses(&mut client, 1).await[0].status, 200);
    }
    sleep(PAUSE).await;
    match end {
        End::Shutdown => stop.send(true).unwrap(),
        End::HalfClose => client.shutdown(std::net::Shutdown::Write).unwrap(),
    }
    assert_eq!(read_to_end(&mut client).await, b"");
    timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

#[rt_sched::test]
async fn a_parked_connection_closes_on_shutdown_and_when_the_client_leaves() {
    closes_when(End::Shutdown, true).await;
    closes_when(End::HalfClose, true).await;
}

#[rt_sched::test]
async fn a_new_connection_that_sends_nothing_gets_408_at_the_header_timeout() {
    let (addr, _stop, task) = serve_one(short_header_timeout()).await;
    let start = Instant::now();
    let mut client = TcpStream::connect(addr).await.unwrap();
    let waited = expect_lone_408(&mut client, start).await;
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "408 after {waited:?}"
    );
    timeout(Duration::from_secs(5), task).await.unwrap().unwrap();
}

#[rt_sched::test]
async fn a_new_connection_closes_on_shutdown_and_when_the_client_leaves() {
    closes_when(End::Shutdown, false).await;
    closes_when(End::HalfClose, false).await;
}
