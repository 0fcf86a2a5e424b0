//! `read_dir`, `ReadDir` and `DirEntry`: listing a directory in batches.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fmt;
use std::fs::{FileType, Metadata};
use std::future::{poll_fn, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use rt_core::task::JoinHandle;

use crate::blocking;

/// Entries fetched per trip to the blocking pool.
const BATCH: usize = 32;

/// Opens a directory for listing with [`ReadDir::next_entry`].
///
/// The first batch of entries is read together with the open, so a small directory
/// takes one trip to the blocking pool. The order of entries is the file system's; `.`
/// and `..` are skipped.
///
/// # Errors
///
/// Those of [`std::fs::read_dir`]: a missing path, not a directory, permissions; and
/// outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe in effect: a directory opened for a dropped future is closed again.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let mut dir = rt_net::fs::read_dir(".").await?;
/// while let Some(entry) = dir.next_entry().await? {
///     println!("{}", entry.path().display());
/// }
/// # Ok(())
/// # }
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let batch = blocking::run(move || {
        let mut batch = Batch {
            entries: VecDeque::new(),
            std: Some(std::fs::read_dir(path)?),
        };
        batch.fill();
        Ok(batch)
    })
    .await?;
    Ok(ReadDir {
        state: State::Idle(Some(batch)),
    })
}

/// The entries of a directory, from [`read_dir`].
///
/// Entries are fetched on the blocking pool, 32 at a time.
pub struct ReadDir {
    state: State,
}

enum State {
    /// `None`: the listing ended (or broke off after an error reported before).
    Idle(Option<Batch>),
    Busy(JoinHandle<Batch>),
}

/// Entries fetched and the std iterator to fetch more (`None` once exhausted).
struct Batch {
    entries: VecDeque<io::Result<DirEntry>>,
    std: Option<std::fs::ReadDir>,
}

impl Batch {
    fn empty() -> Batch {
        Batch {
            entries: VecDeque::new(),
            std: None,
        }
    }

    /// Blocking: fetches up to [`BATCH`] entries.
    fn fill(&mut self) {
        let Some(std) = &mut self.std else { return };
        for _ in 0..BATCH {
            match std.next() {
                Some(entry) => self.entries.push_back(entry.map(DirEntry::from_std)),
                None => {
                    self.std = None;
                    return;
                }
            }
        }
    }
}

impl ReadDir {
    /// The next entry, `None` at the end.
    ///
    /// # Errors
    ///
    /// An error reading the directory (the listing may go on after it, as with
    /// [`std::fs::ReadDir`]); outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: a batch being fetched for a dropped call is kept for the next one.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// Polls for the next entry; see [`next_entry`](ReadDir::next_entry).
    ///
    /// # Errors
    ///
    /// As for [`next_entry`](ReadDir::next_entry).
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                State::Idle(None) => return Poll::Ready(Ok(None)),
                State::Idle(Some(batch)) => {
                    if let Some(entry) = batch.entries.pop_front() {
                        return Poll::Ready(entry.map(Some));
                    }
                    if batch.std.is_none() {
                        self.state = State::Idle(None);
                        return Poll::Ready(Ok(None));
                    }
                    let rt = match blocking::runtime() {
                        Ok(rt) => rt,
                        Err(e) => return Poll::Ready(Err(e)),
                    };
                    let mut batch = std::mem::replace(batch, Batch::empty());
                    self.state = State::Busy(rt.spawn_blocking(move || {
                        batch.fill();
                        batch
                    }));
                }
                State::Busy(handle) => match ready!(Pin::new(handle).poll(cx)) {
                    Ok(batch) => self.state = State::Idle(Some(batch)),
                    Err(e) => {
                        // The iterator went down with the blocking task.
                        self.state = State::Idle(None);
                        return Poll::Ready(Err(blocking::join_error(e)));
                    }
                },
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Idle(Some(batch)) => format!("{} entries buffered", batch.entries.len()),
            State::Idle(None) => "done".to_owned(),
            State::Busy(_) => "fetching".to_owned(),
        };
        f.debug_struct("ReadDir").field("state", &state).finish()
    }
}

/// An entry of a directory listed with [`read_dir`].
///
/// Its path and name are at hand; its type was fetched with the listing when the file
/// system offers it cheaply (most do, on Linux), and its metadata takes a trip to the
/// blocking pool.
#[derive(Clone)]
pub struct DirEntry {
    std: Arc<std::fs::DirEntry>,
    file_type: Option<FileType>,
}

impl DirEntry {
    /// Blocking: wraps a std entry, fetching its type while we are on the pool.
    fn from_std(std: std::fs::DirEntry) -> DirEntry {
        let file_type = std.file_type().ok();
        DirEntry {
            std: Arc::new(std),
            file_type,
        }
    }

    /// The full path: the path given to [`read_dir`] joined with the file name.
    pub fn path(&self) -> PathBuf {
        self.std.path()
    }

    /// The bare file name of the entry.
    pub fn file_name(&self) -> OsString {
        self.std.file_name()
    }

    /// The entry's metadata. Symbolic links are not followed.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::DirEntry::metadata`] (the entry was removed since the
    /// listing, permissions); outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let std = self.std.clone();
        blocking::run(move || std.metadata()).await
    }

    /// The entry's file type (of the link itself for a symbolic link), usually known
    /// from the listing without another system call.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::DirEntry::file_type`] when the listing did not carry it;
    /// outside a runtime then.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn file_type(&self) -> io::Result<FileType> {
        if let Some(file_type) = self.file_type {
            return Ok(file_type);
        }
        let std = self.std.clone();
        blocking::run(move || std.file_type()).await
    }

    /// The inode number of the entry (from the listing); Unix only.
    #[cfg(unix)]
    pub fn ino(&self) -> u64 {
        std::os::unix::fs::DirEntryExt::ino(&*self.std)
    }
}

impl fmt::Debug for DirEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DirEntry").field(&self.path()).finish()
    }
}
