//! File system: `File` round trips (write, read, append, seek, set_len, read after
//! write, a file larger than one 2 MiB chunk), background write errors, the free
//! functions, directory listings and trees, missing files, and calls outside a runtime.

mod support;

use std::future::poll_fn;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::task::Poll;

use futures::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt, AsyncWriteExt};
use rt_net::fs::{self, File, OpenOptions};
use support::each_flavor;
use support::temp::TempDir;

/// `len` bytes of a pattern that does not repeat at 2 MiB boundaries.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

async fn read_write(path: &std::path::Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .await
}

#[test]
fn whole_file_round_trip() {
    each_flavor(|_| async {
        let dir = TempDir::new("whole");
        let path = dir.join("a.txt");
        fs::write(&path, "hello world").await.unwrap();
        assert_eq!(fs::read(&path).await.unwrap(), b"hello world");
        assert_eq!(fs::read_to_string(&path).await.unwrap(), "hello world");
        fs::write(&path, b"short").await.unwrap();
        assert_eq!(fs::read_to_string(&path).await.unwrap(), "short", "write truncates");
    });
}

#[rt_sched::test]
async fn read_to_string_rejects_invalid_utf8() {
    let dir = TempDir::new("utf8");
    let path = dir.join("bin");
    fs::write(&path, [0xff, 0xfe]).await.unwrap();
    let err = fs::read_to_string(&path).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn file_write_seek_read() {
    each_flavor(|_| async {
        let dir = TempDir::new("seek");
        let mut file = read_write(&dir.join("f")).await.unwrap();
        file.write_all(b"hello world").await.unwrap();
        // Read after write, without a flush: the read waits for the write.
        assert_eq!(file.seek(SeekFrom::Start(6)).await.unwrap(), 6);
        let mut word = String::new();
        file.read_to_string(&mut word).await.unwrap();
        assert_eq!(word, "world");
        assert_eq!(file.seek(SeekFrom::Current(-5)).await.unwrap(), 6);
        file.write_all(b"WORLD").await.unwrap();
        assert_eq!(file.seek(SeekFrom::End(-11)).await.unwrap(), 0);
        let mut all = Vec::new();
        file.read_to_end(&mut all).await.unwrap();
        assert_eq!(all, b"hello WORLD");
    });
}

#[rt_sched::test]
async fn read_at_end_of_file_returns_zero() {
    let dir = TempDir::new("eof");
    let mut file = read_write(&dir.join("f")).await.unwrap();
    file.write_all(b"abc").await.unwrap();
    let mut buf = [0u8; 8];
    // The cursor is at the end after the write.
    assert_eq!(file.read(&mut buf).await.unwrap(), 0);
    assert_eq!(file.read(&mut buf).await.unwrap(), 0);
    file.seek(SeekFrom::Start(1)).await.unwrap();
    assert_eq!(file.read(&mut buf).await.unwrap(), 2);
    assert_eq!(&buf[..2], b"bc");
}

#[rt_sched::test]
async fn write_after_partial_read_lands_at_the_reader_position() {
    let dir = TempDir::new("rewind");
    let path = dir.join("f");
    fs::write(&path, "abcdefghij").await.unwrap();
    let mut file = OpenOptions::new().read(true).write(true).open(&path).await.unwrap();

    // Start a 100-byte read and abandon it: the bytes it fetches stay in the buffer.
    let mut big = [0u8; 100];
    let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut file).poll_read(cx, &mut big))).await;
    let consumed = match first {
        Poll::Ready(n) => n.unwrap(), // the pool was quicker than us: all taken
        Poll::Pending => {
            let mut three = [0u8; 3];
            file.read_exact(&mut three).await.unwrap();
            assert_eq!(&three, b"abc");
            3
        }
    };
    assert_eq!(file.stream_position().await.unwrap(), consumed as u64);
    file.write_all(b"XYZ").await.unwrap();
    file.flush().await.unwrap();
    let mut expected = b"abcdefghij".to_vec();
    let end = (consumed + 3).min(10);
    expected.splice(consumed..end, *b"XYZ");
    assert_eq!(fs::read(&path).await.unwrap(), expected);
}

