//! Shared helpers of the proxy's end-to-end tests: backends (small `svc-http` servers),
//! misbehaving backends, a client, and a proxy started on free ports.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use examples::proxy::{Config, Proxy};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use http::{HeaderMap, Request, Response, StatusCode};
use rt_net::{TcpListener, TcpStream};
use rt_sched::task::JoinHandle;
use svc_http::client::{Pool, PoolConfig};
use svc_http::Body;
use svc_trait::{service_fn, ServiceExt};

/// A backend: answers `200` with its name; `/slow/<ms>` after a delay; `/status/<code>`
/// with that status; echoes what it saw of the forwarding headers; counts requests.
pub struct Backend {
    pub addr: SocketAddr,
    pub name: &'static str,
    pub hits: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Backend {
    pub async fn start(name: &'static str) -> Backend {
        Backend::start_on("127.0.0.1:0".parse().unwrap(), name).await
    }

    pub async fn start_on(addr: SocketAddr, name: &'static str) -> Backend {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicU64::new(0));
        let counter = hits.clone();
        let service = service_fn(move |req: Request<Body>| {
            counter.fetch_add(1, Ordering::SeqCst);
            answer(name, req)
        });
        let server = svc_http::server::Server::from_listener(listener);
        let task = rt_sched::spawn(async move {
            let _ = server.serve(service).await;
        });
        Backend { addr, name, hits, task }
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }

    /// Kills the backend: its listener and every connection close at once.
    pub fn kill(&self) {
        self.task.abort();
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn answer(name: &'static str, req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_owned();
    let seen = seen_headers(req.headers());
    let body = req.into_body().collect(1 << 20).await.map(|b| b.len()).unwrap_or(0);
    let mut status = StatusCode::OK;
    if let Some(ms) = path.strip_prefix("/slow/") {
        rt_core::time::sleep(Duration::from_millis(ms.parse().unwrap())).await;
    }
    if let Some(code) = path.strip_prefix("/status/") {
        status = StatusCode::from_u16(code.parse().unwrap()).unwrap();
    }
    let mut res = Response::new(Body::from(format!("{name} {body}")));
    *res.status_mut() = status;
    let headers = res.headers_mut();
    headers.insert("x-backend", name.parse().unwrap());
    headers.insert("x-seen", seen.parse().unwrap());
    // A hop-by-hop field the proxy must not pass back.
    headers.insert("keep-alive", "timeout=5".parse().unwrap());
    Ok(res)
}

/// `name=value;` for the fields a test looks at.
fn seen_headers(headers: &HeaderMap) -> String {
    let mut seen = String::new();
    for name in [
        "x-forwarded-for",
        "forwarded",
        "x-secret",
        "keep-alive",
        "proxy-authorization",
        "te",
        "connection",
    ] {
        if let Some(v) = headers.get(name) {
            seen.push_str(&format!("{name}={};", v.to_str().unwrap()));
        }
    }
    seen
}

/// A backend that answers every request `503` at once, on kept-alive connections.
pub async fn failing_backend() -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = service_fn(|_req: Request<Body>| async {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
        Ok::<_, Infallible>(res)
    });
    let server = svc_http::server::Server::from_listener(listener);
    let task = rt_sched::spawn(async move {
        let _ = server.serve(service).await;
    });
    (addr, task)
}

/// A backend that answers every connection with `reply` and then closes it.
pub async fn raw_backend(reply: &'static [u8]) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = rt_sched::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            rt_sched::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf).await;
                let _ = stream.write_all(reply).await;
                let _ = stream.close().await;
            });
        }
    });
    (addr, task)
}

/// A proxy configuration on free ports, with short timeouts for tests.
pub fn config(backends: &[SocketAddr]) -> Config {
    let mut config = Config::new("127.0.0.1:0".parse().unwrap());
    config.backends = backends.to_vec();
    config.admin = Some("127.0.0.1:0".parse().unwrap());
    config.fail_fast = Duration::from_millis(300);
    config.request_timeout = Duration::from_secs(5);
    config.watch_interval = Duration::from_millis(50);
    config
}

pub async fn start(config: Config) -> Proxy {
    Proxy::start(config).await.unwrap()
}

/// A keep-alive client of `addr`.
pub fn client(addr: SocketAddr) -> Pool {
    Pool::new(addr, PoolConfig::default())
}

/// A response, its body read.
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn backend(&self) -> &str {
        self.headers.get("x-backend").map_or("", |v| v.to_str().unwrap())
    }
}

pub async fn send(pool: &Pool, req: Request<Body>) -> Answer {
    let res = pool.clone().oneshot(req).await.expect("the proxy answers");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let body = res.into_body().collect(1 << 20).await.expect("a whole body");
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

pub async fn get(pool: &Pool, path: &str) -> Answer {
    let req = Request::get(path).body(Body::empty()).unwrap();
    send(pool, req).await
}

/// Sends raw bytes on a fresh connection and reads the whole answer (until close).
pub async fn raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = rt_core::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Waits until `f` holds, for at most `limit`.
pub async fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = rt_core::time::Instant::now() + limit;
    while rt_core::time::Instant::now() < deadline {
        if f() {
            return true;
        }
        rt_core::time::sleep(Duration::from_millis(20)).await;
    }
    f()
}
