//! `Server`: the accept loop and its graceful shutdown.

use std::time::Duration;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_core::sync::oneshot;
use rt_core::time::{sleep, timeout, Instant};
use rt_net::TcpStream;
use svc_http::server::Server;
use svc_http::Body;
use svc_trait::service_fn;

async fn slow_server(
    delay: Duration,
    drain: Duration,
) -> (
    std::net::SocketAddr,
    oneshot::Sender<()>,
    rt_sched::task::JoinHandle<std::io::Result<()>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let server = Server::bind("127.0.0.1:0")
        .await
        .unwrap()
        .drain_timeout(drain)
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
    let addr = server.local_addr().unwrap();
    let svc = service_fn(move |_req: http::Request<Body>| async move {
        sleep(delay).await;
        Ok::<_, std::convert::Infallible>(http::Response::new(Body::from("done")))
    });
    (addr, stop, rt_sched::spawn(server.serve(svc)))
}

async fn read_to_end(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[rt_sched::test]
async fn shutdown_answers_requests_in_flight_and_closes_idle_connections() {
    let (addr, stop, server) = slow_server(Duration::from_millis(200), Duration::from_secs(10)).await;
    let mut busy = TcpStream::connect(addr).await.unwrap();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    busy.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    sleep(Duration::from_millis(50)).await;
    stop.send(()).unwrap();
    let answer = read_to_end(&mut busy).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    assert!(answer.ends_with("done"), "{answer}");
    assert_eq!(read_to_end(&mut idle).await, "");
    timeout(Duration::from_secs(5), server).await.unwrap().unwrap().unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

#[rt_sched::test]
async fn shutdown_gives_up_on_connections_after_the_drain_timeout() {
    let (addr, stop, server) = slow_server(Duration::from_secs(3600), Duration::from_millis(100)).await;
    let mut stuck = TcpStream::connect(addr).await.unwrap();
    stuck.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    sleep(Duration::from_millis(50)).await;
    let start = Instant::now();
    stop.send(()).unwrap();
    timeout(Duration::from_secs(5), server).await.unwrap().unwrap().unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(read_to_end(&mut stuck).await, "");
}

#[rt_sched::test]
async fn the_accept_loop_serves_many_connections() {
    let (addr, stop, server) = slow_server(Duration::ZERO, Duration::from_secs(1)).await;
    for _ in 0..20 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET / HTTP/1.0\r\n\r\n").await.unwrap();
        assert!(read_to_end(&mut stream).await.ends_with("done"));
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
