//! Loom models of the handle / worker protocol, on the real types: `Buffer::pair` gives
//! the handle and the worker future, which the models drive on loom threads (no
//! runtime needed; the queue, the reply channels and the shared state all come from
//! `rt-core`'s loom shim under `--cfg loom`).
//!
//! * a worker that goes away (closing the queue) racing a caller's reservation and
//!   send: the caller gets its answer or `Closed`, never hangs;
//! * the inner service failing while two callers reserve and send: each gets its
//!   answer or the service's error (never `Closed`), and the worker finishes;
//! * a caller dropping its response future while the worker takes the request and
//!   replies: the request is served or skipped, once, and every value is dropped once;
//! * a reservation abandoned (disarmed, or dropped with its handle) while another
//!   caller waits for the only slot: the waiter gets it and is answered;
//! * two callers, each free to take the direct path or the queue, racing the worker:
//!   each is answered once, with its own value;
//! * a direct-path readiness poll that finds the service not ready while the worker
//!   waits for that readiness: the worker is still woken when the service becomes
//!   ready (the direct path polls with the worker's waker), and the queued request is
//!   answered;
//! * a metrics snapshot racing a direct call: never more direct calls than calls.
//!
//! A lost wake-up leaves a `block_on` waiting forever, which loom reports as a
//! deadlock.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test --release -p
//! svc-buffer --test loom_buffer`.
#![cfg(loom)]

use std::fmt;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::task::{Context, Poll, Wake, Waker};

use loom::thread;
use rt_core::loom::sync::{Condvar, Mutex};
use svc_buffer::{Buffer, BufferError};
use svc_trait::{Service, ServiceExt};

/// Drives `future` on the current loom thread, waiting on a flag and a condition
/// variable between polls (safe to wake after it returned).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Signal {
        woken: Mutex<bool>,
        condvar: Condvar,
    }

    impl Wake for Signal {
        fn wake(self: std::sync::Arc<Self>) {
            self.wake_by_ref();
        }

        fn wake_by_ref(self: &std::sync::Arc<Self>) {
            *self.woken.lock() = true;
            self.condvar.notify_one();
        }
    }

    let signal = std::sync::Arc::new(Signal {
        woken: Mutex::new(false),
        condvar: Condvar::new(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        let mut woken = signal.woken.lock();
        while !*woken {
            woken = signal.condvar.wait(woken);
        }
        *woken = false;
    }
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(futures::task::noop_waker_ref()))
}

/// A request that counts its drops (bookkeeping outside the model: `std` atomics).
struct Counted {
    value: u32,
    drops: std::sync::Arc<AtomicUsize>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

/// The inner service's readiness error.
#[derive(Debug)]
struct Down;

impl fmt::Display for Down {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("down")
    }
}

impl std::error::Error for Down {}

/// A service that answers a request with its value, keeping the request alive in the
/// response future, and fails its readiness from the `fail_at`-th poll on.
struct Echo {
    polls: usize,
    fail_at: usize,
}

impl Echo {
    fn healthy() -> Echo {
        Echo {
            polls: 0,
            fail_at: usize::MAX,
        }
    }
}

/// Echo's response future.
struct Answer(Counted);

impl Future for Answer {
    type Output = Result<u32, Down>;

    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Result<u32, Down>> {
        Poll::Ready(Ok(self.0.value))
    }
}

impl Service<Counted> for Echo {
    type Response = u32;
    type Error = Down;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Down>> {
        self.polls += 1;
        if self.polls >= self.fail_at {
            return Poll::Ready(Err(Down));
        }
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Counted) -> Answer {
        Answer(request)
    }
}

fn request(value: u32, drops: &std::sync::Arc<AtomicUsize>) -> Counted {
    Counted {
        value,
        drops: drops.clone(),
    }
}

/// A buffer over an [`Echo`] or a [`Gated`] service.
type EchoBuffer = Buffer<Counted, Answer>;

