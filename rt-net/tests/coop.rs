//! I/O readiness spends the cooperative budget: a socket that always has data cannot
//! keep its reader running forever while other tasks wait.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::io::{AsyncReadExt, AsyncWriteExt};
use rt_net::UnixStream;

/// Bytes queued before the reader starts; read one at a time, far more polls than one
/// budget allows.
const PREFILLED: usize = 64 * 1024;

#[test]
fn a_hot_socket_does_not_starve_other_tasks() {
    let rt = rt_sched::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (mut reader, mut writer) = UnixStream::pair().unwrap();
        writer.write_all(&vec![7u8; PREFILLED]).await.unwrap();
        // One read here first, so the reactor has reported the socket readable before
        // the reader task starts: from then on every read is ready at once.
        let mut first = [0u8; 1];
        reader.read_exact(&mut first).await.unwrap();
        let left = PREFILLED - 1;

        let read = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let hot = rt_sched::spawn({
            let (read, stop) = (read.clone(), stop.clone());
            async move {
                let mut byte = [0u8; 1];
                while !stop.load(Ordering::Relaxed) {
                    match reader.read(&mut byte).await {
                        Ok(1) => read.fetch_add(1, Ordering::Relaxed),
                        other => panic!("unexpected read result {other:?}"),
                    };
                }
            }
        });
        // Ten turns of another task: each needs the hot reader to give way.
        let other = rt_sched::spawn(async {
            for _ in 0..10 {
                rt_sched::task::yield_now().await;
            }
        });
        rt_core::time::timeout(Duration::from_secs(20), other)
            .await
            .expect("the other task never ran")
            .unwrap();
        let read_meanwhile = read.load(Ordering::Relaxed);
        assert!(
            read_meanwhile < left / 2,
            "the reader drained {read_meanwhile} of {left} bytes before the other task finished"
        );
        stop.store(true, Ordering::Relaxed);
        // Unblock the reader if it is waiting, then let it see `stop`.
        writer.write_all(b"x").await.unwrap();
        hot.await.unwrap();
    });
}
