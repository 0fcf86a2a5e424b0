//! Questions about a path: metadata, existence, canonical form; permissions.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use crate::blocking;

/// The metadata of a path, following symbolic links.
///
/// # Errors
///
/// Those of [`std::fs::metadata`]: a missing path ([`io::ErrorKind::NotFound`]),
/// permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::metadata(path)).await
}

/// The metadata of a path without following a symbolic link at its end.
///
/// # Errors
///
/// As for [`metadata`].
///
/// # Cancel safety
///
/// Cancel safe.
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::symlink_metadata(path)).await
}

/// Whether a path exists (following symbolic links): `Ok(false)` for a missing path
/// or a broken link, an error when it cannot be told.
///
/// # Errors
///
/// Those of [`Path::try_exists`] (permissions on a parent); outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe.
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    blocking::run(move || path.try_exists()).await
}

/// The absolute path with every symbolic link, `.` and `..` resolved.
///
/// # Errors
///
/// Those of [`std::fs::canonicalize`]: a missing path or component; and outside a
/// runtime.
///
/// # Cancel safety
///
/// Cancel safe.
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::canonicalize(path)).await
}

/// Changes the permissions of a path (following symbolic links).
///
/// # Errors
///
/// Those of [`std::fs::set_permissions`]: a missing path, not the owner; and outside a
/// runtime.
///
/// # Cancel safety
///
/// Once started, the change happens even if the future is dropped.
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::set_permissions(path, perm)).await
}
