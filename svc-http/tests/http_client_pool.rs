//! The client and its per-endpoint pool over loopback: reuse, max idle, idle timeout,
//! connect timeout, and the error kinds a retry classifier relies on.

use std::error::Error as _;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::TcpListener;
use svc_http::client::{Pool, PoolConfig};
use svc_http::{server, Body, Error};
use svc_trait::{service_fn, ServiceExt};

/// An echo server on loopback that counts the connections it accepted.
async fn echo_server(delay: Duration) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    rt_sched::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            count.fetch_add(1, Ordering::SeqCst);
            let svc = service_fn(move |req: http::Request<Body>| async move {
                rt_core::time::sleep(delay).await;
                let body = req.into_body().collect(1 << 20).await?;
                Ok::<_, Error>(http::Response::new(Body::from(body)))
            });
            rt_sched::spawn(server::serve_connection(stream, svc, server::Config::default()));
        }
    });
    (addr, accepted)
}

/// A server that answers every connection with `reply` (after reading a little) and closes.
async fn raw_server(reply: &'static [u8]) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    rt_sched::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            rt_sched::spawn(async move {
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(reply).await;
                let _ = stream.close().await;
            });
        }
    });
    addr
}

async fn get(pool: &Pool, body: &'static str) -> Result<Bytes, Error> {
    let req = http::Request::post("/echo").body(Body::from(body)).unwrap();
    let res = pool.clone().oneshot(req).await?;
    assert_eq!(res.status(), 200);
    res.into_body().collect(1 << 20).await
}

#[rt_sched::test]
async fn connections_are_reused_once_the_body_is_read() {
    let (addr, accepted) = echo_server(Duration::ZERO).await;
    let pool = Pool::new(addr, PoolConfig::default());
    for i in 0..5 {
        assert_eq!(&get(&pool, "ping").await.unwrap()[..], b"ping", "request {i}");
    }
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    assert_eq!(pool.idle_count(), 1);
}

#[rt_sched::test]
async fn a_dropped_body_closes_its_connection() {
    let (addr, accepted) = echo_server(Duration::ZERO).await;
    let pool = Pool::new(addr, PoolConfig::default());
    let req = http::Request::post("/").body(Body::from("unread")).unwrap();
    drop(pool.clone().oneshot(req).await.unwrap());
    assert_eq!(pool.idle_count(), 0);
    get(&pool, "x").await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[rt_sched::test]
async fn a_streamed_request_body_goes_out_chunked() {
    let (addr, _) = echo_server(Duration::ZERO).await;
    let pool = Pool::new(addr, PoolConfig::default());
    let chunks = futures::stream::iter(["a", "bc", "def"].map(|s| Ok::<_, io::Error>(Bytes::from(s))));
    let req = http::Request::post("/").body(Body::from_stream(chunks)).unwrap();
    let res = pool.clone().oneshot(req).await.unwrap();
    assert_eq!(res.body().size_hint().exact(), Some(6));
    assert_eq!(&res.into_body().collect(100).await.unwrap()[..], b"abcdef");
}

#[rt_sched::test]
async fn at_most_max_idle_connections_are_kept() {
    let (addr, accepted) = echo_server(Duration::from_millis(50)).await;
    let pool = Pool::new(addr, PoolConfig::new().max_idle(2));
    let all = futures::future::join_all((0..4).map(|_| get(&pool, "x"))).await;
    assert!(all.iter().all(Result::is_ok));
    assert_eq!(accepted.load(Ordering::SeqCst), 4);
    assert_eq!(pool.idle_count(), 2);
}

#[rt_sched::test]
async fn idle_connections_close_after_the_idle_timeout() {
    let (addr, accepted) = echo_server(Duration::ZERO).await;
    let pool = Pool::new(addr, PoolConfig::new().idle_timeout(Duration::from_millis(100)));
    get(&pool, "x").await.unwrap();
    assert_eq!(pool.idle_count(), 1);
    rt_core::time::sleep(Duration::from_millis(300)).await;
    // The reaper closed it without waiting for a request.
    assert_eq!(pool.idle_count(), 0);
    get(&pool, "x").await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}

#[rt_sched::test]
async fn a_connection_the_server_closed_is_not_reused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    rt_sched::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let svc =
                service_fn(|_req: http::Request<Body>| async { Ok::<_, Error>(http::Response::new(Body::from("k"))) });
            let config = server::Config::new().keep_alive_timeout(Duration::from_millis(20));
            rt_sched::spawn(server::serve_connection(stream, svc, config));
        }
    });
    let pool = Pool::new(addr, PoolConfig::default());
    get(&pool, "x").await.unwrap();
    rt_core::time::sleep(Duration::from_millis(200)).await;
    // The server closed the idle connection: the pool notices and connects anew.
    get(&pool, "x").await.unwrap();
}

