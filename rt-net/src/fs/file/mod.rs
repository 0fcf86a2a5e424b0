//! `File`: an open file whose reads, writes and seeks run on the blocking pool.

mod state;

use std::fmt;
use std::fs::{File as StdFile, Metadata, Permissions};
use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};
use rt_core::sync::Mutex;

use self::state::Inner;
use super::OpenOptions;
use crate::blocking;

/// The default for [`File::set_max_buf_size`]: 2 MiB.
pub(crate) const DEFAULT_MAX_BUF_SIZE: usize = 2 * 1024 * 1024;

/// An open file, read and written through the [`futures_io`] traits.
///
/// Operating systems offer no readiness notifications for regular files, so every
/// operation runs on the runtime's blocking pool (`rt_sched::spawn_blocking`), one at a
/// time and in the order they were issued. A `File` keeps one buffer that travels to
/// the pool and back, at most [`max_buf_size`](File::max_buf_size) bytes (2 MiB by
/// default) per blocking call:
///
/// * **Reads** ([`AsyncRead`]) ask the OS for as many bytes as the caller's buffer
///   holds (up to the chunk size) and keep what the caller did not take for the next
///   read.
/// * **Writes** ([`AsyncWrite`]) copy the bytes into the buffer, queue the write and
///   return at once, so a writer never waits for the disk unless a write is already in
///   flight. Call [`flush`](futures_io::AsyncWrite::poll_flush) (or `close`) to wait for
///   the bytes to reach the OS: **dropping a `File` does not wait**, and the error of
///   a write still in flight is then lost.
/// * **Seeks** ([`AsyncSeek`]) run after the write in flight, and account for bytes
///   read ahead but not consumed.
/// * A read after a write sees the written bytes.
///
/// If a background write fails, the next operation on the file (read, write, seek,
/// flush, close, [`sync_all`](File::sync_all), [`set_len`](File::set_len),
/// [`metadata`](File::metadata), [`into_std`](File::into_std)) returns its error.
///
/// "Reaching the OS" is not "reaching the disk": call [`sync_all`](File::sync_all)
/// for that.
///
/// Use the `futures::io::{AsyncReadExt, AsyncWriteExt, AsyncSeekExt}` helpers for
/// `read_to_end`, `write_all`, `seek` and friends.
///
/// # Cancel safety
///
/// Dropping a read, write or seek future leaves the file consistent: an operation
/// already handed to the blocking pool completes, and the next operation waits for it.
/// The bytes of an abandoned read are kept for the next read. A seek abandoned before
/// it completed still happens; a later `poll_seek` to the *same* `SeekFrom` while it is
/// in flight takes its result instead of seeking again (so `SeekFrom::Current` is not
/// applied twice when a caller simply polls again).
///
/// # Errors
///
/// Every operation fails with an [`io::Error`] when called outside an rt-sched runtime
/// (there is no blocking pool to run on), and when the runtime shuts down before the
/// operation ran.
///
/// # Examples
///
/// ```no_run
/// use futures::io::{AsyncReadExt, AsyncWriteExt};
/// use rt_net::fs::File;
///
/// # async fn demo() -> std::io::Result<()> {
/// let mut file = File::create("greeting.txt").await?;
/// file.write_all(b"hello").await?;
/// file.flush().await?; // surfaces a failed background write
///
/// let mut text = String::new();
/// File::open("greeting.txt").await?.read_to_string(&mut text).await?;
/// assert_eq!(text, "hello");
/// # Ok(())
/// # }
/// ```
pub struct File {
    std: Arc<StdFile>,
    inner: Mutex<Inner>,
    max_buf_size: usize,
}

impl File {
    /// Opens a file read-only.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::open`] (missing file, permissions, ...), and outside a
    /// runtime.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens a file write-only, creating it if needed and truncating it if it exists.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::create`], and outside a runtime.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates a new file read-write; fails if it exists (atomically).
    ///
    /// # Errors
    ///
    /// [`io::ErrorKind::AlreadyExists`] if the path exists; those of
    /// [`std::fs::File::create_new`]; outside a runtime.
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// Options to open a file with (append, create, ...); see [`OpenOptions`].
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps an open std file. Its cursor is the starting position.
    pub fn from_std(std: StdFile) -> File {
        File {
            std: Arc::new(std),
            inner: Mutex::new(Inner::new()),
            max_buf_size: DEFAULT_MAX_BUF_SIZE,
        }
    }

