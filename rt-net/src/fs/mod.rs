//! Asynchronous file system access, on the runtime's blocking pool.
//!
//! Operating systems offer no readiness notifications for regular files, so every
//! operation here runs as a blocking call on the blocking pool of the current rt-sched
//! runtime (`rt_sched::spawn_blocking`), and the calling task waits for it without
//! blocking its worker. The API mirrors [`std::fs`]:
//!
//! * [`File`] and [`OpenOptions`]: an open file read and written through the
//!   `futures-io` traits, buffered in chunks of up to 2 MiB per trip to the pool (see
//!   [`File`] for the buffering rules and how errors of background writes surface).
//! * Whole files: [`read`], [`read_to_string`], [`write()`].
//! * Directories: [`read_dir`] ([`ReadDir`], [`DirEntry`]), [`create_dir`],
//!   [`create_dir_all`], [`remove_dir`], [`remove_dir_all`].
//! * Paths: [`metadata`], [`symlink_metadata`], [`try_exists`], [`canonicalize`],
//!   [`set_permissions`], [`remove_file`], [`rename`], [`copy`], [`hard_link`],
//!   [`read_link`].
//!
//! Each function is one trip to the pool, so prefer one [`read`] over many small reads
//! of a [`File`], and [`copy`] (which copies inside the kernel where it can) over
//! copying through a buffer.
//!
//! # Errors
//!
//! The errors of the std counterpart, unchanged (kind and OS code). In addition, every
//! function fails with an [`io::Error`](std::io::Error) of kind `Other` instead of
//! panicking when it is called outside an rt-sched runtime, and when the runtime
//! shuts down before the blocking call ran.
//!
//! # Examples
//!
//! ```
//! # fn main() -> std::io::Result<()> {
//! # let dir = std::env::temp_dir().join(format!("rt-net-fs-doc-{}", std::process::id()));
//! let rt = rt_sched::Runtime::new()?;
//! rt.block_on(async {
//!     rt_net::fs::create_dir_all(&dir).await?;
//!     rt_net::fs::write(dir.join("a.txt"), "hello").await?;
//!     assert_eq!(rt_net::fs::read_to_string(dir.join("a.txt")).await?, "hello");
//!     rt_net::fs::remove_dir_all(&dir).await
//! })
//! # }
//! ```

mod buf;
mod contents;
mod dir;
mod file;
mod links;
mod metadata;
mod open_options;
mod read_dir;

pub use contents::{read, read_to_string, write};
pub use dir::{create_dir, create_dir_all, remove_dir, remove_dir_all};
pub use file::File;
pub use links::{copy, hard_link, read_link, remove_file, rename};
pub use metadata::{canonicalize, metadata, set_permissions, symlink_metadata, try_exists};
pub use open_options::OpenOptions;
pub use read_dir::{read_dir, DirEntry, ReadDir};
