//! The proxy balances requests across backends and rewrites headers on the way.

mod proxy_support;

use http::Request;
use proxy_support::{client, config, get, raw, raw_backend, send, start, Backend};
use svc_http::Body;

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_are_balanced_across_backends() {
    let backends = [
        Backend::start("a").await,
        Backend::start("b").await,
        Backend::start("c").await,
    ];
    let addrs: Vec<_> = backends.iter().map(|b| b.addr).collect();
    let proxy = start(config(&addrs)).await;
    let pool = client(proxy.local_addr());
    // 15 requests at a time: PeakEWMA sends a lone sequential client to the fastest
    // backend, and spreads concurrent requests (its cost grows with requests in flight).
    for _ in 0..20 {
        let answers = futures::future::join_all((0..15).map(|_| get(&pool, "/slow/1"))).await;
        assert!(answers.iter().all(|a| a.status == 200));
    }
    let hits: Vec<u64> = backends.iter().map(Backend::hits).collect();
    assert_eq!(hits.iter().sum::<u64>(), 300, "{hits:?}");
    for (backend, n) in backends.iter().zip(&hits) {
        assert!(
            *n >= 30,
            "backend {} got only {n} of 300 requests: {hits:?}",
            backend.name
        );
    }
    let snap = proxy.snapshot();
    assert_eq!(snap.requests, 300);
    assert_eq!(snap.responses_by_status, vec![(200, 300)]);
    assert_eq!(snap.backends.len(), 3);
    assert_eq!(snap.backends.iter().map(|b| b.requests).sum::<u64>(), 300);
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn hop_by_hop_fields_are_removed_and_forwarded_fields_added() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    // Raw bytes: the svc-http client would not send a `connection` field of ours.
    let request = "GET / HTTP/1.1\r\nhost: x\r\nconnection: x-secret, close\r\nx-secret: 1\r\n\
                   keep-alive: timeout=1\r\nproxy-authorization: basic eA==\r\nte: trailers\r\n\
                   x-forwarded-for: 10.0.0.9\r\n\r\n";
    let answer = raw(proxy.local_addr(), request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    let expected = "x-seen: x-forwarded-for=10.0.0.9, 127.0.0.1;forwarded=for=127.0.0.1;proto=http;\r\n";
    assert!(answer.contains(expected), "the backend saw otherwise: {answer}");
    assert!(!answer.contains("keep-alive"), "{answer}");
    // Through a client: the same, and the backend's hop-by-hop fields do not come back.
    let pool = client(proxy.local_addr());
    let answer = get(&pool, "/").await;
    assert_eq!(
        answer.headers["x-seen"],
        "x-forwarded-for=127.0.0.1;forwarded=for=127.0.0.1;proto=http;"
    );
    assert!(answer.headers.get("keep-alive").is_none());
    assert_eq!(answer.headers["x-backend"], "a");
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn hop_by_hop_fields_of_responses_are_removed() {
    let reply = b"HTTP/1.1 200 OK\r\nconnection: x-hop\r\nx-hop: 1\r\nkeep-alive: timeout=5\r\n\
                  proxy-authenticate: basic\r\nx-end: 1\r\ncontent-length: 2\r\n\r\nok";
    let (addr, _backend) = raw_backend(reply).await;
    let proxy = start(config(&[addr])).await;
    let answer = get(&client(proxy.local_addr()), "/").await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
    for name in ["connection", "x-hop", "keep-alive", "proxy-authenticate"] {
        assert!(
            answer.headers.get(name).is_none(),
            "{name} came through: {:?}",
            answer.headers
        );
    }
    assert_eq!(answer.headers["x-end"], "1");
    proxy.shutdown().await;
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_bodies_reach_the_backend() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let pool = client(proxy.local_addr());
    let small = send(&pool, Request::post("/").body(Body::from(vec![7u8; 1000])).unwrap()).await;
    assert_eq!((small.status, small.body.as_str()), (200, "a 1000"));
    // Larger than the replay limit: streamed once, not buffered.
    let big = send(&pool, Request::put("/").body(Body::from(vec![7u8; 200_000])).unwrap()).await;
    assert_eq!((big.status, big.body.as_str()), (200, "a 200000"));
    let chunks = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("ab")), Ok("cd".into())]);
    let chunked = send(&pool, Request::put("/").body(Body::from_stream(chunks)).unwrap()).await;
    assert_eq!((chunked.status, chunked.body.as_str()), (200, "a 4"));
    proxy.shutdown().await;
}
