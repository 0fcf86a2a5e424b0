//! [`ctrl_c`]: wait for the interrupt from the terminal.

use std::io;

use super::unix::{signal, SignalKind};

/// Resolves when the process receives `SIGINT` (Ctrl-C) after the future's first poll.
///
/// Like any `async fn`, the call itself does nothing: the first *poll* installs a
/// process-wide `SIGINT` handler that stays for the life of the process (afterwards
/// Ctrl-C no longer terminates the program by default; it is up to the program to exit,
/// see [`Signal`](super::unix::Signal)). Until then a `SIGINT` still has its default
/// action and ends the process: a server that announces it is ready should create a
/// [`signal(SignalKind::interrupt())`](super::unix::signal) stream first (it installs
/// the handler when created) and wait on that.
///
/// # Errors
///
/// An error when called outside a runtime with I/O enabled, when the handler cannot be
/// installed, or when the runtime shuts down before `SIGINT` arrives.
///
/// # Cancel safety
///
/// Cancel safe, but a `SIGINT` delivered while no `ctrl_c` future (or other `SIGINT`
/// stream) exists is not seen by a later one: keep a
/// [`signal(SignalKind::interrupt())`](super::unix::signal) stream to catch every one.
///
/// # Examples
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// rt_net::signal::ctrl_c().await?;
/// println!("Ctrl-C: shutting down");
/// # Ok(())
/// # }
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupts = signal(SignalKind::interrupt())?;
    interrupts
        .recv()
        .await
        .ok_or_else(|| io::Error::other("ctrl_c: the runtime shut down before SIGINT arrived"))
}
