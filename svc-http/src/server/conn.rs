//! One server connection: read a request head, call the service, stream the request body
//! to it on demand, write the response; repeat while the connection is kept alive.
//!
//! Pipelined requests are answered in order: a request is read only after the previous
//! response was written. Responses to pipelined requests gather in the write buffer and
//! go out together when the connection would otherwise wait (for bytes from the client,
//! or for a slow handler).

use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use http::{Method, Request, Response, StatusCode};
use rt_core::time::{sleep_until, Instant, Sleep};
use svc_trait::Service;

use self::park::{Connection, Outcome, Parked};
use super::chan::{self, Sender};
use super::config::Config;
use crate::body::Body;
use crate::error::{BoxError, Error};
use crate::proto::decode::{Decoder, Framing};
use crate::proto::head::{self, RequestHead};
use crate::proto::read_buf::ReadBuf;

/// At most this much of a request body the handler did not read is drained to keep the
/// connection; a longer rest closes it.
const MAX_DRAIN: u64 = 64 * 1024;
/// A write buffer grown past this is dropped once written.
const MAX_KEPT_WRITE_BUF: usize = 4 * 1024;
/// A keep-alive connection that waited this long for its next request is parked: it
/// gives back its buffers and everything else only a request in progress needs. Long
/// next to a request's service time, so a busy client's connection stays active; short,
/// so that a burst of clients that each make a request and go quiet leaves few active
/// connections at a time (the memory of those is given back, but the heap it fragmented
/// stays resident).
const PARK_AFTER: std::time::Duration = std::time::Duration::from_millis(10);

/// Serves HTTP/1.1 requests on `io` with `service` until the client closes the
/// connection, asks for `connection: close`, breaks the protocol or times out.
///
/// Bad requests are answered with the right status (400, 408, 413, 431) and the
/// connection is closed. A service error is answered with `500` and the connection closed.
///
/// # Errors
///
/// An I/O error on the connection, or a response body stream that failed mid-way (the
/// connection is then closed without completing the response).
///
/// # Examples
///
/// ```no_run
/// use svc_http::{server, Body};
/// use svc_trait::service_fn;
///
/// # async fn f(stream: rt_net::TcpStream) -> Result<(), svc_http::Error> {
/// let hello = service_fn(|_req: http::Request<Body>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(Body::from("hello")))
/// });
/// server::serve_connection(stream, hello, server::Config::default()).await
/// # }
/// ```
pub fn serve_connection<IO, S>(io: IO, service: S, config: Config) -> impl Future<Output = Result<(), Error>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: Into<BoxError>,
{
    serve_connection_with_shutdown(io, service, config, std::future::pending())
}

/// [`serve_connection`] that stops gracefully once `shutdown` completes: an idle
/// connection closes at once; a request in progress is answered (with
/// `connection: close`) and then the connection closes.
///
/// `shutdown` must be `Unpin`, so that the connection keeps it inline rather than in an
/// allocation of its own; pin a future that is not (`Box::pin(fut)`). [`StopSignal`] is
/// the shutdown signal of svc-http's own [`Server`](super::Server).
///
/// [`StopSignal`]: super::StopSignal
///
/// # Errors
///
/// As [`serve_connection`].
///
/// # Memory
///
/// A new connection, and one that has waited a moment (10 ms) for its next request, is
/// parked: it keeps only the stream, the service, the configuration, the shutdown signal
/// and a timer, in the future itself (168 bytes with a small service and a TCP stream).
/// Its request loop and buffers are in an allocation made when bytes arrive, and freed
/// when it parks or ends. What a request in progress needs is allocated when its head has
/// arrived and freed when its response is written.
pub fn serve_connection_with_shutdown<IO, S, F>(
    io: IO,
    service: S,
    config: Config,
    shutdown: F,
) -> impl Future<Output = Result<(), Error>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: Into<BoxError>,
    F: Future<Output = ()> + Unpin,
{
    // The connection waits for its first request parked, under the header timeout.
    let first_deadline = Instant::now() + config.get_header_timeout();
    let parked = Parked {
        io,
        service,
        config,
        shutdown: Some(shutdown),
        timer: Some(sleep_until(first_deadline)),
    };
    Connection::new(parked, active)
}

