//! The flaky backend's accept loop: connections are served by `svc-http`, except in the
//! reset part of the failure window, when they are reset.
//!
//! Every accepted socket gets `SO_LINGER` 0, so dropping it sends a TCP RST instead of a
//! FIN. A connection open when the resets begin is dropped right then (with its request
//! in flight, if any); a connection accepted during the resets is dropped at once.

use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{select, Either};
use http::{Request, Response};
use rt_net::{TcpListener, TcpStream};
use svc_http::{server, Body};
use svc_trait::Service;

use crate::backend::Stats;
use crate::clock::Clock;
use crate::schedule::{Failure, Schedule};

/// How long the loop backs off after an accept error.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

/// Accepts connections forever, serving or resetting each as the schedule says.
pub(crate) async fn serve<S>(listener: TcpListener, service: S, clock: Clock, schedule: Schedule, stats: Arc<Stats>)
where
    S: Service<Request<Body>, Response = Response<Body>, Error = std::convert::Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                rt_sched::spawn(connection(stream, service.clone(), clock, schedule, stats.clone()));
            }
            Err(_) => rt_core::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
}

/// Serves one connection until it ends or the resets begin.
async fn connection<S>(stream: TcpStream, service: S, clock: Clock, schedule: Schedule, stats: Arc<Stats>)
where
    S: Service<Request<Body>, Response = Response<Body>, Error = std::convert::Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let _ = stream.set_linger(Some(Duration::ZERO));
    let _ = stream.set_nodelay(true);
    let now = clock.elapsed();
    if schedule.failure(now) == Failure::Reset {
        stats.count_reset();
        return; // dropped: RST
    }
    let serve = pin!(server::serve_connection(stream, service, server::Config::default()));
    if now >= schedule.reset_at {
        let _ = serve.await;
        return;
    }
    let resets_begin = pin!(rt_core::time::sleep(clock.until(schedule.reset_at)));
    if let Either::Right(_) = select(serve, resets_begin).await {
        stats.count_reset(); // the connection is dropped with the select: RST
    }
}
