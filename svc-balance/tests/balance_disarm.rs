//! The reservation rule: a caller that readied the balancer and disarms (or drops it)
//! releases the endpoint's reservation; the endpoint is readied again for later callers.

mod support;

use std::sync::atomic::Ordering::Relaxed;
use std::task::Poll;

use futures::task::noop_waker_ref;
use support::{settle, Counting};
use svc_balance::{Balance, ServiceList};
use svc_trait::{Service, ServiceExt};

#[rt_sched::test(start_paused = true)]
async fn disarm_releases_the_endpoint_and_it_is_readied_again() {
    let counting = Counting::default();
    let mut balance: Balance<_, _, u32> = Balance::new(ServiceList::new([("a", counting.clone())]));
    settle().await;
    let polls = counting.polls.load(Relaxed);
    balance.ready().await.unwrap();
    balance.disarm();
    assert_eq!(counting.disarms.load(Relaxed), 1);
    settle().await;
    assert_eq!(counting.polls.load(Relaxed), polls + 1, "the driver readied it again");
    assert_eq!(balance.clone().oneshot(3).await.unwrap(), 3);
}

#[rt_sched::test(start_paused = true)]
async fn a_reserved_guard_dropped_releases_the_mock_endpoint() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    handle.allow(1);
    let mut balance: Balance<_, _, u32> = Balance::new(ServiceList::new([("a", mock)]));
    settle().await;
    assert_eq!((handle.reserved(), handle.allowance()), (1, 0));
    {
        let _reserved = balance.reserve().await.unwrap();
    } // disarmed here
    assert_eq!(handle.reserved(), 0, "released by disarm");
    settle().await;
    assert_eq!(handle.reserved(), 1, "readied again by the driver");

    // A clone is not ready; dropping a ready handle releases too.
    let mut other = balance.clone();
    let mut cx = std::task::Context::from_waker(noop_waker_ref());
    assert!(matches!(other.poll_ready(&mut cx), Poll::Ready(Ok(()))));
    assert!(balance.poll_ready(&mut cx).is_pending(), "the only endpoint is claimed");
    drop(other);
    assert_eq!(handle.reserved(), 0);
    settle().await;
    let response = balance.ready().await.unwrap().call(8);
    let (req, send) = handle.next_request().await.unwrap();
    send.send_response(req * 10);
    assert_eq!(response.await.unwrap(), 80);
}
