//! A Unix-socket echo server: each connection gets back every byte it sends, until it
//! closes. Ctrl-C or SIGTERM stop it and remove the socket file.
//!
//! ```text
//! cargo run -p examples --bin unix_echo -- --path /tmp/echo.sock
//! # in another shell:
//! nc -U /tmp/echo.sock
//! ```
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::pin::pin;

use futures::future::{select, Either};
use rt_net::signal::unix::{signal, SignalKind};
use rt_net::{UnixListener, UnixStream};

fn main() -> std::io::Result<()> {
    let path = PathBuf::from(arg("--path").unwrap_or_else(|| "/tmp/rt-unix-echo.sock".to_string()));
    let rt = rt_sched::Builder::new_multi_thread().enable_all().build()?;
    let result = rt.block_on(async {
        let listener = UnixListener::bind(&path)?;
        // The handlers are installed here, before the server says it is ready: a signal
        // that came before them would still kill the process and leave the socket file.
        // (`rt_net::signal::ctrl_c()` installs its handler only when first polled.)
        let mut interrupts = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        println!("unix echo listening on {}", path.display());
        let stop = pin!(async {
            let ctrl_c = pin!(interrupts.recv());
            let terminate = pin!(terminate.recv());
            select(ctrl_c, terminate).await;
        });
        let serve = pin!(serve(&listener));
        let result = match select(serve, stop).await {
            Either::Left((result, _)) => result,
            Either::Right(((), _)) => {
                println!("shutting down");
                Ok(())
            }
        };
        result
    });
    let _ = std::fs::remove_file(&path);
    result
}

/// Accepts connections and echoes each on its own task.
async fn serve(listener: &UnixListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        rt_sched::spawn(async move {
            if let Err(e) = echo(stream).await {
                eprintln!("connection: {e}");
            }
        });
    }
}

/// Copies what the peer sends back to it, through the owned halves.
async fn echo(stream: UnixStream) -> std::io::Result<u64> {
    let (reader, mut writer) = stream.into_split();
    futures::io::copy(reader, &mut writer).await
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
