//! `copy`: one direction, until the reader ends.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;

use futures_io::{AsyncRead, AsyncWrite};

use super::copy_buffer::{CopyBuffer, DEFAULT_BUF_SIZE};

/// Copies everything from `reader` to `writer` through an 8 KiB buffer, flushes the
/// writer, and returns the number of bytes copied.
///
/// Like `futures::io::copy`, but the copy spends the task's cooperative budget (one
/// unit per read), so a reader and writer that are always ready do not starve the other
/// tasks of the worker, and the writer is flushed whenever the copy waits for the
/// reader. The writer is not closed at the end.
///
/// # Errors
///
/// The first error of either side (an `Interrupted` read is retried);
/// [`io::ErrorKind::WriteZero`] if the writer accepts no bytes.
///
/// # Cancel safety
///
/// Not cancel safe: bytes read and not yet written are lost when the future is dropped.
///
/// # Examples
///
/// ```
/// # futures::executor::block_on(async {
/// let mut reader: &[u8] = b"hello";
/// let mut writer = Vec::new();
/// let n = rt_net::io::copy(&mut reader, &mut writer).await?;
/// assert_eq!((n, &writer[..]), (5, &b"hello"[..]));
/// # Ok::<_, std::io::Error>(())
/// # }).unwrap();
/// ```
pub async fn copy<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    copy_with_size(reader, writer, DEFAULT_BUF_SIZE).await
}

/// [`copy`] with a buffer of `buf_size` bytes: larger buffers mean fewer reads and
/// writes, for example fewer trips to the blocking pool when copying a
/// [`File`](crate::fs::File).
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] if `buf_size` is 0; otherwise as for [`copy`].
///
/// # Cancel safety
///
/// Not cancel safe, as [`copy`].
pub async fn copy_with_size<R, W>(reader: &mut R, writer: &mut W, buf_size: usize) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    if buf_size == 0 {
        return Err(super::zero_buf_size());
    }
    let mut buf = CopyBuffer::new(buf_size);
    poll_fn(|cx| buf.poll_copy(cx, Pin::new(&mut *reader), Pin::new(&mut *writer))).await
}
