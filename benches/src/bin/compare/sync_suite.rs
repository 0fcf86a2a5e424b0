//! The `sync` suite: channels, semaphores and notifications, each side with its own.
//!
//! Every workload is one generic function over [`SyncPrimitives`], instantiated by
//! `both!` for rt-sched with `rt_core::sync` and for tokio with `tokio::sync`. A run
//! builds a fresh runtime, then a root task on a worker ([`on_worker`]) creates the
//! primitives, starts the clock, spawns the workload's tasks and awaits them all; the
//! time runs from before the first spawn to after the last join. Shutdown is not timed.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::harness::{per_op, Better, Metric, Scale, Workload};
use crate::runtimes::{
    fresh, on_worker, MpscReceiver, MpscSender, Notify, OneshotSender, Ours, Peer, Semaphore, SyncPrimitives,
};

/// Round trips of `ping_pong`.
const PING_PONG_ROUNDS: usize = 100_000;
/// Messages of `mpsc_uncontended`.
const MPSC_UNCONTENDED_MESSAGES: usize = 1_000_000;
/// Producers of `mpsc_contended`.
const MPSC_PRODUCERS: usize = 4;
/// Messages per producer of `mpsc_contended`.
const MPSC_MESSAGES_PER_PRODUCER: usize = 250_000;
/// Capacity of the bounded channel of both mpsc workloads.
const MPSC_CAPACITY: usize = 1_024;
/// Tasks of `semaphore_contended`.
const SEMAPHORE_TASKS: usize = 8;
/// Permits of `semaphore_contended`.
const SEMAPHORE_PERMITS: usize = 4;
/// Acquisitions per task of `semaphore_contended`.
const ACQUIRES_PER_TASK: usize = 100_000;
/// Round trips of `notify_one`.
const NOTIFY_ROUNDS: usize = 100_000;

/// Instantiates a generic workload function for `[ours, peer]`.
macro_rules! both {
    ($run:ident) => {
        [$run::<Ours>, $run::<Peer>]
    };
}

/// Returns the workloads of the suite, in report order.
pub(crate) fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            metrics: &[Metric {
                name: "ping_pong",
                unit: "ns/round trip",
                better: Better::Lower,
            }],
            runs: both!(ping_pong),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "mpsc_uncontended",
                unit: "ns/message",
                better: Better::Lower,
            }],
            runs: both!(mpsc_uncontended),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "mpsc_contended",
                unit: "ns/message",
                better: Better::Lower,
            }],
            runs: both!(mpsc_contended),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "semaphore_contended",
                unit: "ns/acquire",
                better: Better::Lower,
            }],
            runs: both!(semaphore_contended),
            peer: None,
        },
        Workload {
            metrics: &[Metric {
                name: "notify_one",
                unit: "ns/round trip",
                better: Better::Lower,
            }],
            runs: both!(notify_one),
            peer: None,
        },
    ]
}

/// Builds a fresh runtime, runs `workload` in a root task on one of its workers and
/// returns the time it reports, per each of `operations` operations.
fn timed<R: SyncPrimitives>(operations: usize, workload: impl Future<Output = Duration> + Send + 'static) -> f64 {
    let runtime = fresh::<R>();
    let elapsed = on_worker(&runtime, workload);
    drop(runtime);
    per_op(elapsed, operations)
}

/// Awaits every task of `handles`.
///
/// # Panics
///
/// Panics when a task panicked.
async fn join_all<R: SyncPrimitives>(handles: Vec<R::JoinHandle<()>>) {
    for handle in handles {
        handle.await.expect("workload task failed");
    }
}

/// What `ping_pong` passes back and forth: the sender of the fresh oneshot on which its
/// receiver is to answer.
struct Ball<R: SyncPrimitives>(R::OneshotSender<Ball<R>>);

/// Two tasks pass a ball back and forth 100,000 times, each pass on a fresh oneshot
/// created by the task that will receive on it. Yields ns per round trip (two oneshots,
/// two sends, two wake-ups).
fn ping_pong<R: SyncPrimitives>(scale: Scale) -> Vec<f64> {
    let rounds = scale.size(PING_PONG_ROUNDS);
    vec![timed::<R>(rounds, async move {
        let (to_returner, inbox) = R::oneshot();
        let start = Instant::now();
        let handles = vec![
            R::spawn(serve::<R>(to_returner, rounds)),
            R::spawn(return_balls::<R>(inbox, rounds)),
        ];
        join_all::<R>(handles).await;
        start.elapsed()
    })]
}

