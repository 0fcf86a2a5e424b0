//! Whole-file contents: `read`, `read_to_string`, `write`.

use std::io;
use std::path::Path;

use crate::blocking;

/// Reads a whole file into a vector of bytes.
///
/// One trip to the blocking pool ([`std::fs::read`]).
///
/// # Errors
///
/// Those of [`std::fs::read`]: a missing file ([`io::ErrorKind::NotFound`]), a
/// directory, permissions; and outside a runtime.
///
/// # Cancel safety
///
/// Cancel safe: nothing changes on disk; a read already started finishes in the
/// background and its result is dropped.
///
/// # Examples
///
/// ```no_run
/// # async fn demo() -> std::io::Result<()> {
/// let bytes = rt_net::fs::read("Cargo.toml").await?;
/// # Ok(())
/// # }
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::read(path)).await
}

/// Reads a whole file into a string.
///
/// # Errors
///
/// As for [`read`], and [`io::ErrorKind::InvalidData`] when the file is not UTF-8.
///
/// # Cancel safety
///
/// As for [`read`].
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    blocking::run(move || std::fs::read_to_string(path)).await
}

/// Writes `contents` as the whole content of a file, creating it if needed and
/// truncating it if it exists.
///
/// The bytes are copied once (the blocking pool needs them owned).
///
/// # Errors
///
/// Those of [`std::fs::write`]: a missing parent directory, permissions, a full disk;
/// and outside a runtime.
///
/// # Cancel safety
///
/// Not cancel safe: once started, the write completes even if the future is dropped,
/// and its error is then lost.
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_owned();
    blocking::run(move || std::fs::write(path, contents)).await
}