    /// Waits for every queued operation and returns the std file, its cursor at the
    /// position the reader of this `File` was at.
    ///
    /// # Errors
    ///
    /// A failed background write, and outside a runtime; the file is closed then. To
    /// keep the file whatever happens, [`flush`](futures_io::AsyncWrite::poll_flush)
    /// first: it reports the write error and leaves the `File` usable.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: dropping the future drops the file (queued operations still
    /// complete).
    pub async fn into_std(mut self) -> io::Result<StdFile> {
        self.inner.get_mut().settle(&self.std).await?;
        // Only a cancelled `sync_all`-like call still running can hold another
        // reference; share the open file description with it then.
        Arc::try_unwrap(self.std).or_else(|std| std.try_clone())
    }

    /// Flushes queued writes and syncs data and metadata to the disk (`fsync`).
    ///
    /// # Errors
    ///
    /// A failed background write; those of [`std::fs::File::sync_all`]; outside a
    /// runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in that the file stays usable; a sync already started runs on.
    pub async fn sync_all(&self) -> io::Result<()> {
        self.inner.lock().await.flush().await?;
        let std = self.std.clone();
        blocking::run(move || std.sync_all()).await
    }

    /// Like [`sync_all`](File::sync_all), but may skip metadata that is not needed to
    /// read the data back (`fdatasync`).
    ///
    /// # Errors
    ///
    /// A failed background write; those of [`std::fs::File::sync_data`]; outside a
    /// runtime.
    ///
    /// # Cancel safety
    ///
    /// As for [`sync_all`](File::sync_all).
    pub async fn sync_data(&self) -> io::Result<()> {
        self.inner.lock().await.flush().await?;
        let std = self.std.clone();
        blocking::run(move || std.sync_data()).await
    }

    /// Truncates or extends (with zeros) the file to `size` bytes, after every queued
    /// write. The cursor does not move; bytes read ahead are discarded.
    ///
    /// # Errors
    ///
    /// A failed background write; those of [`std::fs::File::set_len`] (a file not open
    /// for writing, a size beyond what the file system allows); outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Once started, the change happens even if the future is dropped; the next
    /// operation waits for it and reports its error.
    pub async fn set_len(&self, size: u64) -> io::Result<()> {
        self.inner.lock().await.set_len(&self.std, size).await
    }

    /// The file's metadata, after every queued write (so the length includes them).
    ///
    /// # Errors
    ///
    /// A failed background write; those of [`std::fs::File::metadata`]; outside a
    /// runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        self.inner.lock().await.flush().await?;
        let std = self.std.clone();
        blocking::run(move || std.metadata()).await
    }

    /// A new `File` for the same open file (`dup`): the two share the OS cursor but not
    /// their buffers, so interleaving them needs care.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::try_clone`] (too many open files); outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe (a descriptor duplicated for a dropped future is closed).
    pub async fn try_clone(&self) -> io::Result<File> {
        let std = self.std.clone();
        let clone = blocking::run(move || std.try_clone()).await?;
        Ok(File::from_std(clone))
    }

    /// Changes the file's permissions.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::File::set_permissions`]; outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe; a change already started happens.
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        let std = self.std.clone();
        blocking::run(move || std.set_permissions(perm)).await
    }

    /// The most bytes one blocking read or write moves (2 MiB unless changed).
    pub fn max_buf_size(&self) -> usize {
        self.max_buf_size
    }

    /// Sets the most bytes one blocking read or write moves. Larger chunks mean fewer
    /// trips to the blocking pool and more memory per file (the buffer grows to it and
    /// stays). `0` is taken as `1`.
    pub fn set_max_buf_size(&mut self, max: usize) {
        self.max_buf_size = max.max(1);
    }
}

impl AsyncRead for File {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        me.inner.get_mut().poll_read(cx, &me.std, me.max_buf_size, buf)
    }
}

impl AsyncWrite for File {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        me.inner.get_mut().poll_write(cx, &me.std, me.max_buf_size, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().inner.get_mut().poll_flush(cx)
    }

    /// Flushes; the file itself is closed when dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(self: Pin<&mut Self>, cx: &mut Context<'_>, pos: SeekFrom) -> Poll<io::Result<u64>> {
        let me = self.get_mut();
        me.inner.get_mut().poll_seek(cx, &me.std, pos)
    }
}

impl From<StdFile> for File {
    fn from(std: StdFile) -> File {
        File::from_std(std)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("std", &self.std)
            .field("max_buf_size", &self.max_buf_size)
            .finish_non_exhaustive()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsRawFd for File {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.std.as_raw_fd()
    }
}

#[cfg(unix)]
impl std::os::unix::io::AsFd for File {
    fn as_fd(&self) -> std::os::unix::io::BorrowedFd<'_> {
        self.std.as_fd()
    }
}
