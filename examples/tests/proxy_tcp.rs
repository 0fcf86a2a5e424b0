//! L4 mode: connections are balanced over endpoints and copied both ways.

mod proxy_support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use examples::proxy::Mode;
use futures::io::{AsyncReadExt, AsyncWriteExt};
use proxy_support::{config, start};
use rt_net::{TcpListener, TcpStream};

/// An echo server that prefixes its answers with `tag`; counts connections.
async fn echo(tag: &'static str) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicU64::new(0));
    let counter = count.clone();
    rt_sched::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            rt_sched::spawn(async move {
                let mut buf = [0u8; 1024];
                while let Ok(n) = stream.read(&mut buf).await {
                    if n == 0 {
                        break;
                    }
                    let mut out = tag.as_bytes().to_vec();
                    out.extend_from_slice(&buf[..n]);
                    if stream.write_all(&out).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (addr, count)
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connections_are_balanced_and_copied() {
    let (a, a_count) = echo("a:").await;
    let (b, b_count) = echo("b:").await;
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let mut config = config(&[a, b, dead]);
    config.mode = Mode::Tcp;
    let proxy = start(config).await;
    for i in 0..40 {
        let mut stream = TcpStream::connect(proxy.local_addr()).await.unwrap();
        let msg = format!("hello {i}");
        stream.write_all(msg.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; msg.len() + 2];
        stream.read_exact(&mut buf).await.unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text == format!("a:{msg}") || text == format!("b:{msg}"), "{text}");
    }
    let (a, b) = (a_count.load(Ordering::SeqCst), b_count.load(Ordering::SeqCst));
    assert_eq!(a + b, 40);
    assert!(a > 0 && b > 0, "a {a}, b {b}");
    assert_eq!(proxy.snapshot().requests, 40);
    proxy.shutdown().await;
}
