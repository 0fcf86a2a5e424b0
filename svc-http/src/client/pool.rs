//! [`Pool`]: the connections to one endpoint, reused across requests.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, Response};
use rt_core::time::{sleep_until, timeout, Instant};
use rt_net::TcpStream;
use svc_trait::Service;

use super::conn::{CheckIn, Conn, Recycle};
use crate::body::Body;
use crate::error::{Error, Kind};

/// The pool's limits and timeouts.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use svc_http::client::PoolConfig;
///
/// let config = PoolConfig::new().max_idle(8).idle_timeout(Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PoolConfig {
    max_idle: usize,
    idle_timeout: Duration,
    connect_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            max_idle: 32,
            idle_timeout: Duration::from_secs(90),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl PoolConfig {
    /// The defaults: 32 idle connections kept at most, for at most 90 s each; 10 s to
    /// connect.
    pub fn new() -> PoolConfig {
        PoolConfig::default()
    }

    /// The most idle connections kept; more are closed when their response ends.
    pub fn max_idle(mut self, n: usize) -> PoolConfig {
        self.max_idle = n;
        self
    }

    /// How long an idle connection is kept before it is closed.
    pub fn idle_timeout(mut self, timeout: Duration) -> PoolConfig {
        self.idle_timeout = timeout;
        self
    }

    /// How long connecting may take; then the request fails with
    /// [`Error::is_connect`] and [`Error::is_timeout`].
    pub fn connect_timeout(mut self, timeout: Duration) -> PoolConfig {
        self.connect_timeout = timeout;
        self
    }
}

/// A connection pool to one endpoint, and a [`Service`] sending each request over one of
/// its connections.
///
/// A request takes the most recently used idle connection that is still open (idle
/// connections past the idle timeout, or closed by the server, are dropped), else
/// connects. The connection goes back to the pool when the response body has been read
/// to the end, if both sides keep it alive; a response body dropped early closes it.
/// Clones share the pool. The service is always ready: limit concurrency with a layer.
///
/// Every request goes to the pool's endpoint whatever its URI says; the URI's path and
/// query are sent, and a `host` field from its authority (else the endpoint's address)
/// if the request has none.
///
/// # Errors
///
/// Requests fail with [`Error`]: [`is_connect`](Error::is_connect) (refused, or over the
/// connect timeout: then also [`is_timeout`](Error::is_timeout)), [`is_closed`](Error::is_closed)
/// (the connection closed before a response: a reused connection the server just
/// closed, a crash), [`is_protocol`](Error::is_protocol). Connection errors carry an
/// `io::Error` source of kind `ConnectionRefused` / `UnexpectedEof` / `ConnectionReset`
/// for retry classifiers.
///
/// # Examples
///
/// ```no_run
/// use svc_http::client::{Pool, PoolConfig};
/// use svc_trait::ServiceExt;
///
/// # async fn f() -> Result<(), svc_http::Error> {
/// let pool = Pool::new("127.0.0.1:8080".parse().unwrap(), PoolConfig::default());
/// let req = http::Request::get("/").body(svc_http::Body::empty()).unwrap();
/// let res = pool.clone().oneshot(req).await?;
/// let body = res.into_body().collect(1 << 20).await?; // the connection goes back to the pool
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    /// This pool, for the reaper it starts.
    me: Weak<Shared>,
    addr: SocketAddr,
    host: String,
    config: PoolConfig,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Oldest first.
    idle: Vec<Idle>,
    reaper: bool,
}

struct Idle {
    conn: Conn<TcpStream>,
    since: Instant,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("addr", &self.shared.addr)
            .field("config", &self.shared.config)
            .field("idle", &self.idle_count())
            .finish()
    }
}

impl Pool {
    /// A pool of connections to `addr`.
    pub fn new(addr: SocketAddr, config: PoolConfig) -> Pool {
        let shared = Arc::new_cyclic(|me| Shared {
            me: me.clone(),
            addr,
            host: addr.to_string(),
            config,
            state: Mutex::new(State::default()),
        });
        Pool { shared }
    }

