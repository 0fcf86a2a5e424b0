//! The `Standard::http` policy: which HTTP requests and results are retried.
#![cfg(feature = "http")]

use std::io;

use http::{Request, Response, StatusCode};
use svc_mock::Handle;
use svc_retry::standard::{Retryable, Standard};
use svc_retry::Retry;
use svc_trait::{Service, ServiceExt};

type Req = Request<Vec<u8>>;
type Resp = Response<()>;

fn status(code: u16) -> Resp {
    Response::builder().status(code).body(()).unwrap()
}

/// Sends `req` through a `Standard::http` retry (3 attempts, no backoff) whose inner
/// service answers with `answers` in turn; returns the final status and the calls made.
async fn run(req: Req, answers: Vec<Result<u16, io::ErrorKind>>) -> (Result<StatusCode, String>, u64) {
    let (mock, mut handle): (_, Handle<Req, Resp>) = svc_mock::pair();
    let policy = Standard::http().max_attempts(3).body_limit(8).no_backoff().build();
    let mut svc = Retry::new(policy, mock);
    let response = rt_sched::spawn(svc.ready().await.unwrap().call(req));
    drop(svc); // once the response future is done with its clone, no mock is left
    for answer in answers {
        let Some((_, send)) = handle.next_request().await else {
            break;
        };
        match answer {
            Ok(code) => send.send_response(status(code)),
            Err(kind) => send.send_error(io::Error::from(kind)),
        }
    }
    let result = response.await.unwrap();
    (result.map(|r| r.status()).map_err(|e| e.to_string()), handle.calls())
}

#[rt_sched::test]
async fn idempotent_requests_retry_5xx_gateway_errors() {
    let get = Request::get("/").body(Vec::new()).unwrap();
    let (result, calls) = run(get, vec![Ok(503), Ok(502), Ok(200)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::OK), 3));
    let put = Request::put("/x").body(b"data".to_vec()).unwrap();
    let (result, calls) = run(put, vec![Ok(504), Ok(204)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::NO_CONTENT), 2));
}

#[rt_sched::test]
async fn client_errors_and_500_are_not_retried() {
    for code in [400, 404, 429, 500] {
        let get = Request::get("/").body(Vec::new()).unwrap();
        let (result, calls) = run(get, vec![Ok(code), Ok(200)]).await;
        assert_eq!((result.unwrap().as_u16(), calls), (code, 1));
    }
}

#[rt_sched::test]
async fn connection_errors_are_retried_other_errors_not() {
    let get = || Request::get("/").body(Vec::new()).unwrap();
    let (result, calls) = run(get(), vec![Err(io::ErrorKind::ConnectionReset), Ok(200)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::OK), 2));
    let (result, calls) = run(get(), vec![Err(io::ErrorKind::TimedOut), Ok(200)]).await;
    assert!(result.is_err());
    assert_eq!(calls, 1);
}

#[rt_sched::test]
async fn non_idempotent_requests_are_not_retried() {
    let post = Request::post("/orders").body(b"{}".to_vec()).unwrap();
    let (result, calls) = run(post, vec![Ok(503), Ok(200)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::SERVICE_UNAVAILABLE), 1));
}

#[rt_sched::test]
async fn a_request_marked_retryable_is_retried() {
    let mut post = Request::post("/orders").body(b"{}".to_vec()).unwrap();
    post.extensions_mut().insert(Retryable);
    let (result, calls) = run(post, vec![Ok(503), Ok(201)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::CREATED), 2));
}

#[rt_sched::test]
async fn bodies_over_the_limit_are_not_retried() {
    let big = Request::put("/x").body(b"123456789".to_vec()).unwrap(); // 9 bytes > 8
    let (result, calls) = run(big, vec![Ok(503), Ok(200)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::SERVICE_UNAVAILABLE), 1));
    let fits = Request::put("/x").body(b"12345678".to_vec()).unwrap();
    let (result, calls) = run(fits, vec![Ok(503), Ok(200)]).await;
    assert_eq!((result, calls), (Ok(StatusCode::OK), 2));
}

#[test]
fn the_replayed_request_keeps_method_uri_headers_and_extensions() {
    use svc_retry::standard::Replay;
    let mut req = Request::put("http://a/b?c")
        .header("x-id", "7")
        .body(b"hi".to_vec())
        .unwrap();
    req.extensions_mut().insert(Retryable);
    let copy = req.replay().unwrap();
    assert_eq!(copy.method(), req.method());
    assert_eq!(copy.uri(), req.uri());
    assert_eq!(copy.headers(), req.headers());
    assert_eq!(copy.body(), req.body());
    assert!(copy.extensions().get::<Retryable>().is_some());
}
