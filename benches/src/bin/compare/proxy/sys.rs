//! The one libc call of the `proxy` suite: sending a signal to a process.
#![allow(unsafe_code)] // `kill(2)`; the block says why it is sound.

use std::io;

/// A signal the suite sends to the proxies it started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// `SIGTERM`: shut down (nginx's master stops its workers; ours drains and exits).
    Terminate,
    /// `SIGKILL`: for a process that did not exit after `SIGTERM`.
    Kill,
}

/// Sends `signal` to process `pid`.
///
/// # Errors
///
/// Returns the OS error of `kill(2)`, e.g. `ESRCH` for a process that is gone.
pub(crate) fn send(pid: u32, signal: Signal) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid).map_err(|_| io::Error::other("process id out of range"))?;
    let number = match signal {
        Signal::Terminate => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: `kill` takes plain integers and touches no memory of this process; a
    // positive `pid` names one process (never a group or every process).
    if pid > 0 && unsafe { libc::kill(pid, number) } == 0 {
        Ok(())
    } else if pid <= 0 {
        Err(io::Error::other("not a single process id"))
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminates_a_child_and_reports_a_missing_process() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        send(child.id(), Signal::Terminate).unwrap();
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert!(send(child.id(), Signal::Kill).is_err(), "a reaped child is gone");
        assert!(send(0, Signal::Kill).is_err());
    }
}
