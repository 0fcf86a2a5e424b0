//! Compile-time checks: the types a proxy shares across threads are `Send` / `Sync`.
#![cfg(feature = "http")]

use svc_retry::future::ResponseFuture;
use svc_retry::standard::{HttpClassifier, ReplayGuard, Standard};
use svc_retry::{Budget, Counters, Delay, ExponentialBackoff, Retry, RetryLayer};

type Req = http::Request<Vec<u8>>;
type Resp = http::Response<()>;
type Policy = Standard<HttpClassifier, ReplayGuard>;
type Mock = svc_mock::Mock<Req, Resp>;

fn assert_send_sync<T: Send + Sync>() {}
fn assert_send<T: Send>() {}

#[test]
fn shared_types_are_send_and_sync() {
    assert_send_sync::<Budget>();
    assert_send_sync::<Counters>();
    assert_send_sync::<ExponentialBackoff>();
    assert_send_sync::<Policy>();
    assert_send_sync::<RetryLayer<Policy>>();
    assert_send_sync::<Retry<Policy, Mock>>();
    assert_send::<Delay>();
    assert_send::<ResponseFuture<Policy, Mock, Req>>();
}
