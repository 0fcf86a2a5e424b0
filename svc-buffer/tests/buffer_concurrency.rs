//! Many clones on the worker threads of a multi-thread runtime, the layer, and the
//! handle's auto traits.

mod support;

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

use svc_buffer::{Buffer, BufferLayer, ResponseFuture, Worker};
use svc_trait::{service_fn, Service, ServiceBuilder, ServiceExt};

#[test]
fn handles_and_futures_are_send_sync() {
    fn assert_send<T: Send>() {}
    fn assert_sync<T: Sync>() {}
    assert_send::<support::MockBuffer>();
    assert_sync::<support::MockBuffer>();
    assert_send::<ResponseFuture<support::MockFuture>>();
    assert_send::<Worker<svc_mock::Mock<u32, u32>, u32>>();
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clones_across_worker_threads() {
    const TASKS: u64 = 64;
    const REQUESTS: u64 = 200;
    let calls = Arc::new(AtomicU64::new(0));
    let counted = calls.clone();
    let svc = service_fn(move |x: u64| {
        counted.fetch_add(1, Relaxed);
        async move {
            rt_sched::task::yield_now().await; // a response that takes a turn
            Ok::<_, std::io::Error>(x * 2)
        }
    });
    let buffer = Buffer::new(svc, 8);
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let mut buffer = buffer.clone();
        tasks.push(rt_sched::spawn(async move {
            let mut sum = 0;
            for i in 0..REQUESTS {
                let x = t * REQUESTS + i;
                let answer = buffer.ready().await.unwrap().call(x).await.unwrap();
                assert_eq!(answer, 2 * x);
                sum += answer;
            }
            sum
        }));
    }
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    let n = TASKS * REQUESTS;
    assert_eq!(total, n * (n - 1));
    assert_eq!(calls.load(Relaxed), n);
    let metrics = buffer.metrics();
    assert_eq!((metrics.served(), metrics.skipped(), metrics.failed()), (n, 0, 0));
    assert_eq!(metrics.queue_depth(), 0);
}

#[rt_sched::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_that_give_up_never_starve_the_rest() {
    // Half the callers reserve and walk away (disarm, drop, or a dropped response
    // future); the other half must all get through a small bound.
    let svc = service_fn(|x: u32| async move { Ok::<_, std::io::Error>(x) });
    let buffer = Buffer::new(svc, 2);
    let mut tasks = Vec::new();
    for t in 0..32u32 {
        let mut buffer = buffer.clone();
        tasks.push(rt_sched::spawn(async move {
            for i in 0..50u32 {
                match (t + i) % 4 {
                    0 => {
                        buffer.ready().await.unwrap();
                        buffer.disarm();
                    }
                    1 => {
                        let mut clone = buffer.clone();
                        clone.ready().await.unwrap();
                        drop(clone);
                    }
                    2 => drop(buffer.ready().await.unwrap().call(i)),
                    _ => assert_eq!(buffer.ready().await.unwrap().call(i).await.unwrap(), i),
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    // Requests of dropped response futures may still be queued: one more request
    // (FIFO) waits for the worker to have taken them all.
    assert_eq!(buffer.clone().oneshot(7).await.unwrap(), 7);
    let metrics = buffer.metrics();
    assert_eq!(metrics.queue_depth(), 0, "no slot leaked");
    assert_eq!(metrics.served() + metrics.skipped(), 32 * 50 / 2 + 1);
}

#[rt_sched::test]
async fn the_layer_builds_a_buffer() {
    let svc = ServiceBuilder::new()
        .layer(BufferLayer::new(4))
        .service(service_fn(
            |s: &'static str| async move { Ok::<_, std::io::Error>(s.len()) },
        ));
    let (a, b) = (svc.clone(), svc);
    assert_eq!(a.oneshot("abc").await.unwrap(), 3);
    assert_eq!(b.oneshot("hello").await.unwrap(), 5);
}

#[test]
#[should_panic(expected = "bound of at least 1")]
fn a_zero_bound_layer_panics() {
    let _ = BufferLayer::<u8>::new(0);
}
