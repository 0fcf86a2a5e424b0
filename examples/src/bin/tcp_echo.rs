//! A TCP echo server: every connection gets back what it sends.
//!
//! ```sh
//! cargo run --release -p examples --bin tcp_echo -- --addr 127.0.0.1:7000
//! nc 127.0.0.1 7000     # type a line: it comes back
//! ```
#![forbid(unsafe_code)]

use rt_net::net::{TcpListener, TcpStream};

#[rt_sched::main]
async fn main() -> std::io::Result<()> {
    let addr = addr_from_args("127.0.0.1:7000");
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("tcp_echo: listening on {}", listener.local_addr()?);
    loop {
        let (stream, peer) = listener.accept().await?;
        rt_sched::spawn(async move {
            if let Err(e) = echo(stream).await {
                eprintln!("tcp_echo: {peer}: {e}");
            }
        });
    }
}

/// Copies what the peer sends back to it until it closes its side, then closes ours.
async fn echo(mut stream: TcpStream) -> std::io::Result<()> {
    let (mut reader, mut writer) = TcpStream::split(&mut stream);
    futures::io::copy(&mut reader, &mut writer).await?;
    futures::io::AsyncWriteExt::close(&mut writer).await
}

/// The `--addr HOST:PORT` argument, or `default`.
fn addr_from_args(default: &str) -> String {
    let mut args = std::env::args().skip(1);
    let mut addr = default.to_owned();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--addr", Some(value)) => addr = value,
            _ => exit_with_usage(&arg),
        }
    }
    // Not parsed here: `bind` takes host names too, and reports a bad address itself.
    addr
}

fn exit_with_usage(bad: &str) -> ! {
    eprintln!("tcp_echo: bad argument {bad:?}\nusage: tcp_echo [--addr HOST:PORT]");
    std::process::exit(2)
}
