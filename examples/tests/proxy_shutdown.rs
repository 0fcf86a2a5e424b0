//! Graceful shutdown drains requests in flight: through the library, and for the
//! `proxy` binary on SIGTERM (exit status 0).

mod proxy_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use proxy_support::{client, config, get, start, Backend};
use rt_core::time::Instant;

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_requests_in_flight() {
    let backend = Backend::start("a").await;
    let proxy = start(config(&[backend.addr])).await;
    let addr = proxy.local_addr();
    let pool = client(addr);
    let in_flight: Vec<_> = (0..4)
        .map(|_| {
            let pool = pool.clone();
            rt_sched::spawn(async move { get(&pool, "/slow/500").await.status })
        })
        .collect();
    rt_core::time::sleep(Duration::from_millis(150)).await;
    let start = Instant::now();
    proxy.shutdown().await;
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(200), "shutdown did not wait: {took:?}");
    for request in in_flight {
        assert_eq!(request.await.unwrap(), 200);
    }
    // Not accepting any more.
    assert!(rt_net::TcpStream::connect(addr).await.is_err());
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_drains_and_exits_0_on_sigterm() {
    let backend = Backend::start("a").await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_proxy"))
        .args(["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--backend"])
        .arg(backend.addr.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the proxy binary");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr: std::net::SocketAddr = line.trim().rsplit(' ').next().unwrap().parse().expect(&line);
    let pool = client(addr);
    assert_eq!(get(&pool, "/").await.status, 200);
    let slow = {
        let pool = pool.clone();
        rt_sched::spawn(async move { get(&pool, "/slow/700").await })
    };
    rt_core::time::sleep(Duration::from_millis(200)).await;
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let answer = slow.await.unwrap();
    assert_eq!((answer.status, answer.backend()), (200, "a"));
    let status = rt_sched::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert!(status.success(), "exit status {status:?}");
    drop(stdout);
}
