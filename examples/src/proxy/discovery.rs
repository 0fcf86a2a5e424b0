//! Discovery: the endpoints given on the command line plus those of a backends file,
//! which a task re-reads when it changes and turns into balancer [`Change`]s.
//!
//! The file holds one `host:port` per line; blank lines and everything after a `#` are
//! ignored. The task checks the file's modification time and length every
//! `watch_interval` and reads it only when one changed (or once a second anyway, for
//! editors that keep both). A file that cannot be read, or a line that does not
//! resolve, is logged and leaves the endpoints as they were.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use rt_core::sync::mpsc::UnboundedSender;
use svc_balance::Change;

/// The backends ever discovered, in order of first discovery, for snapshots.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    known: Mutex<Vec<Known>>,
}

/// One backend ever discovered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Known {
    pub(crate) addr: SocketAddr,
    pub(crate) removed: bool,
    /// Its request count when last seen in the balancer.
    pub(crate) requests: u64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Known>> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn set(&self, addr: SocketAddr, removed: bool) {
        let mut known = self.lock();
        match known.iter_mut().find(|k| k.addr == addr) {
            Some(k) => k.removed = removed,
            None => known.push(Known {
                addr,
                removed,
                requests: 0,
            }),
        }
    }

    /// The backends, in order of first discovery.
    pub(crate) fn list(&self) -> Vec<Known> {
        self.lock().clone()
    }

    /// Remembers the request count seen for `addr`.
    pub(crate) fn saw(&self, addr: SocketAddr, requests: u64) {
        if let Some(k) = self.lock().iter_mut().find(|k| k.addr == addr) {
            k.requests = requests;
        }
    }
}

/// Sends the changes that take the balancer from `current` to `next`.
pub(crate) fn apply<S>(
    current: &mut HashSet<SocketAddr>,
    next: HashSet<SocketAddr>,
    tx: &UnboundedSender<Change<SocketAddr, S>>,
    make: &dyn Fn(SocketAddr) -> S,
    registry: &Registry,
) {
    for &addr in current.difference(&next) {
        tracing::info!(%addr, "backend removed");
        registry.set(addr, true);
        let _ = tx.send(Change::Remove(addr));
    }
    let mut added: Vec<SocketAddr> = next.difference(current).copied().collect();
    added.sort();
    for addr in added {
        tracing::info!(%addr, "backend added");
        registry.set(addr, false);
        let _ = tx.send(Change::Insert(addr, make(addr)));
    }
    *current = next;
}

/// Parses a backends file: `host:port` per line, `#` comments. Returns the lines that
/// are not socket addresses as they are, for resolution.
pub(crate) fn parse(text: &str) -> (Vec<SocketAddr>, Vec<String>) {
    let mut addrs = Vec::new();
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        match line.parse::<SocketAddr>() {
            Ok(addr) => addrs.push(addr),
            Err(_) => names.push(line.to_owned()),
        }
    }
    (addrs, names)
}

/// Reads and resolves the backends file; `None` (logged) if it cannot be used.
async fn read(path: &Path) -> Option<HashSet<SocketAddr>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot read the backends file; endpoints unchanged");
            return None;
        }
    };
    let (mut addrs, names) = parse(&text);
    for name in names {
        match rt_net::lookup_host(name.as_str()).await.map(|mut it| it.next()) {
            Ok(Some(addr)) => addrs.push(addr),
            _ => {
                tracing::warn!(line = %name, "cannot resolve a backends file line; endpoints unchanged");
                return None;
            }
        }
    }
    Some(addrs.into_iter().collect())
}

/// The file's modification time and length.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Watches `path`, keeping the balancer's endpoints equal to `fixed` plus the file's,
/// until the balancer is gone (`tx` closed).
pub(crate) async fn watch<S>(
    path: PathBuf,
    interval: Duration,
    fixed: Vec<SocketAddr>,
    mut current: HashSet<SocketAddr>,
    tx: UnboundedSender<Change<SocketAddr, S>>,
    make: Box<dyn Fn(SocketAddr) -> S + Send + Sync>,
    registry: std::sync::Arc<Registry>,
) {
    let mut last = stamp(&path);
    let mut last_text = std::fs::read_to_string(&path).ok();
    let mut since_read = Duration::ZERO;
    loop {
        rt_core::time::sleep(interval).await;
        if tx.is_closed() {
            return;
        }
        since_read += interval;
        let now = stamp(&path);
        if now == last && since_read < Duration::from_secs(1) {
            continue;
        }
        last = now;
        since_read = Duration::ZERO;
        let text = std::fs::read_to_string(&path).ok();
        if text == last_text {
            continue;
        }
        last_text = text;
        if let Some(from_file) = read(&path).await {
            let next = fixed.iter().copied().chain(from_file).collect();
            apply(&mut current, next, &tx, &*make, &registry);
        }
    }
}

/// The initial endpoints: `fixed` plus the file's (if any; an unreadable file counts as
/// empty).
pub(crate) async fn initial(fixed: &[SocketAddr], file: Option<&Path>) -> HashSet<SocketAddr> {
    let mut set: HashSet<SocketAddr> = fixed.iter().copied().collect();
    if let Some(path) = file {
        if let Some(from_file) = read(path).await {
            set.extend(from_file);
        }
    }
    set
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_lines_and_comments() {
        let (addrs, names) = parse("# backends\n127.0.0.1:1\n\n  127.0.0.1:2  # second\nlocalhost:3\n#127.0.0.1:4\n");
        assert_eq!(addrs, ["127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap()]);
        assert_eq!(names, ["localhost:3"]);
    }
}