/// A relative seek that returned `Pending` and is polled again is applied once.
///
/// The seek must still be in flight at the second poll, which a free blocking thread
/// would not guarantee (a fast `lseek` can finish before the first poll returns, and a
/// second `seek` is then a new seek, to 8): so the only blocking thread is held busy
/// until the seek has been polled once.
#[test]
fn a_seek_polled_again_is_not_applied_twice() {
    let rt = rt_sched::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = TempDir::new("seek_again");
        let path = dir.join("f");
        fs::write(&path, "0123456789").await.unwrap();
        let mut file = File::open(&path).await.unwrap();
        let (started, is_started) = std::sync::mpsc::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let blocker = rt_sched::spawn_blocking(move || {
            started.send(()).unwrap();
            released.recv().unwrap();
        });
        is_started.recv().unwrap();
        // The seek is queued behind the blocker: its first poll cannot complete.
        let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut file).poll_seek(cx, SeekFrom::Current(4)))).await;
        assert!(first.is_pending(), "the seek completed with the pool busy: {first:?}");
        release.send(()).unwrap();
        blocker.await.unwrap();
        assert_eq!(file.seek(SeekFrom::Current(4)).await.unwrap(), 4, "applied once");
        let mut rest = String::new();
        file.read_to_string(&mut rest).await.unwrap();
        assert_eq!(rest, "456789");
    });
}

#[test]
fn a_write_dropped_at_shutdown_is_reported_by_the_next_operation() {
    let dir = TempDir::new("shutdown");
    let path = dir.join("f");
    let (release, blocked) = std::sync::mpsc::channel::<()>();
    let rt = rt_sched::Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let mut file = rt.block_on(async {
        let mut file = File::create(&path).await.unwrap();
        // Occupy the only blocking thread, so the write below stays queued.
        let _blocker = rt_sched::spawn_blocking(move || {
            let _ = blocked.recv();
        });
        file.write_all(b"lost").await.unwrap();
        file
    });
    // Shutting down cancels the queued write (and the blocker too, if it had not
    // started yet: then nobody listens any more).
    rt.shutdown_background();
    let _ = release.send(());
    support::Flavor::CurrentThread.runtime().block_on(async {
        let err = file.flush().await.unwrap_err();
        assert!(err.to_string().contains("shutting down"), "{err}");
        // Reported once; the file works again on this runtime.
        file.write_all(b"kept").await.unwrap();
        file.flush().await.unwrap();
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"kept");
}

#[rt_sched::test]
async fn append_writes_at_the_end() {
    let dir = TempDir::new("append");
    let path = dir.join("log");
    fs::write(&path, "one\n").await.unwrap();
    for line in ["two\n", "three\n"] {
        let mut file = OpenOptions::new().append(true).open(&path).await.unwrap();
        file.write_all(line.as_bytes()).await.unwrap();
        file.close().await.unwrap();
    }
    assert_eq!(fs::read_to_string(&path).await.unwrap(), "one\ntwo\nthree\n");
}

#[rt_sched::test]
async fn set_len_truncates_and_extends_after_pending_writes() {
    let dir = TempDir::new("set_len");
    let path = dir.join("f");
    let mut file = read_write(&path).await.unwrap();
    file.write_all(&pattern(100)).await.unwrap();
    // No flush: set_len orders itself after the queued write.
    file.set_len(10).await.unwrap();
    assert_eq!(file.metadata().await.unwrap().len(), 10);
    file.set_len(20).await.unwrap();
    let mut expected = pattern(10);
    expected.resize(20, 0);
    assert_eq!(fs::read(&path).await.unwrap(), expected);
    // The cursor did not move (it is past the end now): a write there leaves a hole.
    assert_eq!(file.stream_position().await.unwrap(), 100);
}

#[rt_sched::test]
async fn metadata_includes_unflushed_writes() {
    let dir = TempDir::new("meta");
    let mut file = read_write(&dir.join("f")).await.unwrap();
    file.write_all(b"12345").await.unwrap();
    assert_eq!(file.metadata().await.unwrap().len(), 5);
    file.sync_all().await.unwrap();
    file.write_all(b"678").await.unwrap();
    file.sync_data().await.unwrap();
    assert_eq!(fs::metadata(dir.join("f")).await.unwrap().len(), 8);
}

#[test]
fn large_file_round_trip() {
    // Larger than one 2 MiB chunk and not a multiple of it.
    const LEN: usize = 5 * 1024 * 1024 + 123;
    each_flavor(|_| async {
        let dir = TempDir::new("large");
        let path = dir.join("big");
        let data = pattern(LEN);
        let mut file = File::create(&path).await.unwrap();
        // Writes in pieces that straddle the chunk size.
        for piece in data.chunks(3 * 1024 * 1024 / 2) {
            file.write_all(piece).await.unwrap();
        }
        file.flush().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), LEN as u64);

        let mut back = Vec::new();
        let n = File::open(&path).await.unwrap().read_to_end(&mut back).await.unwrap();
        assert_eq!(n, LEN);
        assert!(back == data, "contents differ");
        assert!(fs::read(&path).await.unwrap() == data, "fs::read differs");

        // Seek into the middle of the second chunk and read across the third.
        let mut file = File::open(&path).await.unwrap();
        let at = 3 * 1024 * 1024 + 7;
        file.seek(SeekFrom::Start(at as u64)).await.unwrap();
        let mut part = vec![0u8; 2 * 1024 * 1024 + 5];
        file.read_exact(&mut part).await.unwrap();
        assert!(part[..] == data[at..at + part.len()], "seeked read differs");
    });
}

