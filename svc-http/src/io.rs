//! Small I/O helpers over the `futures-io` traits.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;

use futures_io::AsyncWrite;

use crate::error::Error;

/// Writes all of `bytes`.
pub(crate) async fn write_all<IO>(io: &mut IO, mut bytes: &[u8]) -> Result<(), Error>
where
    IO: AsyncWrite + Unpin + ?Sized,
{
    while !bytes.is_empty() {
        let n = poll_fn(|cx| Pin::new(&mut *io).poll_write(cx, bytes))
            .await
            .map_err(Error::io)?;
        if n == 0 {
            return Err(Error::io(io::ErrorKind::WriteZero.into()));
        }
        bytes = &bytes[n..];
    }
    Ok(())
}

/// Flushes the stream.
pub(crate) async fn flush<IO>(io: &mut IO) -> Result<(), Error>
where
    IO: AsyncWrite + Unpin + ?Sized,
{
    poll_fn(|cx| Pin::new(&mut *io).poll_flush(cx)).await.map_err(Error::io)
}
