//! Creating and removing directories.

use std::io;
use std::path::Path;

use crate::blocking;

/// Creates a directory; its parent must exist.
///
/// # Errors
///
/// Those of [`std::fs::create_dir`]: the path exists ([`io::ErrorKind::AlreadyExists`]),
/// a missing parent, permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the directory is created even if the future is dropped.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::create_dir(path)).await
}

/// Creates a directory and every missing parent. A directory that already exists is
/// not an error.
///
/// # Errors
///
/// Those of [`std::fs::create_dir_all`]: a component exists and is not a directory,
/// permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the directories are created even if the future is dropped.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::create_dir_all(path)).await
}

/// Removes an empty directory.
///
/// # Errors
///
/// Those of [`std::fs::remove_dir`]: a missing path, not a directory, not empty,
/// permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the directory is removed even if the future is dropped.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::remove_dir(path)).await
}

/// Removes a directory and everything in it. Symbolic links inside are removed, not
/// followed.
///
/// # Errors
///
/// Those of [`std::fs::remove_dir_all`]: a missing path, not a directory, permissions
/// (part of the tree may be gone by then); and outside a runtime.
///
/// # Cancel safety
///
/// Once started, the removal runs to its end even if the future is dropped.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::remove_dir_all(path)).await
}