#[rt_sched::test]
async fn small_chunks_still_round_trip() {
    let dir = TempDir::new("chunks");
    let path = dir.join("f");
    let data = pattern(10_000);
    let mut file = read_write(&path).await.unwrap();
    file.set_max_buf_size(7);
    assert_eq!(file.max_buf_size(), 7);
    file.write_all(&data).await.unwrap();
    file.seek(SeekFrom::Start(0)).await.unwrap();
    let mut back = Vec::new();
    file.read_to_end(&mut back).await.unwrap();
    assert_eq!(back, data);
    file.set_max_buf_size(0);
    assert_eq!(file.max_buf_size(), 1, "0 is taken as 1");
}

#[rt_sched::test]
async fn background_write_error_surfaces_on_flush() {
    let dir = TempDir::new("write_err");
    let path = dir.join("ro");
    fs::write(&path, "x").await.unwrap();
    // Open read-only: the write is queued fine and fails on the pool.
    let mut file = File::open(&path).await.unwrap();
    assert_eq!(file.write(b"data").await.unwrap(), 4);
    assert!(file.flush().await.is_err(), "the failed write must be reported");
    // Reported once; the file is usable afterwards.
    file.flush().await.unwrap();
    let mut s = String::new();
    file.read_to_string(&mut s).await.unwrap();
    assert_eq!(s, "x");
}

#[rt_sched::test]
async fn background_write_error_surfaces_on_the_next_read_or_seek() {
    let dir = TempDir::new("write_err_next");
    let path = dir.join("ro");
    fs::write(&path, "x").await.unwrap();
    let mut file = File::open(&path).await.unwrap();
    file.write_all(b"data").await.unwrap();
    let mut buf = [0u8; 4];
    assert!(file.read(&mut buf).await.is_err(), "read reports the failed write");

    file.write_all(b"data").await.unwrap();
    assert!(
        file.seek(SeekFrom::Start(0)).await.is_err(),
        "seek reports the failed write"
    );

    file.write_all(b"data").await.unwrap();
    assert!(file.into_std().await.is_err(), "into_std reports the failed write");
}

#[rt_sched::test]
async fn into_std_keeps_the_reader_position() {
    use std::io::Read;

    let dir = TempDir::new("into_std");
    let path = dir.join("f");
    fs::write(&path, "0123456789").await.unwrap();
    let mut file = File::open(&path).await.unwrap();
    let mut big = [0u8; 64];
    // Abandon a read (its bytes are buffered), then take two bytes.
    let first = poll_fn(|cx| Poll::Ready(Pin::new(&mut file).poll_read(cx, &mut big))).await;
    let consumed = match first {
        Poll::Ready(n) => n.unwrap(),
        Poll::Pending => {
            let mut two = [0u8; 2];
            file.read_exact(&mut two).await.unwrap();
            2
        }
    };
    let mut std = file.into_std().await.unwrap();
    let mut rest = String::new();
    std.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, &"0123456789"[consumed..]);
}

