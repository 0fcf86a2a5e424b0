//! Every error status the proxy answers with: 502 (backend unreachable or failing),
//! 504 (backend timeout), 503 (no healthy endpoint, within the fail-fast timeout), 400
//! (bad request), and a backend's own 5xx passed through; misbehaving backends do not
//! hurt the proxy.

mod proxy_support;

use std::net::SocketAddr;
use std::time::Duration;

use proxy_support::{client, config, get, raw, raw_backend, start, Backend};
use rt_core::time::Instant;

/// An address nothing listens on.
async fn dead_addr() -> SocketAddr {
    let listener = rt_net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_backend_is_502_then_503_within_fail_fast() {
    let proxy = start(config(&[dead_addr().await])).await;
    let pool = client(proxy.local_addr());
    let first = get(&pool, "/").await;
    assert_eq!(first.status, 502, "{} {:?}", first.body, proxy.snapshot());
    // The endpoint is out of rotation now: no healthy endpoint.
    let start = Instant::now();
    let second = get(&pool, "/").await;
    let waited = start.elapsed();
    assert_eq!(second.status, 503, "{}", second.body);
    assert!(
        waited < Duration::from_secs(1),
        "503 after {waited:?}, fail-fast is 300 ms"
    );
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_backend_at_all_is_503() {
    let proxy = start(config(&[])).await;
    let answer = get(&client(proxy.local_addr()), "/").await;
    assert_eq!(answer.status, 503);
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_backend_is_504() {
    let backend = Backend::start("slow").await;
    let mut config = config(&[backend.addr]);
    config.request_timeout = Duration::from_millis(200);
    let proxy = start(config).await;
    let pool = client(proxy.local_addr());
    let start = Instant::now();
    let answer = get(&pool, "/slow/3000").await;
    assert_eq!(answer.status, 504);
    assert!(start.elapsed() < Duration::from_secs(2));
    // The proxy and the backend still serve fast requests.
    assert_eq!(get(&pool, "/").await.status, 200);
    assert_eq!(proxy.snapshot().responses_by_status, vec![(200, 1), (504, 1)]);
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_request_is_400() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let answer = raw(
        proxy.local_addr(),
        b"GET / HTTP/1.1\r\nhost: x\r\nbad header line\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    let answer = raw(
        proxy.local_addr(),
        b"GET / HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert_eq!(backend.hits(), 0);
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn backend_5xx_is_passed_through_after_retries() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let answer = get(&client(proxy.local_addr()), "/status/500").await;
    assert_eq!(answer.status, 500);
    assert_eq!(answer.backend(), "a");
    assert_eq!(backend.hits(), 3, "three attempts");
    assert_eq!(proxy.snapshot().retries, 2);
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_and_resets_are_502_and_do_not_poison_the_pool() {
    let (garbage, _g) = raw_backend(b"HELLO THERE\r\n\r\n").await;
    let (reset, _r) = raw_backend(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part").await;
    for addr in [garbage, reset] {
        let proxy = start(config(&[addr])).await;
        let pool = client(proxy.local_addr());
        for i in 0..3 {
            let res = svc_trait::ServiceExt::oneshot(pool.clone(), http::Request::new(svc_http::Body::empty())).await;
            match res {
                // Then the endpoint is out of rotation: 503.
                Ok(res) if addr == garbage => assert_eq!(res.status(), if i == 0 { 502 } else { 503 }),
                // The head came through: the body breaks mid-way.
                Ok(res) => assert!(res.into_body().collect(1 << 20).await.is_err()),
                Err(e) => panic!("the proxy closed the connection: {e}"),
            }
        }
        proxy.shutdown().await;
    }
    // In front of a good and a garbage backend, the garbage one is ejected at once and
    // retries hide it.
    let good = Backend::start("good").await;
    let proxy = start(config(&[good.addr, garbage])).await;
    let pool = client(proxy.local_addr());
    for _ in 0..50 {
        assert_eq!(get(&pool, "/").await.status, 200);
    }
    proxy.shutdown().await;
}
