//! Names and links: `remove_file`, `rename`, `copy`, `hard_link`, `read_link`.

use std::io;
use std::path::{Path, PathBuf};

use crate::blocking;

/// Removes a file (or a symbolic link, not its target).
///
/// # Errors
///
/// Those of [`std::fs::remove_file`]: a missing path ([`io::ErrorKind::NotFound`]), a
/// directory, permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the file is removed even if the future is dropped.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::remove_file(path)).await
}

/// Renames a file or directory, replacing `to` if it is a file (atomically on the same
/// file system).
///
/// # Errors
///
/// Those of [`std::fs::rename`]: a missing `from`, `to` on another file system, a
/// non-empty directory at `to`, permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the rename happens even if the future is dropped.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    blocking::run(move || std::fs::rename(from, to)).await
}

/// Copies the contents and permission bits of a file to another path, replacing it;
/// returns the number of bytes copied.
///
/// The copy runs in the kernel where it can (`copy_file_range` on Linux), in one trip
/// to the blocking pool.
///
/// # Errors
///
/// Those of [`std::fs::copy`]: a missing or non-regular `from`, permissions, a full
/// disk; and outside a runtime.
///
/// # Cancel safety
///
/// Not cancel safe: once started, the copy runs to its end even if the future is
/// dropped, and its error is then lost.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    blocking::run(move || std::fs::copy(from, to)).await
}

/// Creates a hard link `link` to the file `original`.
///
/// # Errors
///
/// Those of [`std::fs::hard_link`]: a missing `original`, an existing `link`, another
/// file system; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the link is created even if the future is dropped.
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    blocking::run(move || std::fs::hard_link(original, link)).await
}

/// The target of a symbolic link.
///
/// # Errors
///
/// Those of [`std::fs::read_link`]: a missing path, not a link; and outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe.
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::read_link(path)).await
}