#[rt_sched::test]
async fn from_std_try_clone_and_permissions() {
    let dir = TempDir::new("clone");
    let path = dir.join("f");
    let std = std::fs::File::create(&path).unwrap();
    let file = File::from_std(std);
    let mut clone = file.try_clone().await.unwrap();
    clone.write_all(b"via clone").await.unwrap();
    clone.flush().await.unwrap();
    assert_eq!(file.metadata().await.unwrap().len(), 9);

    let mut perm = file.metadata().await.unwrap().permissions();
    perm.set_readonly(true);
    file.set_permissions(perm).await.unwrap();
    assert!(fs::metadata(&path).await.unwrap().permissions().readonly());
    let mut perm = fs::metadata(&path).await.unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perm.set_readonly(false);
    fs::set_permissions(&path, perm).await.unwrap();
    assert!(!fs::metadata(&path).await.unwrap().permissions().readonly());
}

#[rt_sched::test]
async fn create_new_refuses_an_existing_file() {
    let dir = TempDir::new("create_new");
    let path = dir.join("f");
    File::create_new(&path).await.unwrap();
    let err = File::create_new(&path).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
}

#[test]
fn read_dir_lists_everything_across_batches() {
    each_flavor(|_| async {
        let dir = TempDir::new("read_dir");
        // More entries than one batch of the listing.
        let mut expected: Vec<String> = (0..70).map(|i| format!("file-{i:02}")).collect();
        for name in &expected {
            fs::write(dir.join(name), name).await.unwrap();
        }
        fs::create_dir(dir.join("sub")).await.unwrap();
        expected.push("sub".to_owned());
        expected.sort();

        let mut listing = fs::read_dir(dir.path()).await.unwrap();
        let mut seen = Vec::new();
        while let Some(entry) = listing.next_entry().await.unwrap() {
            let name = entry.file_name().into_string().unwrap();
            assert_eq!(entry.path(), dir.join(&name));
            let file_type = entry.file_type().await.unwrap();
            if name == "sub" {
                assert!(file_type.is_dir());
            } else {
                assert!(file_type.is_file());
                assert_eq!(entry.metadata().await.unwrap().len(), name.len() as u64);
            }
            seen.push(name);
        }
        assert!(listing.next_entry().await.unwrap().is_none(), "stays at the end");
        seen.sort();
        assert_eq!(seen, expected);
    });
}

#[rt_sched::test]
async fn read_dir_of_an_empty_directory() {
    let dir = TempDir::new("empty");
    let mut listing = fs::read_dir(dir.path()).await.unwrap();
    assert!(listing.next_entry().await.unwrap().is_none());
}

#[rt_sched::test]
async fn directory_trees() {
    let dir = TempDir::new("tree");
    let deep = dir.join("a/b/c");
    fs::create_dir_all(&deep).await.unwrap();
    fs::create_dir_all(&deep).await.unwrap(); // existing: fine
    fs::write(deep.join("leaf"), "x").await.unwrap();
    assert!(fs::metadata(&deep).await.unwrap().is_dir());

    let err = fs::create_dir(&deep).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    let err = fs::create_dir(dir.join("x/y")).await.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::NotFound, "create_dir needs the parent");
    assert!(fs::remove_dir(dir.join("a")).await.is_err(), "not empty");

    fs::create_dir(dir.join("a/empty")).await.unwrap();
    fs::remove_dir(dir.join("a/empty")).await.unwrap();
    assert!(!fs::try_exists(dir.join("a/empty")).await.unwrap());

    fs::remove_dir_all(dir.join("a")).await.unwrap();
    assert!(!fs::try_exists(dir.join("a")).await.unwrap());
    assert!(fs::try_exists(dir.path()).await.unwrap());
}

