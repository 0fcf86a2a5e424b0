//! Fail fast: a retry is sent only if the inner service is ready at once.

mod support;

use svc_retry::{Retry, Stats};
use svc_trait::{Service, ServiceExt};

use support::builder;

#[rt_sched::test(start_paused = true)]
async fn a_retry_is_abandoned_when_the_inner_is_not_ready() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    handle.allow(1); // room for the first attempt only
    let mut svc = Retry::new(builder().max_attempts(3).build(), mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(5));

    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("overloaded");

    // The failure comes back at once: the retry did not wait for capacity.
    let err = response.await.unwrap().unwrap_err();
    assert_eq!(err.get_ref().unwrap().to_string(), "overloaded");
    assert_eq!(
        svc.stats(),
        Stats {
            requests: 1,
            retries: 0,
            refused: 0,
            abandoned: 1
        }
    );
    assert_eq!(handle.calls(), 1);
    assert_eq!(handle.reserved(), 0, "no reservation left behind");

    // Capacity returns: the service works again, and retries go through.
    handle.allow(10);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(6));
    handle.next_request().await.unwrap().1.send_error("once");
    handle.next_request().await.unwrap().1.send_response(7);
    assert_eq!(response.await.unwrap().unwrap(), 7);
    assert_eq!((svc.stats().retries, svc.stats().abandoned), (1, 1));
}

#[rt_sched::test(start_paused = true)]
async fn a_failed_inner_abandons_the_retry_with_the_original_failure() {
    let (mock, mut handle) = svc_mock::pair::<u32, u32>();
    let mut svc = Retry::new(builder().max_attempts(3).build(), mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(5));

    let (_, send) = handle.next_request().await.unwrap();
    handle.send_error("gone for good"); // every later poll_ready fails
    send.send_error("request failed");

    let err = response.await.unwrap().unwrap_err();
    assert_eq!(err.get_ref().unwrap().to_string(), "request failed");
    assert_eq!(svc.stats().abandoned, 1);
}
