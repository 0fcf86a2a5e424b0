//! What a kept-alive connection holds once it has served a request and gone idle: it is
//! parked, with no request loop, no read buffer, no write buffer, no header scratch. Measured as live heap bytes with a
//! counting allocator, over real loopback connections.

use std::alloc::{GlobalAlloc, Layout, System};
use std::convert::Infallible;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicIsize, Ordering::Relaxed};
use std::time::Duration;

use svc_http::{server, Body};
use svc_trait::service_fn;

/// Counts the bytes allocated and not yet freed, process-wide.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator with the same arguments; the
// counter is only bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Connections per measurement: enough that per-connection bytes dominate noise.
const CONNECTIONS: usize = 200;

/// Opens a connection, completes one request on it, and keeps it open.
fn one_request(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nuser-agent: test\r\naccept: */*\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    while !response.ends_with(b"hello") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the response");
        response.extend_from_slice(&buf[..n]);
    }
    stream
}

/// Lets the server finish the tasks of closed connections: its accept loop reaps them
/// (frees their memory) only when it accepts again, so two short-lived connections follow.
fn settle(addr: std::net::SocketAddr) {
    for _ in 0..2 {
        std::thread::sleep(Duration::from_millis(200));
        drop(TcpStream::connect(addr).unwrap());
    }
    std::thread::sleep(Duration::from_millis(200));
}

#[test]
fn an_idle_connection_is_parked_and_keeps_no_buffers() {
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let server = server::Server::bind("127.0.0.1:0").await.unwrap();
        let addr = server.local_addr().unwrap();
        let hello = service_fn(|_req: http::Request<Body>| async {
            Ok::<_, Infallible>(http::Response::new(Body::from("hello")))
        });
        rt_sched::spawn(async move {
            let _ = server.serve(hello).await;
        });
        addr
    });
    // Warm up: lazily built state (the date cache, scratch buffers, table pages).
    let warm: Vec<_> = (0..CONNECTIONS).map(|_| one_request(addr)).collect();
    drop(warm);
    settle(addr);

    // Open connections that wait without a request.
    let before = LIVE.load(Relaxed);
    let waiting: Vec<_> = (0..CONNECTIONS).map(|_| TcpStream::connect(addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let fresh = (LIVE.load(Relaxed) - before) / CONNECTIONS as isize;
    drop(waiting);
    settle(addr);

    // Connections that served a request, parked (after 10 ms).
    let before = LIVE.load(Relaxed);
    let served: Vec<_> = (0..CONNECTIONS).map(|_| one_request(addr)).collect();
    std::thread::sleep(Duration::from_millis(300));
    let after_request = (LIVE.load(Relaxed) - before) / CONNECTIONS as isize;
    drop(served);

    eprintln!("live heap per idle connection: {fresh} bytes before a request, {after_request} after one");
    // Both are parked: a new connection waits for its first request parked, and one that
    // served a request parks after a moment. A parked connection keeps only its stream,
    // service, configuration, shutdown signal and timer, and no request loop or buffer:
    // its task (about 250 bytes), the reactor's and the timer wheel's records, its slots
    // in the server's tables. An active one holds over a kilobyte more. The bound leaves
    // room for tables that grow by doubling.
    assert!(fresh <= 480, "a new connection holds {fresh} bytes: not parked?");
    assert!(
        after_request <= 480,
        "a connection that served a request holds {after_request} bytes: not parked?"
    );
    rt.shutdown_timeout(Duration::from_secs(1));
}