#[rt_sched::test]
async fn rename_copy_links() {
    let dir = TempDir::new("names");
    let a = dir.join("a");
    fs::write(&a, "content").await.unwrap();

    fs::rename(&a, dir.join("b")).await.unwrap();
    assert!(!fs::try_exists(&a).await.unwrap());
    assert_eq!(fs::copy(dir.join("b"), dir.join("c")).await.unwrap(), 7);
    assert_eq!(fs::read_to_string(dir.join("c")).await.unwrap(), "content");

    fs::hard_link(dir.join("c"), dir.join("d")).await.unwrap();
    fs::write(dir.join("d"), "changed").await.unwrap();
    assert_eq!(
        fs::read_to_string(dir.join("c")).await.unwrap(),
        "changed",
        "same inode"
    );

    fs::create_dir(dir.join("sub")).await.unwrap();
    let canonical = fs::canonicalize(dir.join("sub/../c")).await.unwrap();
    assert_eq!(canonical, std::fs::canonicalize(dir.join("c")).unwrap());

    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.join("c"), dir.join("link")).unwrap();
        assert!(fs::symlink_metadata(dir.join("link"))
            .await
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(fs::metadata(dir.join("link")).await.unwrap().is_file());
        assert_eq!(fs::read_link(dir.join("link")).await.unwrap(), dir.join("c"));
    }

    fs::remove_file(dir.join("c")).await.unwrap();
    assert!(!fs::try_exists(dir.join("c")).await.unwrap());
    assert!(fs::try_exists(dir.join("d")).await.unwrap());
}

#[rt_sched::test]
async fn missing_paths_are_not_found_errors() {
    let dir = TempDir::new("missing");
    let missing = dir.join("nope");
    let not_found = |res: io::Error| assert_eq!(res.kind(), io::ErrorKind::NotFound, "{res}");
    not_found(File::open(&missing).await.unwrap_err());
    not_found(fs::read(&missing).await.unwrap_err());
    not_found(fs::read_to_string(&missing).await.unwrap_err());
    not_found(fs::metadata(&missing).await.unwrap_err());
    not_found(fs::symlink_metadata(&missing).await.unwrap_err());
    not_found(fs::read_dir(&missing).await.unwrap_err());
    not_found(fs::remove_file(&missing).await.unwrap_err());
    not_found(fs::remove_dir(&missing).await.unwrap_err());
    not_found(fs::remove_dir_all(&missing).await.unwrap_err());
    not_found(fs::rename(&missing, dir.join("x")).await.unwrap_err());
    not_found(fs::copy(&missing, dir.join("x")).await.unwrap_err());
    not_found(fs::canonicalize(&missing).await.unwrap_err());
    not_found(fs::write(dir.join("no/dir/f"), "x").await.unwrap_err());
    assert!(!fs::try_exists(&missing).await.unwrap());
}

#[test]
fn outside_a_runtime_calls_fail_instead_of_panicking() {
    let dir = TempDir::new("outside");
    let path = dir.join("f");
    std::fs::write(&path, "data").unwrap();
    let outside = |err: io::Error| {
        assert_eq!(err.kind(), io::ErrorKind::Other);
        assert!(err.to_string().contains("runtime"), "{err}");
    };
    futures::executor::block_on(async {
        outside(fs::read(&path).await.unwrap_err());
        outside(fs::write(&path, "x").await.unwrap_err());
        outside(fs::read_dir(dir.path()).await.unwrap_err());
        outside(File::open(&path).await.unwrap_err());

        // A file opened elsewhere and polled here.
        let mut file = File::from_std(std::fs::File::open(&path).unwrap());
        let mut buf = [0u8; 4];
        outside(file.read(&mut buf).await.unwrap_err());
        outside(file.write(b"x").await.unwrap_err());
        outside(file.seek(SeekFrom::Start(0)).await.unwrap_err());
        outside(file.metadata().await.unwrap_err());
        file.flush().await.unwrap(); // nothing queued: nothing to fail
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"data", "nothing was written");
}

#[test]
fn a_file_opened_in_one_runtime_works_in_another() {
    let dir = TempDir::new("two_rts");
    let path = dir.join("f");
    let file = support::Flavor::CurrentThread.runtime().block_on(async {
        let mut file = read_write(&path).await.unwrap();
        file.write_all(b"first").await.unwrap();
        // Without this, dropping the runtime may cancel the queued write; the next
        // operation would then report that instead.
        file.flush().await.unwrap();
        file
    });
    support::Flavor::MultiThread.runtime().block_on(async move {
        let mut file = file;
        file.seek(SeekFrom::Start(0)).await.unwrap();
        let mut s = String::new();
        file.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "first");
    });
}

#[test]
fn types_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<File>();
    send_sync::<OpenOptions>();
    send_sync::<fs::DirEntry>();
    send::<fs::ReadDir>();
}
