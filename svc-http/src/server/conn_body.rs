//! The connection's byte-moving parts: feeding the request body, writing responses and
//! rejections, draining an unread body, closing.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use http::{HeaderMap, Response, StatusCode, Version};
use rt_core::time::Instant;

use super::{Conn, Pump, MAX_DRAIN, MAX_KEPT_WRITE_BUF};
use crate::body::Body;
use crate::error::Error;
use crate::proto::decode::{Decoded, Decoder};
use crate::proto::encode::{self, Encode};
use crate::proto::head;

/// How long a rejected connection's remaining input is read and dropped before the
/// socket closes (so the client sees the error response rather than a reset).
const LINGER: Duration = Duration::from_secs(1);
/// At most this much input is read and dropped while lingering.
const MAX_LINGER_BYTES: usize = 256 * 1024;

impl<IO, F> Conn<IO, F>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    F: Future<Output = ()> + Unpin,
{
    /// Feeds the request body to the handler when it asks for more. `Ready(Ok(()))`:
    /// progress; `Ready(Err(status))`: the body is bad, answer `status` and close.
    pub(super) fn poll_pump(&mut self, cx: &mut Context<'_>, pump: &mut Pump) -> Poll<Result<(), StatusCode>> {
        let Some(tx) = &mut pump.tx else { return Poll::Pending };
        match tx.poll_want(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(false) => {
                // The handler dropped the body: stop feeding it.
                pump.tx = None;
                return Poll::Pending;
            }
            Poll::Ready(true) => {}
        }
        if pump.expect_continue && !pump.sent_continue {
            pump.sent_continue = true;
            self.wbuf.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            if let Poll::Ready(Err(e)) = self.poll_drain(cx) {
                pump.fail(e);
                return Poll::Ready(Ok(()));
            }
        }
        loop {
            let Some(tx) = &mut pump.tx else { return Poll::Pending };
            match pump.decoder.decode(&mut self.rb.buf) {
                Ok(Decoded::Data(chunk)) => {
                    tx.send(Ok(chunk));
                    return Poll::Ready(Ok(()));
                }
                Ok(Decoded::Done) => {
                    if let Some(tx) = pump.tx.take() {
                        tx.finish();
                    }
                    return Poll::Ready(Ok(()));
                }
                Ok(Decoded::NeedMore) => {}
                Err(e) => {
                    let status = if e.is_too_large() {
                        StatusCode::PAYLOAD_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    };
                    pump.fail(e);
                    return Poll::Ready(Err(status));
                }
            }
            match self.rb.poll_fill(&mut self.io, cx) {
                Poll::Ready(Ok(0)) => {
                    let e = pump
                        .decoder
                        .eof()
                        .err()
                        .unwrap_or_else(|| Error::closed("request body cut short"));
                    pump.fail(e);
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(e)) => {
                    pump.fail(Error::io(e));
                    return Poll::Ready(Ok(()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Writes out what the write buffer holds.
    pub(super) fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        while self.wpos < self.wbuf.len() {
            match Pin::new(&mut self.io).poll_write(cx, &self.wbuf[self.wpos..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(Error::io(io::ErrorKind::WriteZero.into()))),
                Poll::Ready(Ok(n)) => self.wpos += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(Error::io(e))),
                Poll::Pending => return Poll::Pending,
            }
        }
        self.wbuf.clear();
        self.wpos = 0;
        if self.wbuf.capacity() > MAX_KEPT_WRITE_BUF {
            self.wbuf = Vec::new();
        }
        Poll::Ready(Ok(()))
    }

    /// Writes out the write buffer and flushes.
    pub(super) async fn drain(&mut self) -> Result<(), Error> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        // One poll function for both steps: a second future costs more than the
        // (empty) buffer check when the flush is polled again.
        poll_fn(|cx| {
            std::task::ready!(self.poll_drain(cx))?;
            Pin::new(&mut self.io).poll_flush(cx).map_err(Error::io)
        })
        .await
    }

    /// Writes a response; returns whether the connection must close after it.
    ///
    /// The response is borrowed, not moved in (which would copy it into this function's
    /// state); a body that is not one buffer is taken out of it to be streamed.
    pub(super) async fn write_response(
        &mut self,
        res: &mut Response<Body>,
        version: Version,
        is_head: bool,
        close: bool,
    ) -> Result<bool, Error> {
        if self.wpos > 0 {
            self.drain().await?;
        }
        let status = res.status();
        let headers = res.headers();
        let bodiless =
            status.is_informational() || status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED;
        let encode = encode::choose(res.body(), headers, version == Version::HTTP_11);
        let close =
            close || encode == Encode::Close || !headers.is_empty() && !head::keep_alive(headers, Version::HTTP_11);
        let advertised = match encode {
            _ if bodiless => Encode::None,
            // A `HEAD` response advertising the length its `GET` would have.
            Encode::Length(0) if is_head => encode::declared_length(headers).map_or(Encode::Length(0), Encode::Length),
            other => other,
        };
        let keep_alive_10 = version == Version::HTTP_10 && !close;
        encode::response_head(&mut self.wbuf, status, headers, advertised, close, keep_alive_10);
        if !(is_head || bodiless) && encode != Encode::None {
            // A body in one buffer is copied out in place, as `encode::body` would do.
            if let Some(bytes) = res.body().as_full() {
                self.wbuf.extend_from_slice(bytes);
            } else {
                let body = std::mem::take(res.body_mut());
                encode::body(&mut self.io, &mut self.wbuf, body, encode).await?;
            }
        }
        if self.rb.buf.is_empty() || close {
            self.drain().await?;
        }
        Ok(close)
    }

    /// Answers `status` with an empty body and `connection: close`, then closes.
    pub(super) async fn reject(&mut self, status: StatusCode) -> Result<(), Error> {
        if self.wpos > 0 {
            self.drain().await?;
        }
        encode::response_head(
            &mut self.wbuf,
            status,
            &HeaderMap::new(),
            Encode::Length(0),
            true,
            false,
        );
        self.drain().await?;
        self.unread_input = true;
        Ok(())
    }

    /// Shuts down the write side, then reads and drops input for a while.
    pub(super) async fn linger(&mut self) {
        let _ = poll_fn(|cx| Pin::new(&mut self.io).poll_close(cx)).await;
        let deadline = Instant::now() + LINGER;
        let mut dropped = 0;
        while dropped < MAX_LINGER_BYTES {
            // Through the read buffer: a scratch array here would live in every
            // connection's future.
            self.rb.buf.clear();
            let read = poll_fn(|cx| self.poll_fill_until(cx, deadline)).await;
            match read {
                Some(n) if n > 0 => dropped += n,
                _ => break,
            }
        }
    }

    /// Reads and drops the rest of a body the handler did not read; `Ok(false)` if it is
    /// too long, cut short or too slow (then the connection closes).
    pub(super) async fn discard_body(&mut self, decoder: &mut Decoder) -> Result<bool, Error> {
        let deadline = Instant::now() + self.config.get_header_timeout();
        let mut dropped = 0u64;
        loop {
            match decoder.decode(&mut self.rb.buf) {
                Ok(Decoded::Done) => return Ok(true),
                Ok(Decoded::Data(chunk)) => {
                    dropped += chunk.len() as u64;
                    if dropped > MAX_DRAIN {
                        return Ok(false);
                    }
                    continue;
                }
                Ok(Decoded::NeedMore) => {}
                Err(_) => return Ok(false),
            }
            if decoder.remaining().is_some_and(|n| dropped + n > MAX_DRAIN) {
                return Ok(false);
            }
            let read = poll_fn(|cx| self.poll_fill_until(cx, deadline)).await;
            if !matches!(read, Some(n) if n > 0) {
                return Ok(false);
            }
        }
    }

    /// Reads more input unless `deadline` passes first: `None` on an error or the
    /// deadline, `Some(0)` at end of stream.
    fn poll_fill_until(&mut self, cx: &mut Context<'_>, deadline: Instant) -> Poll<Option<usize>> {
        match self.rb.poll_fill(&mut self.io, cx) {
            Poll::Ready(res) => Poll::Ready(res.ok()),
            Poll::Pending => self.poll_timer(cx, deadline).map(|()| None),
        }
    }

    /// Writes what is left and closes the stream; errors are of no use any more.
    pub(super) async fn close(&mut self) {
        let _ = poll_fn(|cx| self.poll_drain(cx)).await;
        if self.unread_input {
            self.linger().await;
        }
        let _ = poll_fn(|cx| Pin::new(&mut self.io).poll_close(cx)).await;
    }
}

impl Pump {
    /// The body failed: tell the handler, and mark the connection untrustworthy.
    fn fail(&mut self, err: Error) {
        if let Some(mut tx) = self.tx.take() {
            tx.send(Err(err));
        }
        self.broken = true;
    }
}
