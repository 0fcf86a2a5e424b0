//! A custom `Policy` with tower 0.5's shape: it may change the request for the next
//! attempt and the result that is returned.

use std::future::{ready, Ready};

use svc_mock::Error;
use svc_retry::{Policy, Retry};
use svc_trait::{Service, ServiceExt};

/// Retries errors up to `left` times, bumping the request each time, and turns a `0`
/// response (a "soft failure") into `u32::MAX`.
#[derive(Clone)]
struct Bump {
    left: u32,
}

impl Policy<u32, u32, Error> for Bump {
    type Future = Ready<()>;

    fn retry(&mut self, req: &mut u32, result: &mut Result<u32, Error>) -> Option<Ready<()>> {
        match result {
            Ok(n) if *n == 0 => {
                // A "soft failure": turn it into a response the caller can tell apart.
                *result = Ok(u32::MAX);
                None
            }
            Err(_) if self.left > 0 => {
                self.left -= 1;
                *req += 1;
                Some(ready(()))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, req: &u32) -> Option<u32> {
        Some(*req)
    }
}

#[rt_sched::test]
async fn the_policy_can_change_the_request() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(Bump { left: 2 }, mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(10));
    let mut seen = Vec::new();
    for _ in 0..2 {
        let (req, send) = handle.next_request().await.unwrap();
        seen.push(req);
        send.send_error("again");
    }
    let (req, send) = handle.next_request().await.unwrap();
    seen.push(req);
    send.send_response(7);
    assert_eq!(response.await.unwrap().unwrap(), 7);
    assert_eq!(seen, [10, 11, 12]);
    assert_eq!(svc.stats().refused, 0, "no budget, nothing refused");
}

#[rt_sched::test]
async fn the_policy_can_change_the_result() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(Bump { left: 2 }, mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(1));
    handle.next_request().await.unwrap().1.send_response(0);
    assert_eq!(response.await.unwrap().unwrap(), u32::MAX);
}
