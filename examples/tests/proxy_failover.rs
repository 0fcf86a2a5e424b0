//! A backend killed mid-load causes no client-visible error for idempotent requests.

mod proxy_support;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use examples::proxy::BackendState;
use proxy_support::{client, config, eventually, failing_backend, get, start, Backend};

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_backend_mid_load_is_invisible_to_clients() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let proxy = start(config(&[a.addr, b.addr])).await;
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let pool = client(proxy.local_addr());
        let (stop, ok, failed) = (stop.clone(), ok.clone(), failed.clone());
        clients.push(rt_sched::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                // Some requests are in flight on the backend when it dies.
                let answer = get(&pool, "/slow/2").await;
                let counter = if answer.status == 200 { &ok } else { &failed };
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    rt_core::time::sleep(Duration::from_millis(600)).await;
    let before = a.hits();
    assert!(before > 0 && b.hits() > 0, "both backends served before the kill");
    a.kill();
    rt_core::time::sleep(Duration::from_millis(900)).await;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    assert_eq!(failed, 0, "{failed} of {} requests failed", ok + failed);
    assert!(b.hits() > 0 && ok > 100, "ok {ok}");
    // The dead backend is out of rotation. Its penalty (1 s, jittered by ±25 %) may just
    // have ended, leaving it readmitted until its probation request: one more request
    // (answered by `b`, retried if it probes `a`) sends it back out.
    let mut state = BackendState::Ready;
    for _ in 0..20 {
        let snap = proxy.snapshot();
        state = snap.backends.iter().find(|s| s.addr == a.addr).unwrap().state;
        if state == BackendState::Failing {
            break;
        }
        let probe = client(proxy.local_addr());
        assert_eq!(
            get(&probe, "/").await.status,
            200,
            "a request while `a` is on probation"
        );
        rt_core::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, BackendState::Failing, "{:?}", proxy.snapshot());
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_comes_back_is_used_again() {
    let a = Backend::start("a").await;
    let b = Backend::start("b").await;
    let mut config = config(&[a.addr, b.addr]);
    config.fail_fast = std::time::Duration::from_millis(100);
    let proxy = start(config).await;
    let pool = client(proxy.local_addr());
    let addr = a.addr;
    a.kill();
    for _ in 0..20 {
        assert_eq!(get(&pool, "/").await.status, 200);
    }
    // Back on the same port: after its penalty (about 1 s), it is probed and used again.
    let a = Backend::start_on(addr, "a").await;
    let back = eventually(Duration::from_secs(5), || {
        let pool = pool.clone();
        drop(rt_sched::spawn(async move { get(&pool, "/").await }));
        a.hits() > 0
    })
    .await;
    assert!(back, "the restarted backend got no request");
    proxy.shutdown().await;
}

/// One client, one request at a time, and a backend that answers `503` at once: each
/// request's retry must go to the healthy backend. A backend that fails fast used to look
/// like the cheapest one and won the retries of its own failures, so a request could use
/// up its attempts on it (and reach the client as `503`) before failure accrual ejected it.
#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_failing_fast_does_not_take_the_retries_of_a_lone_client() {
    let good = Backend::start("good").await;
    let (bad, _bad_task) = failing_backend().await;
    for _ in 0..12 {
        // A fresh proxy each time: the first failures, before any ejection, are the test.
        let proxy = start(config(&[good.addr, bad])).await;
        let pool = client(proxy.local_addr());
        for i in 0..20 {
            let status = get(&pool, "/").await.status;
            assert_eq!(status, 200, "request {i} got {status}");
        }
        proxy.shutdown().await;
    }
}
