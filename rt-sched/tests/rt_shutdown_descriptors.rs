//! Dropping a runtime (which waits for its threads) closes its reactor's descriptors
//! before the drop returns, blocking-pool threads included: a program that counts its
//! descriptors (or lowers its limit, as rt-net's fd-limit tests do) right after a drop
//! must not see them close later.
//!
//! The only test in its binary: it counts the process's descriptors, which tests
//! running beside it would change.

mod support;

use std::time::Duration;

use rt_sched::Builder;
use support::{watchdog, Flavor};

/// Rounds per flavour: the race this guards against (a pool thread dropping its
/// runtime handle after shutdown counted its exit) needs the dropping thread to win a
/// short window, so it is given many chances.
const ROUNDS: usize = 200;

/// The targets of the process's open descriptors that are not plain files: epoll
/// instances, eventfds, sockets.
fn anon_descriptors() -> Vec<String> {
    let mut targets: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .expect("listing /proc/self/fd")
        .filter_map(|entry| std::fs::read_link(entry.ok()?.path()).ok())
        .map(|target| target.display().to_string())
        .filter(|target| target.starts_with("anon_inode:") || target.starts_with("socket:"))
        .collect();
    targets.sort();
    targets
}

#[test]
fn a_dropped_runtime_has_closed_its_descriptors() {
    watchdog(120, || {
        let before = anon_descriptors();
        for flavor in Flavor::ALL {
            for round in 0..ROUNDS {
                let mut builder = match flavor {
                    Flavor::CurrentThread => Builder::new_current_thread(),
                    Flavor::MultiThread => {
                        let mut builder = Builder::new_multi_thread();
                        builder.worker_threads(2);
                        builder
                    }
                };
                let rt = builder
                    .enable_all()
                    .thread_keep_alive(Duration::from_secs(10))
                    .build()
                    .unwrap();
                // A pool thread now holds the runtime's handle (and so its driver).
                let pooled = rt.spawn_blocking(|| ());
                rt.block_on(pooled).unwrap();
                drop(rt);
                let after = anon_descriptors();
                assert_eq!(after, before, "{flavor:?}, round {round}: descriptors left open");
            }
        }
    });
}
