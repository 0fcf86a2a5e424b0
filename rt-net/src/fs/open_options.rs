//! `OpenOptions`: how to open a [`File`].

use std::io;
use std::path::Path;

use super::File;
use crate::blocking;

/// Options for opening a [`File`]: [`std::fs::OpenOptions`] with an async
/// [`open`](OpenOptions::open).
///
/// All options start out `false`. On Unix, [`mode`](OpenOptions::mode) and
/// [`custom_flags`](OpenOptions::custom_flags) are available too.
///
/// # Examples
///
/// ```no_run
/// use futures::io::AsyncWriteExt;
/// use rt_net::fs::OpenOptions;
///
/// # async fn demo() -> std::io::Result<()> {
/// let mut log = OpenOptions::new().append(true).create(true).open("app.log").await?;
/// log.write_all(b"started\n").await?;
/// log.flush().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Options with everything off.
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Open for appending: every write goes to the end of the file (implies write).
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncate an existing file to 0 bytes (needs write).
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist (needs write or append).
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing if it exists (atomically; needs write or append).
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits of a newly created file (before the umask); Unix only.
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra `open(2)` flags (`O_NOFOLLOW`, ...); Unix only.
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// Those of [`std::fs::OpenOptions::open`]: a missing file without `create`, an
    /// existing one with `create_new`, permissions, an invalid combination of options
    /// ([`io::ErrorKind::InvalidInput`]); and outside a runtime.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe in effect: if the future is dropped after the open started, the
    /// file is closed again (but a file created by it stays).
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let opts = self.0.clone();
        let path = path.as_ref().to_owned();
        let std = blocking::run(move || opts.open(path)).await?;
        Ok(File::from_std(std))
    }
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    fn from(opts: std::fs::OpenOptions) -> OpenOptions {
        OpenOptions(opts)
    }
}
