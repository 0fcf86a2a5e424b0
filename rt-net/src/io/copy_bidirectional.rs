//! `copy_bidirectional`: both directions of a proxied connection at once.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use super::copy_buffer::{CopyBuffer, DEFAULT_BUF_SIZE};

/// Copies from `a` to `b` and from `b` to `a` at the same time, until both directions
/// have ended; returns the bytes copied `(a to b, b to a)`.
///
/// This is the core of a proxy: `a` is the client connection, `b` the upstream one.
///
/// * Each direction reads into its own 8 KiB buffer (see
///   [`copy_bidirectional_with_sizes`]), writes it out, and flushes the writer before
///   it waits for more to read.
/// * When one side's reader reaches end of file, the other side's writer is flushed
///   and closed ([`poll_close`](AsyncWrite::poll_close): a half-close, `shutdown(Write)`
///   for a TCP stream), and the other direction goes on until it ends too.
/// * Both directions run on the calling task and spend its cooperative budget (one
///   unit per read), so a pair of always-ready streams cannot starve the other tasks
///   of the worker.
///
/// # Errors
///
/// The first error of a read, write, flush or close on either side (an `Interrupted`
/// read is retried); [`io::ErrorKind::WriteZero`] if a writer accepts no bytes. The
/// copy stops at the first error: the other direction is abandoned and the bytes it
/// had read but not written are lost. The streams are not closed; drop them (or close
/// them) to end the connections.
///
/// # Cancel safety
///
/// Not cancel safe: dropping the future loses the bytes read and not yet written in
/// either direction (at most one buffer each). The streams themselves stay usable.
///
/// # Examples
///
/// ```
/// use futures::io::Cursor;
///
/// # futures::executor::block_on(async {
/// // Any AsyncRead + AsyncWrite works; in a proxy these are two TCP streams.
/// let mut a = Cursor::new(b"ping".to_vec());
/// let mut b = Cursor::new(Vec::new());
/// let (a_to_b, b_to_a) = rt_net::io::copy_bidirectional(&mut a, &mut b).await?;
/// assert_eq!((a_to_b, b_to_a), (4, 0));
/// assert_eq!(b.get_ref().as_slice(), b"ping");
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy_bidirectional<A, B>(a: &mut A, b: &mut B) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    copy_bidirectional_with_sizes(a, b, DEFAULT_BUF_SIZE, DEFAULT_BUF_SIZE).await
}

/// [`copy_bidirectional`] with a buffer of `a_to_b` bytes for the direction from `a`
/// to `b` and of `b_to_a` bytes for the other.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] if a size is 0; otherwise as for
/// [`copy_bidirectional`].
///
/// # Cancel safety
///
/// Not cancel safe, as [`copy_bidirectional`].
pub async fn copy_bidirectional_with_sizes<A, B>(
    a: &mut A,
    b: &mut B,
    a_to_b: usize,
    b_to_a: usize,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    if a_to_b == 0 || b_to_a == 0 {
        return Err(super::zero_buf_size());
    }
    let mut a_to_b = Direction::Copying(CopyBuffer::new(a_to_b));
    let mut b_to_a = Direction::Copying(CopyBuffer::new(b_to_a));
    poll_fn(|cx| {
        // Poll both every time: each registers its own wake-ups. An error ends it all.
        let a_to_b = a_to_b.poll(cx, &mut *a, &mut *b)?;
        let b_to_a = b_to_a.poll(cx, &mut *b, &mut *a)?;
        Poll::Ready(Ok((ready!(a_to_b), ready!(b_to_a))))
    })
    .await
}

/// One direction of the copy.
#[derive(Debug)]
enum Direction {
    /// Copying until the reader ends.
    Copying(CopyBuffer),
    /// The reader ended and everything was written: closing the writer.
    Closing(u64),
    /// Finished, with the bytes copied.
    Done(u64),
}

impl Direction {
    fn poll<R, W>(&mut self, cx: &mut Context<'_>, reader: &mut R, writer: &mut W) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self {
                Direction::Copying(buf) => {
                    let n = ready!(buf.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer)))?;
                    *self = Direction::Closing(n);
                }
                Direction::Closing(n) => {
                    let n = *n;
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    *self = Direction::Done(n);
                }
                Direction::Done(n) => return Poll::Ready(Ok(*n)),
            }
        }
    }
}
