//! L4 mode: each client connection is balanced to one endpoint and copied both ways with
//! `copy_bidirectional`.
//!
//! The balancer is the same power-of-two-choices one, with failure accrual and fail
//! fast, over connectors; its load is the number of open connections
//! ([`PendingRequests`], with the request in flight until the connection closes: p2c
//! least-connections). PeakEWMA would measure connect times only, which say nothing of
//! how busy a backend is with long-lived connections.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use rt_core::time::Instant;
use rt_net::TcpStream;
use svc_balance::load::{InFlight, PendingRequests, TrackCompletion};
use svc_balance::Balance;
use svc_trait::{Service, ServiceExt};

use super::metrics::Stats;

/// The balancer of L4 mode.
pub(crate) type TcpBal = Balance<SocketAddr, Connector, (), PendingRequests, UntilClosed>;

/// Keeps a connection counted as in flight until it is dropped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UntilClosed;

impl TrackCompletion<PendingRequests, TcpStream> for UntilClosed {
    type Output = (TcpStream, InFlight<PendingRequests>);

    fn track(&self, guard: InFlight<PendingRequests>, stream: TcpStream) -> Self::Output {
        (stream, guard)
    }
}

/// Connects to one endpoint. Like the HTTP endpoint, it turns unready after a failed
/// connect, so the balancer ejects the endpoint at once.
#[derive(Debug, Clone)]
pub(crate) struct Connector {
    addr: SocketAddr,
    timeout: Duration,
    down: Arc<AtomicBool>,
}

impl Connector {
    pub(crate) fn new(addr: SocketAddr, timeout: Duration) -> Connector {
        Connector {
            addr,
            timeout,
            down: Arc::new(AtomicBool::new(false)),
        }
    }
}

type ConnectFuture = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

impl Service<()> for Connector {
    type Response = TcpStream;
    type Error = io::Error;
    type Future = ConnectFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.down.swap(false, Ordering::Relaxed) {
            return Poll::Ready(Err(io::Error::new(io::ErrorKind::ConnectionRefused, "endpoint down")));
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, (): ()) -> ConnectFuture {
        let (addr, timeout, down) = (self.addr, self.timeout, self.down.clone());
        Box::pin(async move {
            let result = match rt_core::time::timeout(timeout, TcpStream::connect(addr)).await {
                Ok(result) => result,
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out")),
            };
            if result.is_err() {
                down.store(true, Ordering::Relaxed);
            }
            result
        })
    }
}

/// Serves one client connection: connect to an endpoint (retrying connect failures on
/// other endpoints, `attempts` tries in all), then copy both ways until both sides are
/// done.
pub(crate) async fn serve(mut client: TcpStream, balance: TcpBal, attempts: u32, stats: Arc<Stats>) {
    let start = Instant::now();
    let _ = client.set_nodelay(true);
    let mut upstream = None;
    for _ in 0..attempts.max(1) {
        match balance.clone().oneshot(()).await {
            Ok(stream) => {
                upstream = Some(stream);
                break;
            }
            Err(e) if e.is_endpoint_error() => continue,
            Err(_) => break, // no healthy endpoint within the fail-fast timeout
        }
    }
    stats.observe(start.elapsed());
    let Some((mut upstream, _in_flight)) = upstream else {
        tracing::debug!("no endpoint for a tcp connection; closing it");
        return;
    };
    let _ = upstream.set_nodelay(true);
    let _ = rt_net::io::copy_bidirectional(&mut client, &mut upstream).await;
}
