//! The hello-world server: accepts sockets, writes "Hello World" on each, closes it.
//!
//! ```sh
//! cargo run --release -p examples --bin hello_world -- --addr 127.0.0.1:8080
//! nc 127.0.0.1 8080     # prints: Hello World
//! ```
#![forbid(unsafe_code)]

use futures::io::AsyncWriteExt;
use rt_net::net::TcpListener;

#[rt_sched::main]
async fn main() -> std::io::Result<()> {
    let addr = addr_from_args("127.0.0.1:8080");
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("hello_world: listening on {}", listener.local_addr()?);
    loop {
        let (mut socket, _peer) = listener.accept().await?;
        rt_sched::spawn(async move {
            // A client that goes away early is its own business: nothing to report.
            if socket.write_all(b"Hello World").await.is_ok() {
                let _ = socket.close().await;
            }
        });
    }
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
    eprintln!("hello_world: bad argument {bad:?}\nusage: hello_world [--addr HOST:PORT]");
    std::process::exit(2)
}
