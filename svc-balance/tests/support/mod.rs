//! Helpers shared by the integration tests: mock endpoints answered by responder tasks,
//! and services that count what the balancer does to them.
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use svc_mock::{Handle, Mock};
use svc_trait::Service;

/// A mock endpoint taking and answering `u32`s.
pub type MockSvc = Mock<u32, u32>;

/// What a responder does to requests; shared so a test can change it midway.
#[derive(Clone, Default)]
pub struct Behaviour {
    /// Answer with an error instead of echoing the request.
    pub fail: Arc<AtomicBool>,
    /// Requests answered.
    pub answered: Arc<AtomicU64>,
}

/// Spawns a task answering `handle`'s requests after `latency` (echoing them, or with
/// an error while `behaviour.fail` is set). Ends when every mock is dropped.
pub fn respond(mut handle: Handle<u32, u32>, latency: Duration, behaviour: Behaviour) {
    rt_sched::spawn(async move {
        while let Some((req, send)) = handle.next_request().await {
            let behaviour = behaviour.clone();
            rt_sched::spawn(async move {
                if !latency.is_zero() {
                    rt_core::time::sleep(latency).await;
                }
                behaviour.answered.fetch_add(1, Relaxed);
                if behaviour.fail.load(Relaxed) {
                    send.send_error("endpoint failure");
                } else {
                    send.send_response(req);
                }
            });
        }
    });
}

/// A mock endpoint answered after `latency`, with its behaviour.
pub fn endpoint(latency: Duration) -> (MockSvc, Behaviour) {
    let (mock, handle) = svc_mock::pair::<u32, u32>();
    let behaviour = Behaviour::default();
    respond(handle, latency, behaviour.clone());
    (mock, behaviour)
}

/// Lets the driver and responders run (the paused clock does not move while tasks run).
pub async fn settle() {
    for _ in 0..8 {
        rt_sched::task::yield_now().await;
    }
}

/// An always-ready service that counts `poll_ready`, `call` and `disarm`.
#[derive(Clone, Default)]
pub struct Counting {
    pub polls: Arc<AtomicU64>,
    pub calls: Arc<AtomicU64>,
    pub disarms: Arc<AtomicU64>,
}

impl Service<u32> for Counting {
    type Response = u32;
    type Error = std::io::Error;
    type Future = std::future::Ready<Result<u32, std::io::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), std::io::Error>> {
        self.polls.fetch_add(1, Relaxed);
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: u32) -> Self::Future {
        self.calls.fetch_add(1, Relaxed);
        std::future::ready(Ok(req))
    }

    fn disarm(&mut self) {
        self.disarms.fetch_add(1, Relaxed);
    }
}