/// The active phase of a connection (see [`Connection`]): serves requests from `rb` and
/// the stream until the connection closes or has waited [`PARK_AFTER`] for its next
/// request, then gives its parts back to be parked. `first_deadline`: the header deadline
/// of the connection's first request (which runs from the connection's start, not from
/// the head's first byte); `None` for later requests.
fn active<IO, S, F>(
    parked: Parked<IO, S, F>,
    rb: ReadBuf,
    first_deadline: Option<Instant>,
) -> impl Future<Output = Outcome<IO, S, F>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    S: Service<Request<Body>, Response = Response<Body>>,
    S::Error: Into<BoxError>,
    F: Future<Output = ()> + Unpin,
{
    let Parked {
        io,
        service,
        config,
        shutdown,
        timer,
    } = parked;
    let mut conn = Conn {
        io,
        rb,
        wbuf: Vec::new(),
        wpos: 0,
        config,
        shutdown,
        timer,
        unread_input: false,
    };
    let mut service = service;
    // An `async move` block that only borrows what it captured keeps one copy of it; an
    // `async fn` would keep its arguments and the locals they are moved into.
    async move {
        let res = match conn.run(&mut service, first_deadline).await {
            Ok(Exit::Park(deadline)) => return Outcome::Park(conn.park(service, deadline)),
            Ok(Exit::Close) => Ok(()),
            Err(e) => Err(e),
        };
        conn.close().await;
        Outcome::Done(res)
    }
}

/// The state of the request body being fed to the handler.
struct Pump {
    tx: Option<Sender>,
    decoder: Decoder,
    expect_continue: bool,
    sent_continue: bool,
    /// The connection can no longer be trusted (a framing error, end of stream).
    broken: bool,
}

struct Conn<IO, F> {
    io: IO,
    rb: ReadBuf,
    wbuf: Vec<u8>,
    /// How much of `wbuf` is written.
    wpos: usize,
    config: Config,
    /// `None` once the shutdown signal fired.
    shutdown: Option<F>,
    timer: Option<Sleep>,
    /// The connection closes with client input left unread: linger before closing, so
    /// that the kernel does not answer that input with a reset that destroys the response.
    unread_input: bool,
}