    /// The endpoint's address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// How many idle connections the pool holds now.
    pub fn idle_count(&self) -> usize {
        self.shared.lock().idle.len()
    }

    /// One request on a pooled or new connection.
    ///
    /// An `async` block that captures the request and the pool once and lends them to
    /// what it awaits: nested `async fn`s taking them by value would each keep a copy in
    /// this boxed future (it was 2.3 KiB).
    fn request(&self, req: Request<Body>) -> impl Future<Output = Result<Response<Body>, Error>> + Send + 'static {
        let shared = self.shared.clone();
        let mut req = req;
        async move {
            let conn = match shared.checkout() {
                Some(conn) => conn,
                None => shared.connect().await?,
            };
            let weak = Arc::downgrade(&shared);
            let recycle: Recycle<TcpStream> = weak;
            conn.send(&mut req, &shared.host, Some(recycle)).await
        }
    }
}

impl Shared {
    async fn connect(&self) -> Result<Conn<TcpStream>, Error> {
        let connect = TcpStream::connect(self.addr);
        match timeout(self.config.connect_timeout, connect).await {
            Ok(Ok(stream)) => {
                let _ = stream.set_nodelay(true);
                Ok(Conn::new(stream))
            }
            Ok(Err(e)) => Err(Error::new(Kind::Connect, Some(e.into()))),
            Err(_) => {
                let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "connect timed out");
                Err(Error::new(Kind::ConnectTimeout, Some(e.into())))
            }
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recent idle connection still usable.
    fn checkout(&self) -> Option<Conn<TcpStream>> {
        // The idle timeout needs no precision: the runtime's coarse clock, no clock read.
        let now = Instant::recent();
        let mut state = self.lock();
        while let Some(idle) = state.idle.pop() {
            if now.saturating_duration_since(idle.since) < self.config.idle_timeout && is_open(&idle.conn) {
                return Some(idle.conn);
            }
        }
        None
    }

    /// Drops the idle connections past the idle timeout; returns when the next expires.
    fn purge(&self, state: &mut State) -> Option<Instant> {
        let now = Instant::now();
        state
            .idle
            .retain(|idle| now.saturating_duration_since(idle.since) < self.config.idle_timeout);
        state.idle.first().map(|idle| idle.since + self.config.idle_timeout)
    }
}

impl CheckIn<TcpStream> for Shared {
    /// Puts a connection back; starts the reaper that closes it after the idle timeout.
    fn check_in(&self, conn: Conn<TcpStream>) {
        let mut state = self.lock();
        if state.idle.len() >= self.config.max_idle {
            return;
        }
        state.idle.push(Idle {
            conn,
            since: Instant::recent(),
        });
        if !state.reaper {
            if let Ok(handle) = rt_sched::Handle::try_current() {
                state.reaper = true;
                drop(state);
                handle.spawn(reap(self.me.clone()));
            }
        }
    }
}

/// Closes idle connections as they expire; ends when none is left (or the pool is gone).
async fn reap(weak: Weak<Shared>) {
    loop {
        let next = {
            let Some(shared) = weak.upgrade() else { return };
            let mut state = shared.lock();
            let next = shared.purge(&mut state);
            if next.is_none() {
                state.reaper = false;
            }
            next
        };
        match next {
            Some(at) => sleep_until(at).await,
            None => return,
        }
    }
}

/// Whether an idle connection is still open: the server has not closed it nor sent
/// anything unasked.
fn is_open(conn: &Conn<TcpStream>) -> bool {
    let mut byte = [0u8; 1];
    matches!(conn.io.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

/// The future of a [`Pool`] call.
pub struct ResponseFuture {
    inner: Pin<Box<dyn Future<Output = Result<Response<Body>, Error>> + Send>>,
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Body>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx)
    }
}

impl Service<Request<Body>> for Pool {
    type Response = Response<Body>;
    type Error = Error;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> ResponseFuture {
        // Built in place in its allocation (`Box::pin` would build it on the stack and
        // copy it in).
        let inner = Box::write(Box::new_uninit(), self.request(req));
        ResponseFuture {
            inner: Box::into_pin(inner),
        }
    }
}
