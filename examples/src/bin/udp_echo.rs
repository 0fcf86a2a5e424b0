//! A UDP echo server: every datagram received is sent back to its sender. Ctrl-C stops
//! it cleanly.
//!
//! ```text
//! cargo run -p examples --bin udp_echo -- --addr 127.0.0.1:8080
//! # in another shell:
//! nc -u 127.0.0.1 8080
//! ```
#![forbid(unsafe_code)]

use std::pin::pin;

use futures::future::{select, Either};
use rt_net::signal::unix::{signal, SignalKind};
use rt_net::UdpSocket;

fn main() -> std::io::Result<()> {
    let addr = arg("--addr").unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let rt = rt_sched::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let socket = UdpSocket::bind(addr.as_str()).await?;
        // The handler is installed here, before the server says it is ready: a Ctrl-C
        // that came before it would still kill the process. (`rt_net::signal::ctrl_c()`
        // installs it only when first polled.)
        let mut interrupts = signal(SignalKind::interrupt())?;
        println!("udp echo listening on {}", socket.local_addr()?);
        let serve = pin!(serve(&socket));
        let ctrl_c = pin!(interrupts.recv());
        match select(serve, ctrl_c).await {
            Either::Left((result, _)) => result,
            Either::Right((_, _)) => {
                println!("ctrl-c: shutting down");
                Ok(())
            }
        }
    })
}

/// Echoes datagrams until an error.
async fn serve(socket: &UdpSocket) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let (n, peer) = socket.recv_from(&mut buf).await?;
        if let Err(e) = socket.send_to(&buf[..n], peer).await {
            // One unreachable peer must not stop the server.
            eprintln!("send to {peer}: {e}");
        }
    }
}

/// The value following `flag` (`--flag value` or `--flag=value`) on the command line.
fn arg(flag: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == flag {
            return args.next();
        }
        if let Some(v) = a.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) {
            return Some(v.to_string());
        }
    }
    None
}
