//! The HTTP hello-world servers of `http_hello_cpu_per_req`: each side's own HTTP stack.
//!
//! Ours is `svc-http`'s server with a `svc-trait` `service_fn` handler on rt-sched (what
//! the `hello_http` example runs); the peer is hyper 1.x's HTTP/1.1 connection driver
//! with a `hyper::service::service_fn` handler on tokio, one task per connection, as in
//! hyper's own hello-world example. Both answer every request with `200 OK` and the body
//! `Hello World!\n`, keep-alive, and run in the `net` server child process (kind
//! `http`), on a fresh runtime with 2 workers.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};

use crate::runtimes::{fresh, on_worker, Ours, Peer, Runtime as _};

/// The body both servers answer with.
const HELLO: &str = "Hello World!\n";

/// Serves HTTP hello world on our stack forever; prints `ready ADDR` once bound.
///
/// # Panics
///
/// Panics when the listener cannot be bound or the server fails.
pub(crate) fn serve_ours() {
    let runtime = fresh::<Ours>();
    on_worker(&runtime, async {
        let server = svc_http::server::Server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("binding the svc-http server");
        println!("ready {}", server.local_addr().expect("the listener's address"));
        let hello = svc_trait::service_fn(|_req: http::Request<svc_http::Body>| async {
            Ok::<_, Infallible>(http::Response::new(svc_http::Body::from(HELLO)))
        });
        server.serve(hello).await.expect("the svc-http server failed");
    });
}

/// Serves HTTP hello world with hyper on tokio forever; prints `ready ADDR` once bound.
///
/// # Panics
///
/// Panics when the listener cannot be bound or `accept` fails.
pub(crate) fn serve_peer() {
    let runtime = fresh::<Peer>();
    on_worker(&runtime, async {
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .expect("binding the hyper server");
        println!("ready {}", listener.local_addr().expect("the listener's address"));
        loop {
            let (stream, _) = listener.accept().await.expect("accept failed");
            drop(Peer::spawn(async move {
                let hello = hyper::service::service_fn(|_req: hyper::Request<hyper::body::Incoming>| async {
                    Ok::<_, Infallible>(hyper::Response::new(http_body_util::Full::new(
                        bytes::Bytes::from_static(HELLO.as_bytes()),
                    )))
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), hello)
                    .await;
            }));
        }
    });
}
