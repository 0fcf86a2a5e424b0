//! An async file copy: `file_copy SRC DST` copies SRC to DST through `rt_net::fs::File`
//! (reads and writes run on the blocking pool, 1 MiB per trip) and prints the number
//! of bytes copied and the time it took.
//!
//! Errors are printed with the path they concern, and the exit code is 1.
//!
//! ```text
//! cargo run --release -p examples --bin file_copy -- big.iso /tmp/big.iso
//! ```

use std::io;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rt_net::fs::{self, File};

/// Bytes moved per read and per write: larger chunks mean fewer trips to the pool.
const CHUNK: usize = 1024 * 1024;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(src), Some(dst), None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: file_copy SRC DST");
        return ExitCode::FAILURE;
    };
    match run(Path::new(&src), Path::new(&dst)) {
        Ok((bytes, elapsed)) => {
            let secs = elapsed.as_secs_f64();
            let mib_per_sec = bytes as f64 / (1024.0 * 1024.0) / secs.max(f64::EPSILON);
            println!(
                "copied {bytes} bytes from {} to {} in {secs:.3} s ({mib_per_sec:.1} MiB/s)",
                Path::new(&src).display(),
                Path::new(&dst).display(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("file_copy: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Copies `src` to `dst` on a current-thread runtime; returns the bytes copied and the
/// time the copy took.
fn run(src: &Path, dst: &Path) -> io::Result<(u64, Duration)> {
    let rt = rt_sched::Builder::new_current_thread().build()?;
    rt.block_on(async {
        let start = Instant::now();
        let mut from = File::open(src).await.map_err(|e| context(e, "cannot open", src))?;
        check(&from, src, dst).await?;
        let mut to = File::create(dst).await.map_err(|e| context(e, "cannot create", dst))?;
        // `copy_with_size` flushes at the end, so a failed background write shows here.
        let bytes = rt_net::io::copy_with_size(&mut from, &mut to, CHUNK)
            .await
            .map_err(|e| {
                let msg = format!("cannot copy {} to {}: {e}", src.display(), dst.display());
                io::Error::new(e.kind(), msg)
            })?;
        Ok((bytes, start.elapsed()))
    })
}

/// Fails before `dst` is created (or truncated) if the source is a directory, or if
/// `dst` is the source file itself.
async fn check(from: &File, src: &Path, dst: &Path) -> io::Result<()> {
    let src_meta = from.metadata().await.map_err(|e| context(e, "cannot inspect", src))?;
    if src_meta.is_dir() {
        let msg = format!("{} is a directory", src.display());
        return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
    }
    let dst_meta = match fs::metadata(dst).await {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(context(e, "cannot inspect", dst)),
    };
    if same_file(&src_meta, &dst_meta) {
        let msg = format!("{} is the source file itself", dst.display());
        return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// The error with what was attempted on which path in front of it.
fn context(e: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(e.kind(), format!("{what} {}: {e}", path.display()))
}