/// Sends `value` through a clone of `buffer` from a new loom thread.
fn spawn_caller(
    buffer: &EchoBuffer,
    value: u32,
    drops: &std::sync::Arc<AtomicUsize>,
) -> thread::JoinHandle<Result<u32, BufferError<Down>>> {
    let (buffer, request) = (buffer.clone(), request(value, drops));
    thread::spawn(move || block_on(buffer.oneshot(request)))
}

/// The worker is polled once and dropped (its queue closes) while a caller reserves,
/// sends and waits: the caller gets its answer or `Closed`, and the request is dropped
/// once.
#[test]
fn worker_gone_racing_a_reservation() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let (buffer, mut worker) = Buffer::pair(Echo::healthy(), 1);
        let closer = thread::spawn(move || {
            let _ = poll_once(&mut worker);
            drop(worker);
        });
        let out = block_on(buffer.clone().oneshot(request(7, &drops)));
        closer.join().unwrap();
        match out {
            Ok(value) => assert_eq!(value, 7),
            Err(e) => assert!(e.is_closed(), "{e:?}"),
        }
        assert_eq!(drops.load(SeqCst), 1);
        assert!(buffer.is_closed());
    });
}

/// The service is ready once, then fails, while two callers reserve and send through
/// a buffer of one: each gets its answer or the service's error, nobody sees `Closed`
/// or hangs, the worker finishes, and the counters add up.
#[test]
fn worker_failing_while_callers_reserve() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let echo = Echo { polls: 0, fail_at: 2 };
        let (buffer, worker) = Buffer::pair(echo, 1);
        let worker = thread::spawn(move || block_on(worker));
        let other = spawn_caller(&buffer, 1, &drops);
        let mine = block_on(buffer.clone().oneshot(request(2, &drops)));
        let theirs = other.join().unwrap();
        worker.join().unwrap();

        let mut answered = 0;
        for (out, value) in [(mine, 2), (theirs, 1)] {
            match out {
                Ok(v) => {
                    assert_eq!(v, value);
                    answered += 1;
                }
                Err(e) => assert!(e.is_service_error(), "{e:?}"),
            }
        }
        assert!(answered <= 1, "the service was ready once");
        let metrics = buffer.metrics();
        assert!(metrics.is_service_failed());
        assert_eq!(metrics.served(), answered);
        assert_eq!(drops.load(SeqCst), 2);
    });
}

/// A caller polls its response future once and drops it (and its handle) while the
/// worker takes the request and replies: the request is served or skipped, exactly
/// once, every value is dropped once, and the worker finishes.
#[test]
fn caller_drops_its_response_future_while_the_worker_replies() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let (mut buffer, worker) = Buffer::pair(Echo::healthy(), 1);
        let worker = thread::spawn(move || block_on(worker));
        assert!(poll_once(&mut buffer.ready()).is_ready(), "a free slot");
        let mut response = buffer.call(request(3, &drops));
        let early = poll_once(&mut response);
        drop(response);
        let metrics = buffer.metrics();
        drop(buffer);
        worker.join().unwrap();

        if let Poll::Ready(out) = early {
            assert_eq!(out.unwrap(), 3);
        }
        assert!(metrics.served() + metrics.skipped() <= 1, "{metrics:?}");
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the request (or the future holding it) dropped once"
        );
    });
}

/// A caller holding the only slot abandons it (disarm, or drop of its handle) while
/// another caller waits for a slot and the worker serves: the waiter gets through.
#[test]
fn abandoned_reservation_serves_a_waiting_caller() {
    for drop_handle in [false, true] {
        loom::model(move || {
            let drops = std::sync::Arc::new(AtomicUsize::new(0));
            let (buffer, worker) = Buffer::pair(Echo::healthy(), 1);
            let mut holder = buffer.clone();
            assert!(poll_once(&mut holder.ready()).is_ready(), "the only slot");
            let worker = thread::spawn(move || block_on(worker));
            let abandon = thread::spawn(move || {
                if drop_handle {
                    drop(holder);
                    None
                } else {
                    holder.disarm();
                    // The disarmed handle lives on (in the join handle) until the
                    // waiter is through: only the disarm can free the slot.
                    Some(holder)
                }
            });
            let out = block_on(buffer.oneshot(request(5, &drops)));
            assert_eq!(out.unwrap(), 5);
            drop(abandon.join().unwrap());
            worker.join().unwrap();
            assert_eq!(drops.load(SeqCst), 1);
        });
    }
}

