//! [`Server`]: a TCP accept loop serving each connection on its own task, with graceful
//! shutdown.

use std::fmt;
use std::future::{poll_fn, Future};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use http::{Request, Response};
use rt_core::sync::watch;
use rt_net::{TcpListener, TcpStream, ToSocketAddrs};
use rt_sched::task::JoinSet;
use svc_trait::Service;

use super::config::Config;
use super::conn::serve_connection_with_shutdown;
use super::stop::StopSignal;
use crate::body::Body;
use crate::error::{BoxError, Error};

/// How long an accept loop backs off after an accept error (out of file descriptors...).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// An HTTP/1.1 server: accepts TCP connections and serves each one on its own task with a
/// clone of the service.
///
/// With [`with_graceful_shutdown`](Server::with_graceful_shutdown), once the signal
/// completes the server stops accepting, idle connections close, requests in progress are
/// answered (with `connection: close`), and [`serve`](Server::serve) returns when all
/// connections are done or after the [drain timeout](Server::drain_timeout) (default
/// 30 s), whichever comes first; connections still open then are dropped.
///
/// # Examples
///
/// ```no_run
/// use svc_http::{server::Server, Body};
/// use svc_trait::service_fn;
///
/// # async fn f() -> std::io::Result<()> {
/// let hello = service_fn(|_req: http::Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(Body::from("Hello World")))
/// });
/// Server::bind("127.0.0.1:8080")
///     .await?
///     .with_graceful_shutdown(async { let _ = rt_net::signal::ctrl_c().await; })
///     .serve(hello)
///     .await
/// # }
/// ```
pub struct Server {
    listener: TcpListener,
    config: Config,
    drain_timeout: Duration,
    shutdown: Option<Signal>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("listener", &self.listener)
            .field("config", &self.config)
            .field("drain_timeout", &self.drain_timeout)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds a listener to `addr`.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::bind`].
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<Server> {
        Ok(Server::from_listener(TcpListener::bind(addr).await?))
    }

    /// A server on a listener bound already.
    pub fn from_listener(listener: TcpListener) -> Server {
        Server {
            listener,
            config: Config::default(),
            drain_timeout: Duration::from_secs(30),
            shutdown: None,
        }
    }

    /// The address the server listens on.
    ///
    /// # Errors
    ///
    /// As [`TcpListener::local_addr`].
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The connections' limits and timeouts.
    pub fn config(mut self, config: Config) -> Server {
        self.config = config;
        self
    }

    /// How long a graceful shutdown waits for connections to finish.
    pub fn drain_timeout(mut self, timeout: Duration) -> Server {
        self.drain_timeout = timeout;
        self
    }

    /// Shuts the server down gracefully when `signal` completes.
    pub fn with_graceful_shutdown(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Server {
        self.shutdown = Some(Box::pin(signal));
        self
    }

    /// Serves connections until the shutdown signal (forever without one).
    ///
    /// # Errors
    ///
    /// None so far: accept errors (such as running out of file descriptors) are waited
    /// out; the `io::Result` leaves room for fatal ones.
    pub async fn serve<S>(self, service: S) -> io::Result<()>
    where
        S: Service<Request<Body>, Response = Response<Body>> + Clone + Send + 'static,
        S::Future: Send,
        S::Error: Into<BoxError>,
    {
        let Server {
            listener,
            config,
            drain_timeout,
            shutdown,
        } = self;
        let mut shutdown = shutdown.unwrap_or_else(|| Box::pin(std::future::pending()));
        let (stop, stopped) = watch::channel(false);
        let mut conns = JoinSet::new();
        loop {
            let accepted = poll_fn(|cx| match shutdown.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(None),
                Poll::Pending => listener.poll_accept(cx).map(Some),
            })
            .await;
            match accepted {
                None => break,
                Some(Ok((stream, _peer))) => {
                    let svc = service.clone();
                    conns.spawn(connection(stream, svc, config, stopped.clone()));
                    while conns.try_join_next().is_some() {}
                }
                Some(Err(_)) => rt_core::time::sleep(ACCEPT_BACKOFF).await,
            }
        }
        drop(listener);
        let _ = stop.send(true);
        let drained = rt_core::time::timeout(drain_timeout, async { while conns.join_next().await.is_some() {} });
        if drained.await.is_err() {
            conns.shutdown().await;
        }
        Ok(())
    }
}

/// Serves one accepted connection until it ends or the server stops.
///
/// Not an `async fn`: one would keep its arguments and, in the connection's future, a
/// second copy of them for as long as the connection is open.
fn connection<S>(
    stream: TcpStream,
    service: S,
    config: Config,
    stopped: watch::Receiver<bool>,
) -> impl Future<Output = Result<(), Error>>
where
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: Into<BoxError>,
{
    let _ = stream.set_nodelay(true);
    // A broken connection is the client's business: the result is not looked at.
    serve_connection_with_shutdown(stream, service, config, StopSignal::new(stopped))
}
