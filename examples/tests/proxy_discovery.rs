//! A backends file change adds and removes endpoints without a restart; requests in
//! flight to a removed endpoint finish.

mod proxy_support;

use std::path::PathBuf;
use std::time::Duration;

use examples::proxy::BackendState;
use proxy_support::{client, config, eventually, get, start, Backend};

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("proxy-test-{}-{name}", std::process::id()))
}

/// Writes the file so that its length changes too (the watcher looks at mtime and length).
fn write(path: &PathBuf, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_change_adds_and_removes_endpoints() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let path = temp_file("add-remove");
    write(&path, &format!("# the backends\n{}\n", a.addr));
    let mut config = config(&[]);
    config.backends_file = Some(path.clone());
    let proxy = start(config).await;
    let pool = client(proxy.local_addr());
    for _ in 0..20 {
        assert_eq!(get(&pool, "/").await.backend(), "a");
    }

    // Add b: it gets requests.
    write(&path, &format!("# the backends\n{}\n{}   # second\n", a.addr, b.addr));
    let added = eventually(Duration::from_secs(5), || proxy.snapshot().backends.len() == 2).await;
    assert!(added, "{:?}", proxy.snapshot());
    // (Concurrent requests: PeakEWMA tries an endpoint it has no sample of once the
    // others have requests in flight.)
    let mut seen_b = false;
    for _ in 0..20 {
        let answers = futures::future::join_all((0..16).map(|_| get(&pool, "/"))).await;
        seen_b |= answers.iter().any(|a| a.backend() == "b");
    }
    assert!(seen_b, "b never got a request");

    // Remove a, with a slow request in flight on it: that request finishes.
    // Several slow requests at once: some of them are on a when it is removed.
    let slow = {
        let pool = client(proxy.local_addr());
        rt_sched::spawn(async move {
            let requests = (0..6).map(|_| get(&pool, "/slow/600"));
            futures::future::join_all(requests)
                .await
                .into_iter()
                .map(|a| a.status)
                .collect::<Vec<_>>()
        })
    };
    rt_core::time::sleep(Duration::from_millis(100)).await;
    write(&path, &format!("{}\n", b.addr));
    let removed = eventually(Duration::from_secs(5), || {
        let snap = proxy.snapshot();
        snap.backends
            .iter()
            .any(|s| s.addr == a.addr && s.state == BackendState::Removed)
    })
    .await;
    assert!(removed, "{:?}", proxy.snapshot());
    let a_hits = a.hits();
    for _ in 0..50 {
        assert_eq!(get(&pool, "/").await.backend(), "b");
    }
    assert_eq!(a.hits(), a_hits, "a removed endpoint got new requests");
    assert_eq!(slow.await.unwrap(), vec![200; 6]);
    proxy.shutdown().await;
    let _ = std::fs::remove_file(&path);
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_line_backends_stay_and_a_bad_file_changes_nothing() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let path = temp_file("fixed");
    write(&path, &format!("{}\n", b.addr));
    let mut config = config(&[a.addr]);
    config.backends_file = Some(path.clone());
    let proxy = start(config).await;
    assert!(eventually(Duration::from_secs(2), || proxy.snapshot().backends.len() == 2).await);
    // A line that does not resolve: the file is ignored, endpoints unchanged.
    write(&path, "this is not an address\n");
    rt_core::time::sleep(Duration::from_millis(300)).await;
    let snap = proxy.snapshot();
    assert!(snap.backends.iter().all(|s| s.state == BackendState::Ready), "{snap:?}");
    // Empty file: b goes, a (from the command line) stays.
    write(&path, "# nothing\n");
    let gone = eventually(Duration::from_secs(5), || {
        let snap = proxy.snapshot();
        snap.backends
            .iter()
            .any(|s| s.addr == b.addr && s.state == BackendState::Removed)
    })
    .await;
    assert!(gone, "{:?}", proxy.snapshot());
    let pool = client(proxy.local_addr());
    for _ in 0..10 {
        assert_eq!(get(&pool, "/").await.backend(), "a");
    }
    proxy.shutdown().await;
    let _ = std::fs::remove_file(&path);
}
