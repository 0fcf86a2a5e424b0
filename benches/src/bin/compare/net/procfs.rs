//! What `/proc` says about a process, or a process tree: its members, their CPU time and
//! resident set. The `net` suite reads one server process; the `proxy` suite reads trees.
//!
//! A proxy may be more than one process (nginx: a master and a worker it forks), so
//! every figure of the `proxy` suite is the sum over the tree rooted at the process
//! `compare` started: that process and every descendant, found through the parent id
//! (field 4 of `/proc/<pid>/stat`) of every process on the machine.

use std::io;
use std::time::Duration;

use super::sys;

/// The fields of `/proc/<pid>/stat` the suite needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stat {
    /// Parent process id (field 4).
    ppid: u32,
    /// User plus system CPU time in clock ticks (fields 14 and 15), every thread.
    cpu_ticks: u64,
}

/// Returns `root` and its descendants, `root` first.
pub(crate) fn tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| Some((pid, read_stat(pid).ok()?.ppid)))
        .collect();
    let mut members = vec![root];
    let mut index = 0;
    while index < members.len() {
        let parent = members[index];
        members.extend(parents.iter().filter(|&&(_, ppid)| ppid == parent).map(|&(pid, _)| pid));
        index += 1;
    }
    members
}

/// Returns the CPU time (user + system, every thread) the processes `pids` have used so
/// far, summed; a process that has exited meanwhile counts as zero.
///
/// The resolution is one clock tick (10 ms on Linux), so a run must last long enough
/// for it not to matter (a 10 s load costs a proxy seconds of CPU).
pub(crate) fn cpu_time(pids: &[u32]) -> Duration {
    let ticks: u64 = pids
        .iter()
        .filter_map(|&pid| read_stat(pid).ok())
        .map(|stat| stat.cpu_ticks)
        .sum();
    ticks_to_duration(ticks)
}

/// Returns the CPU time (user + system, every thread, exited ones included) process `pid`
/// has used so far, from `/proc/<pid>/stat` (a resolution of one clock tick).
///
/// # Errors
///
/// Fails where `/proc` is missing or has an unexpected format, or the process is gone.
pub(crate) fn process_cpu_time(pid: u32) -> io::Result<Duration> {
    Ok(ticks_to_duration(read_stat(pid)?.cpu_ticks))
}

fn ticks_to_duration(ticks: u64) -> Duration {
    Duration::from_nanos(ticks * 1_000_000_000 / sys::clock_ticks_per_second())
}

/// Returns the resident set of the processes `pids` (`VmRSS` of `/proc/<pid>/status`),
/// summed, in bytes.
///
/// Pages shared between them (nginx's worker shares the master's copy-on-write pages
/// and libraries) count once per process, as `ps` and `top` show them.
///
/// # Errors
///
/// Fails when a process is gone or its status has no `VmRSS`.
pub(crate) fn rss_bytes(pids: &[u32]) -> io::Result<u64> {
    pids.iter().map(|&pid| process_rss_bytes(pid)).sum()
}

/// Returns the resident set of process `pid` (`VmRSS` of `/proc/<pid>/status`), in bytes.
///
/// # Errors
///
/// Fails when the process is gone or its status has no `VmRSS`.
pub(crate) fn process_rss_bytes(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_vm_rss(&status).ok_or_else(|| io::Error::other(format!("no VmRSS for process {pid}")))
}

/// Reads and parses `/proc/<pid>/stat`.
fn read_stat(pid: u32) -> io::Result<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_stat(&text).ok_or_else(|| io::Error::other(format!("unexpected /proc/{pid}/stat format")))
}

/// Parses the text of `/proc/<pid>/stat`.
///
/// The command name (field 2) is in parentheses and may contain spaces, so fields are
/// counted from the last `)`: after it come state (field 3), ppid (4) … utime (14),
/// stime (15).
fn parse_stat(text: &str) -> Option<Stat> {
    let after_name = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |number: usize| fields.get(number - 3)?.parse::<u64>().ok();
    Some(Stat {
        ppid: u32::try_from(field(4)?).ok()?,
        cpu_ticks: field(14)? + field(15)?,
    })
}

/// Returns `VmRSS` in bytes from the text of `/proc/<pid>/status` (given there in kB).
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_after_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (a (b) c) S 17 2 3 4 5 6 7 8 9 10 170 30 0 0 20 0 3 0";
        assert_eq!(
            parse_stat(stat),
            Some(Stat {
                ppid: 17,
                cpu_ticks: 200
            })
        );
        assert_eq!(parse_stat("4242 (x) S 1"), None);
    }

    #[test]
    fn parses_vm_rss_in_bytes() {
        assert_eq!(parse_vm_rss("Name:\tx\nVmRSS:\t  1234 kB\n"), Some(1234 * 1024));
        assert_eq!(parse_vm_rss("Name:\tx\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(process_cpu_time(me).is_ok());
        assert!(process_rss_bytes(me).unwrap() > 0);
    }

    #[test]
    fn finds_a_child_in_the_tree_and_reads_its_memory() {
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let me = std::process::id();
        let members = tree(me);
        assert_eq!(members[0], me);
        assert!(members.contains(&child.id()), "{members:?} lacks {}", child.id());
        assert!(rss_bytes(&[me, child.id()]).unwrap() > rss_bytes(&[child.id()]).unwrap());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(rss_bytes(&[child.id()]).is_err(), "a reaped process has no status");
        assert_eq!(cpu_time(&[child.id()]), Duration::ZERO);
    }
}