impl<IO, F> Conn<IO, F>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    F: Future<Output = ()> + Unpin,
{
    /// The request loop. An `async move` block rather than an `async fn`, which would
    /// keep `self` and `service` twice (as arguments and as the locals they move into) in
    /// the connection's idle state.
    #[allow(clippy::manual_async_fn)] // See above.
    fn run<'a, S>(
        &'a mut self,
        service: &'a mut S,
        mut first_deadline: Option<Instant>,
    ) -> impl Future<Output = Result<Exit, Error>> + use<'a, IO, F, S>
    where
        S: Service<Request<Body>, Response = Response<Body>>,
        S::Error: Into<BoxError>,
    {
        async move {
            // The awaits after the loop, not in a `match` on a parse result (whose scrutinee
            // lives to the end of the `match`), keep a parsed head out of this future's idle
            // state. The same goes for the `match` in the read loop, which ends before its
            // awaits.
            let reject = 'conn: loop {
                // The header timeout runs from the connection's start for the first request,
                // else from the first byte of the head; before that the keep-alive timeout runs.
                let mut head_deadline = first_deadline.take();
                let mut idle_since = None;
                // The head is parsed here, not in an `async fn` returning it (each step back
                // through a future's result copies it), and moved straight into the request's
                // allocation. Reading it costs no state beyond the two instants above.
                let head = loop {
                    if !self.rb.buf.is_empty() {
                        match head::parse_request(&mut self.rb.buf, self.config.get_max_head_size()) {
                            Ok(Some(head)) => break head,
                            Ok(None) => {}
                            Err(status) => break 'conn Some(status),
                        }
                        head_deadline.get_or_insert_with(|| Instant::now() + self.config.get_header_timeout());
                    }
                    if self.rb.buf.is_empty() && self.shutdown.is_none() {
                        break 'conn None;
                    }
                    // Checked here, not only in `drain`: no future is made for nothing to write.
                    if !self.wbuf.is_empty() {
                        self.drain().await?;
                    }
                    let read = poll_fn(|cx| self.poll_read_head(cx, &mut head_deadline, &mut idle_since)).await;
                    match read {
                        Read::Data => {}
                        Read::Eof | Read::Shutdown => break 'conn None,
                        Read::TimedOut if head_deadline.is_some() => break 'conn Some(StatusCode::REQUEST_TIMEOUT),
                        Read::TimedOut => break 'conn None,
                        Read::Failed(e) => return Err(e),
                        Read::Park(deadline) => return Ok(Exit::Park(deadline)),
                    }
                };
                // What a request in progress needs (its head, the handler's future, the
                // response being written) lives in an allocation of its own, made per
                // request, rather than in this future: the active phase then stays small
                // (its allocation is made whenever a parked connection wakes up), and the
                // heap a burst of short-lived active phases leaves behind has smaller
                // holes. `Box::write` into a fresh allocation copies less than
                // `Box::pin(future)` (callgrind: ~100 instructions per request less, though
                // the compiler still makes the future before moving it in once).
                if !Box::into_pin(Box::write(Box::new_uninit(), self.serve_one(head, service))).await? {
                    break None;
                }
            };
            match reject {
                Some(status) => self.reject(status).await?,
                None => self.drain().await?,
            }
            Ok(Exit::Close)
        }
    }

    fn poll_read_head(
        &mut self,
        cx: &mut Context<'_>,
        head_deadline: &mut Option<Instant>,
        idle: &mut Option<Instant>,
    ) -> Poll<Read> {
        match self.rb.poll_fill(&mut self.io, cx) {
            Poll::Ready(Ok(0)) => return Poll::Ready(Read::Eof),
            Poll::Ready(Ok(_)) => return Poll::Ready(Read::Data),
            Poll::Ready(Err(e)) => return Poll::Ready(Read::Failed(Error::io(e))),
            Poll::Pending => {}
        }
        let waiting = self.rb.buf.is_empty();
        // Only a connection about to wait between requests looks at the shutdown signal
        // (which registers the task's waker with it): not once per request.
        if waiting && self.poll_shutdown(cx) {
            return Poll::Ready(Read::Shutdown);
        }
        // The idle time starts on the runtime's coarse clock: a keep-alive timeout needs
        // no precision, and reading the clock for every request costs more than the
        // rest of this wait.
        let deadline = match head_deadline {
            Some(deadline) => *deadline,
            None => *idle.get_or_insert_with(Instant::recent) + self.config.get_keep_alive_timeout(),
        };
        // A connection idle for a moment is parked; a busy one keeps its state.
        let park = match idle {
            Some(t) if waiting && self.wbuf.is_empty() => Some(*t + PARK_AFTER).filter(|&p| p < deadline),
            _ => None,
        };
        match self.poll_timer(cx, park.unwrap_or(deadline)) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(()) if park.is_some() => Poll::Ready(Read::Park(deadline)),
            Poll::Ready(()) => Poll::Ready(Read::TimedOut),
        }
    }

    /// The parts of the connection a parked connection keeps, its timer set to `deadline`
    /// (the end of its keep-alive time).
    fn park<S>(self, service: S, deadline: Instant) -> Parked<IO, S, F> {
        let timer = match self.timer {
            Some(mut timer) => {
                Pin::new(&mut timer).reset(deadline);
                timer
            }
            None => sleep_until(deadline),
        };
        Parked {
            io: self.io,
            service,
            config: self.config,
            shutdown: self.shutdown,
            timer: Some(timer),
        }
    }

    /// Waits for `deadline` on the connection's one timer. The timer is moved only when
    /// the deadline is earlier than its own, or when it fired early: a busy keep-alive
    /// connection does not touch the timer wheel for every request.
    fn poll_timer(&mut self, cx: &mut Context<'_>, deadline: Instant) -> Poll<()> {
        let timer = self.timer.get_or_insert_with(|| sleep_until(deadline));
        loop {
            if timer.deadline() > deadline {
                Pin::new(&mut *timer).reset(deadline);
            }
            if Pin::new(&mut *timer).poll(cx).is_pending() {
                return Poll::Pending;
            }
            if Instant::now() >= deadline {
                return Poll::Ready(());
            }
            Pin::new(&mut *timer).reset(deadline);
        }
    }

    /// Polls the shutdown signal; `true` once it fired.
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> bool {
        if let Some(signal) = &mut self.shutdown {
            if Pin::new(signal).poll(cx).is_ready() {
                self.shutdown = None;
            }
        }
        self.shutdown.is_none()
    }

    /// Serves the request with `head`; `Ok(false)`: close the connection after it.
    ///
    /// The request and the response stay in this future's state and are passed on by
    /// reference or moved only where they are consumed: each `async fn` they would cross
    /// by value costs a copy of them.
    ///
    /// An `async move` block rather than an `async fn`: a future keeps what it captured
    /// for its whole life, and an `async fn` would keep the head a second time in the local
    /// it moves its argument into. The future must stay small enough for the allocator's
    /// fast path (at most 1 KiB), as it is allocated for every request.
    #[allow(clippy::manual_async_fn)] // See above: an `async fn` would be larger.
    fn serve_one<'a, S>(
        &'a mut self,
        head: RequestHead,
        service: &'a mut S,
    ) -> impl Future<Output = Result<bool, Error>> + use<'a, IO, F, S>
    where
        S: Service<Request<Body>, Response = Response<Body>>,
        S::Error: Into<BoxError>,
    {
        async move {
            if let Framing::Length(n) = head.framing {
                if n > self.config.max_body_size {
                    drop(head);
                    self.reject(StatusCode::PAYLOAD_TOO_LARGE).await?;
                    return Ok(false);
                }
            }
            let is_head = head.parts.method == Method::HEAD;
            let version = head.parts.version;
            let keep_alive = head.keep_alive && self.config.keep_alive;
            let (mut pump, body) = self.pump(&head);

            // Call the service, feeding the request body while the response is produced.
            let ready =
                poll_fn(|cx| self.poll_while(cx, &mut pump, |cx| service.poll_ready(cx).map(|r| r.map_err(drop))))
                    .await?;
            let failed = match ready {
                Ok(Ok(())) => None,
                Ok(Err(_)) => Some(StatusCode::SERVICE_UNAVAILABLE),
                Err(status) => Some(status),
            };
            if let Some(status) = failed {
                drop((head, body));
                self.reject(status).await?;
                return Ok(false);
            }
            let (written, mut close, unread) = {
                // The response is put here as soon as the handler's future yields it,
                // rather than passed back through the poll results and the `.await` (a copy
                // at each step). It is dropped in place at the end of this block, once
                // written: `drop(slot)` would move (copy) it first.
                let mut slot = None;
                let outcome = {
                    // The handler's future is dropped at the end of this block, before the
                    // response is written.
                    //
                    // The request is made here, where it is moved on: made before the wait
                    // for the service to be ready, it would take room of its own in this
                    // future.
                    let req = Request::from_parts(head.parts, body);
                    let mut future = std::pin::pin!(service.call(req));
                    poll_fn(|cx| {
                        self.poll_while(cx, &mut pump, |cx| {
                            future
                                .as_mut()
                                .poll(cx)
                                .map(|r| r.map(|res| slot = Some(res)).map_err(drop))
                        })
                    })
                    .await?
                };
                let res = match (outcome, &mut slot) {
                    (Ok(Ok(())), Some(res)) => res,
                    (Ok(_), _) => {
                        self.reject(StatusCode::INTERNAL_SERVER_ERROR).await?;
                        return Ok(false);
                    }
                    (Err(status), _) => {
                        self.reject(status).await?;
                        return Ok(false);
                    }
                };

                let unread = !pump.decoder.is_done();
                // The sender is dropped here: a handler still holding the body sees it end
                // early.
                drop(pump.tx.take());
                // A client that expected `100 Continue` and did not get it may or may not
                // send the body: the stream can no longer be trusted.
                let no_continue = pump.expect_continue && !pump.sent_continue;
                let close = !keep_alive || pump.broken || self.shutdown.is_none() || unread && no_continue;
                (self.write_response(res, version, is_head, close).await, close, unread)
            };
            close |= written?;
            if !close && unread {
                close = !self.discard_body(&mut pump.decoder).await?;
            }
            self.unread_input = close && unread || !self.rb.buf.is_empty();
            Ok(!close)
        }
    }

    /// The pump that will feed the body of the request with `head`, and the body it feeds.
    fn pump(&self, head: &RequestHead) -> (Pump, Body) {
        let remaining = match head.framing {
            Framing::Length(n) => Some(n),
            _ => None,
        };
        let decoder = Decoder::new(head.framing, self.config.max_body_size);
        let (body, tx) = if decoder.is_done() {
            (Body::empty(), None)
        } else {
            let (tx, rx) = chan::channel(remaining);
            (Body::from_source(rx), Some(tx))
        };
        let pump = Pump {
            tx,
            decoder,
            expect_continue: head.expect_continue,
            sent_continue: false,
            broken: false,
        };
        (pump, body)
    }

    /// Polls `f` while writing out buffered responses and pumping the request body.
    fn poll_while<T>(
        &mut self,
        cx: &mut Context<'_>,
        pump: &mut Pump,
        mut f: impl FnMut(&mut Context<'_>) -> Poll<T>,
    ) -> Poll<Result<Result<T, StatusCode>, Error>> {
        if let Poll::Ready(out) = f(cx) {
            return Poll::Ready(Ok(Ok(out)));
        }
        // A slow handler: learn about a shutdown while it works.
        self.poll_shutdown(cx);
        if let Poll::Ready(Err(e)) = self.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        match self.poll_pump(cx, pump) {
            Poll::Ready(Err(status)) => Poll::Ready(Ok(Err(status))),
            Poll::Ready(Ok(())) => {
                // The pump made progress the handler may be waiting on.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What waiting for head bytes gave.
enum Read {
    Data,
    Eof,
    Shutdown,
    TimedOut,
    Failed(Error),
    /// Waited [`PARK_AFTER`]: park until the keep-alive deadline.
    Park(Instant),
}

/// How the request loop ended.
enum Exit {
    /// Close the connection.
    Close,
    /// Park it until the keep-alive deadline.
    Park(Instant),
}

#[path = "conn_body.rs"]
mod body;
#[path = "conn_park.rs"]
mod park;
