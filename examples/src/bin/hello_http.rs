//! The HTTP/1.1 hello-world server: every request gets `200 OK` with `Hello World`, from a
//! `svc-trait` handler (`service_fn`) served by `svc-http`. Built to be benchmarked:
//! keep-alive and pipelining, no per-request work beyond parsing and one write.
//!
//! ```sh
//! cargo run --release -p examples --bin hello_http -- --port 8080 --workers 2
//! curl http://127.0.0.1:8080/     # prints: Hello World
//! ```
//!
//! `--port 0` picks a free port; the first line printed says which
//! (`hello_http: listening on 127.0.0.1:PORT`). Ctrl-C stops it gracefully.
#![forbid(unsafe_code)]

use std::convert::Infallible;
use std::io::Write as _;

use clap::Parser;
use svc_http::{server::Server, Body};
use svc_trait::service_fn;

/// Command-line options.
#[derive(Debug, Parser)]
#[command(about = "HTTP/1.1 hello-world server on rt-sched + svc-http")]
struct Args {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The number of runtime worker threads.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let rt = rt_sched::Builder::new_multi_thread()
        .worker_threads(args.workers.max(1))
        .enable_all()
        .build()?;
    rt.block_on(serve(args))
}

async fn serve(args: Args) -> std::io::Result<()> {
    let server = Server::bind((args.host.as_str(), args.port))
        .await?
        .with_graceful_shutdown(async {
            let _ = rt_net::signal::ctrl_c().await;
        });
    println!("hello_http: listening on {}", server.local_addr()?);
    std::io::stdout().flush()?;
    let hello = service_fn(|_req: http::Request<Body>| async {
        Ok::<_, Infallible>(http::Response::new(Body::from("Hello World")))
    });
    server.serve(hello).await
}