fn io_kind(err: &Error) -> Option<io::ErrorKind> {
    err.source()?.downcast_ref::<io::Error>().map(io::Error::kind)
}

#[rt_sched::test]
async fn a_refused_connection_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap_err();
    assert!(err.is_connect() && !err.is_timeout(), "{err}");
    assert_eq!(io_kind(&err), Some(io::ErrorKind::ConnectionRefused));
}

#[rt_sched::test]
async fn a_connect_over_the_timeout_is_a_connect_timeout() {
    // A listener whose accept queue is full drops further SYNs: connecting hangs.
    let socket = rt_net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let full = loop {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(stream) if held.len() < 64 => held.push(stream),
            Ok(_) => break false,
            Err(e) => break e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock,
        }
    };
    if !full {
        println!("skipped: this kernel does not drop SYNs to a full accept queue");
        return;
    }
    let pool = Pool::new(addr, PoolConfig::new().connect_timeout(Duration::from_millis(100)));
    let err = get(&pool, "x").await.unwrap_err();
    assert!(err.is_connect() && err.is_timeout(), "{err}");
    drop(listener);
}

#[rt_sched::test]
async fn a_connection_closed_before_a_response_is_a_closed_error() {
    let addr = raw_server(b"").await;
    let err = get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap_err();
    assert!(err.is_closed(), "{err}");
    assert_eq!(io_kind(&err), Some(io::ErrorKind::UnexpectedEof));
}

#[rt_sched::test]
async fn garbage_is_a_protocol_error() {
    let addr = raw_server(b"SMTP ready\r\n\r\n").await;
    let err = get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap_err();
    assert!(err.is_protocol(), "{err}");
    let addr = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n").await;
    let err = get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap_err();
    assert!(err.is_protocol(), "{err}");
}

#[rt_sched::test]
async fn response_framings_are_decoded() {
    let addr = raw_server(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\nuntil close").await;
    let pool = Pool::new(addr, PoolConfig::default());
    assert_eq!(&get(&pool, "x").await.unwrap()[..], b"until close");
    assert_eq!(pool.idle_count(), 0);
    let addr = raw_server(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: 1\r\n\r\n").await;
    assert_eq!(
        &get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap()[..],
        b"abc"
    );
    let addr = raw_server(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").await;
    let err = get(&Pool::new(addr, PoolConfig::default()), "x").await.unwrap_err();
    assert!(err.is_closed(), "{err}");
}

#[rt_sched::test]
async fn an_https_uri_is_an_invalid_request() {
    let (addr, _) = echo_server(Duration::ZERO).await;
    let req = http::Request::get("https://example.com/").body(Body::empty()).unwrap();
    let err = Pool::new(addr, PoolConfig::default()).oneshot(req).await.unwrap_err();
    assert!(err.is_invalid_request(), "{err}");
}

#[rt_sched::test]
async fn send_request_works_over_one_connection() {
    let (addr, _) = echo_server(Duration::ZERO).await;
    let stream = rt_net::TcpStream::connect(addr).await.unwrap();
    let req = http::Request::post("http://localhost/")
        .body(Body::from("one"))
        .unwrap();
    let res = svc_http::client::send_request(stream, req).await.unwrap();
    assert_eq!(&res.into_body().collect(10).await.unwrap()[..], b"one");
}

#[rt_sched::test(start_paused = true)]
async fn idle_connections_expire_on_the_paused_clock() {
    let (addr, accepted) = echo_server(Duration::ZERO).await;
    let pool = Pool::new(addr, PoolConfig::new().idle_timeout(Duration::from_secs(30)));
    get(&pool, "x").await.unwrap();
    rt_core::time::sleep(Duration::from_secs(29)).await;
    assert_eq!(pool.idle_count(), 1);
    get(&pool, "x").await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 1, "reused within the idle timeout");
    rt_core::time::sleep(Duration::from_secs(31)).await;
    assert_eq!(pool.idle_count(), 0, "the reaper closes it after the idle timeout");
    get(&pool, "x").await.unwrap();
    assert_eq!(accepted.load(Ordering::SeqCst), 2);
}
