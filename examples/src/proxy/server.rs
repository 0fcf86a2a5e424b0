//! The accept loop shared by both modes, with graceful shutdown: on the stop signal the
//! listener closes, connections are told to finish (HTTP: answer the request in
//! progress, then close), and the loop returns once they are all done or the drain
//! timeout has passed (then the rest are dropped).

use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;
use rt_core::sync::watch;
use rt_net::{TcpListener, TcpStream};
use svc_http::server::StopSignal;

use super::conns::{Conns, Open};
use super::metrics::Stats;

/// How long the loop backs off after an accept error (out of file descriptors...).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(20);

pin_project! {
    /// A connection's future and its [`Open`] slot: the future is polled where it lies
    /// (an `async` block awaiting it would hold a second copy of it), its output dropped.
    struct Tracked<F> {
        #[pin]
        conn: F,
        open: Open,
    }
}

impl<F: Future> Future for Tracked<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().conn.poll(cx).map(drop)
    }
}

/// Accepts connections until `stop`, serving each with `serve` on a task of its own;
/// then drains them within `drain`.
pub(crate) async fn accept_loop<F, Fut>(
    listener: TcpListener,
    stop: watch::Receiver<bool>,
    drain: Duration,
    stats: Arc<Stats>,
    mut serve: F,
) where
    F: FnMut(TcpStream, SocketAddr) -> Fut,
    Fut: Future + Send + 'static,
{
    let mut signal = std::pin::pin!(StopSignal::new(stop));
    let conns = Conns::new(stats);
    loop {
        let accepted = poll_fn(|cx| match signal.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => listener.poll_accept(cx).map(Some),
        })
        .await;
        match accepted {
            None => break,
            Some(Ok((stream, peer))) => {
                let conn = serve(stream, peer);
                conns.spawn(|open| rt_sched::spawn(Tracked { conn, open }).abort_handle());
            }
            Some(Err(error)) => {
                tracing::warn!(%error, "accept failed; backing off");
                rt_core::time::sleep(ACCEPT_BACKOFF).await;
            }
        }
    }
    drop(listener);
    let open = conns.len();
    tracing::info!(connections = open, "stopped accepting; draining");
    let drained = rt_core::time::timeout(drain, conns.drained()).await;
    if drained.is_err() {
        tracing::warn!(
            connections = conns.len(),
            "drain timeout; closing the remaining connections"
        );
        conns.abort_all().await;
    }
}