/// Two callers, each of which may find its reservation alone (the direct path) or not
/// (the queue), and may find the lock free or held by the worker: each gets its own
/// value exactly once, and the counters add up.
#[test]
fn direct_and_queued_callers_are_each_answered_once() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let (buffer, worker) = Buffer::pair(Echo::healthy(), 2);
        let worker = thread::spawn(move || block_on(worker));
        let other = spawn_caller(&buffer, 1, &drops);
        let mine = block_on(buffer.clone().oneshot(request(2, &drops)));
        let theirs = other.join().unwrap();
        assert_eq!(mine.unwrap(), 2);
        assert_eq!(theirs.unwrap(), 1);
        let metrics = buffer.metrics();
        drop(buffer);
        worker.join().unwrap();
        assert_eq!(metrics.served(), 2, "{metrics:?}");
        assert!(metrics.served_directly() <= 2);
        assert_eq!(metrics.skipped() + metrics.failed(), 0);
        assert_eq!(drops.load(SeqCst), 2);
    });
}

/// Readiness behind a gate another thread opens; like any service, it remembers only
/// the waker of its latest `poll_ready`.
struct Gated {
    gate: std::sync::Arc<Mutex<Gate>>,
}

#[derive(Default)]
struct Gate {
    open: bool,
    waker: Option<Waker>,
}

impl Service<Counted> for Gated {
    type Response = u32;
    type Error = Down;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Down>> {
        let mut gate = self.gate.lock();
        if gate.open {
            return Poll::Ready(Ok(()));
        }
        gate.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn call(&mut self, request: Counted) -> Answer {
        Answer(request)
    }
}

/// The worker waits for the gate; a caller's direct path polls the gate too (it is
/// still shut), registering its own waker, and queues the request; then the gate
/// opens. Had the direct path polled with anything but the worker's waker, the gate's
/// wake-up would reach nobody and the caller would wait forever (a loom deadlock).
#[test]
fn a_direct_poll_that_finds_the_service_busy_keeps_the_worker_woken() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let gate = std::sync::Arc::new(Mutex::new(Gate::default()));
        let (buffer, worker) = Buffer::pair(Gated { gate: gate.clone() }, 2);
        let worker = thread::spawn(move || block_on(worker));
        let opener = thread::spawn(move || {
            let waker = {
                let mut gate = gate.lock();
                gate.open = true;
                gate.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        let out = block_on(buffer.clone().oneshot(request(4, &drops)));
        assert_eq!(out.unwrap(), 4);
        drop(buffer);
        opener.join().unwrap();
        worker.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// A metrics snapshot taken while a call goes through the direct path never shows more
/// direct calls than calls (each counter is read once, relaxed; `served` is the sum of
/// two counters that never overlap), so `served() - served_directly()` (the proxy's
/// queued count) never underflows.
#[test]
fn metrics_never_show_more_direct_calls_than_calls() {
    loom::model(|| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        // The worker is never polled: a ready service is called on the direct path.
        let (buffer, worker) = Buffer::pair(Echo::healthy(), 1);
        let caller = spawn_caller(&buffer, 1, &drops);
        let metrics = buffer.metrics();
        assert!(
            metrics.served_directly() <= metrics.served(),
            "torn snapshot: {metrics:?}"
        );
        assert_eq!(caller.join().unwrap().unwrap(), 1);
        drop(worker);
    });
}