/// The serving side of `ping_pong`: sends the ball, waits for it to come back.
async fn serve<R: SyncPrimitives>(mut to_returner: R::OneshotSender<Ball<R>>, rounds: usize) {
    for _ in 0..rounds {
        let (reply, inbox) = R::oneshot();
        expect_sent(to_returner.send(Ball(reply)));
        to_returner = inbox.await.expect("the returner dropped the ball").0;
    }
}

/// The returning side of `ping_pong`: waits for the ball, sends it back.
async fn return_balls<R: SyncPrimitives>(mut inbox: R::OneshotReceiver<Ball<R>>, rounds: usize) {
    for _ in 0..rounds {
        let Ball(reply) = inbox.await.expect("the server dropped the ball");
        let (to_self, next_inbox) = R::oneshot();
        expect_sent(reply.send(Ball(to_self)));
        inbox = next_inbox;
    }
}

/// Panics when a oneshot send found its receiver gone.
fn expect_sent<T>(result: Result<(), T>) {
    assert!(result.is_ok(), "the receiving task is gone");
}

/// One producer task sends 1,000,000 messages through a bounded channel of capacity
/// 1,024 to one consumer task. Yields ns per message.
fn mpsc_uncontended<R: SyncPrimitives>(scale: Scale) -> Vec<f64> {
    vec![mpsc::<R>(1, scale.size(MPSC_UNCONTENDED_MESSAGES))]
}

/// 4 producer tasks send 250,000 messages each through a bounded channel of capacity
/// 1,024 to one consumer task. Yields ns per message.
fn mpsc_contended<R: SyncPrimitives>(scale: Scale) -> Vec<f64> {
    vec![mpsc::<R>(MPSC_PRODUCERS, scale.size(MPSC_MESSAGES_PER_PRODUCER))]
}

/// `producers` tasks each send `per_producer` messages through one bounded channel of
/// capacity [`MPSC_CAPACITY`] to a consumer task, which counts them until every sender
/// is gone. Returns ns per message.
fn mpsc<R: SyncPrimitives>(producers: usize, per_producer: usize) -> f64 {
    let messages = producers * per_producer;
    timed::<R>(messages, async move {
        let (sender, mut receiver) = R::mpsc_channel::<usize>(MPSC_CAPACITY);
        let start = Instant::now();
        let mut handles: Vec<_> = (0..producers)
            .map(|_| {
                let sender = sender.clone();
                R::spawn(async move {
                    for message in 0..per_producer {
                        sender.send(message).await.expect("the consumer is gone");
                    }
                })
            })
            .collect();
        drop(sender);
        handles.push(R::spawn(async move {
            let mut received = 0;
            while receiver.recv().await.is_some() {
                received += 1;
            }
            assert_eq!(received, messages, "messages were lost");
        }));
        join_all::<R>(handles).await;
        start.elapsed()
    })
}

/// 8 tasks each acquire one of 4 permits and release it at once, 100,000 times. Yields
/// ns per acquisition.
fn semaphore_contended<R: SyncPrimitives>(scale: Scale) -> Vec<f64> {
    let acquires = scale.size(ACQUIRES_PER_TASK);
    vec![timed::<R>(SEMAPHORE_TASKS * acquires, async move {
        let semaphore = Arc::new(R::Semaphore::new(SEMAPHORE_PERMITS));
        let start = Instant::now();
        let handles = (0..SEMAPHORE_TASKS)
            .map(|_| {
                let semaphore = Arc::clone(&semaphore);
                R::spawn(async move {
                    for _ in 0..acquires {
                        let permit = semaphore.acquire().await.expect("the semaphore was closed");
                        drop(permit);
                    }
                })
            })
            .collect();
        join_all::<R>(handles).await;
        start.elapsed()
    })]
}

/// Two tasks and two notifies: one task notifies `ping` and waits on `pong`, the other
/// waits on `ping` and notifies `pong`, 100,000 times. Yields ns per round trip.
fn notify_one<R: SyncPrimitives>(scale: Scale) -> Vec<f64> {
    let rounds = scale.size(NOTIFY_ROUNDS);
    vec![timed::<R>(rounds, async move {
        let (ping, pong) = (Arc::new(R::Notify::new()), Arc::new(R::Notify::new()));
        let (their_ping, their_pong) = (Arc::clone(&ping), Arc::clone(&pong));
        let start = Instant::now();
        let handles = vec![
            R::spawn(async move {
                for _ in 0..rounds {
                    ping.notify_one();
                    pong.notified().await;
                }
            }),
            R::spawn(async move {
                for _ in 0..rounds {
                    their_ping.notified().await;
                    their_pong.notify_one();
                }
            }),
        ];
        join_all::<R>(handles).await;
        start.elapsed()
    })]
}
