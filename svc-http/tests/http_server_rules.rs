//! The server's strictness rules, each bad input with its expected status, and the
//! connection semantics (keep-alive, HTTP/1.0, close, 100-continue, HEAD).

mod support;

use std::time::Duration;

use bytes::Bytes;
use support::{echo, parse_responses, serve, serve_with, MockIo};
use svc_http::{server::Config, Body};
use svc_trait::service_fn;

/// Serves `input` and expects exactly one response with `status` and a closed connection.
async fn rejects(input: &[u8], status: u16) {
    let out = serve(input).await;
    let res = parse_responses(&out);
    assert_eq!(
        res.len(),
        1,
        "{:?} -> {:?}",
        String::from_utf8_lossy(input),
        String::from_utf8_lossy(&out)
    );
    assert_eq!(res[0].status, status, "{:?}", String::from_utf8_lossy(input));
    assert_eq!(res[0].header("connection"), Some("close"));
}

#[rt_sched::test]
async fn a_simple_get_is_answered_and_the_connection_kept() {
    let out = serve(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].status, 200);
    assert_eq!(res[0].body_str(), "GET /a ");
    assert_eq!(res[0].header("connection"), None);
    assert_eq!(res[0].header("content-length"), Some("7"));
    let date = res[0].header("date").expect("a date field");
    assert!(date.len() == 29 && date.ends_with(" GMT"), "{date}");
}

#[rt_sched::test]
async fn malformed_request_lines_and_fields_get_400() {
    for bad in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n",
        b"GET / HTTP/2.0\r\nHost: x\r\n\r\n",
        b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"G\0T / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n",
        b"GET /\x7f HTTP/1.1\r\nHost: x\r\n\r\n",
        // HTTP/1.1 without a host, or with two.
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    ] {
        rejects(bad, 400).await;
    }
}

#[rt_sched::test]
async fn obsolete_line_folding_gets_400() {
    rejects(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n", 400).await;
    rejects(b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n\tfolded\r\n\r\n", 400).await;
}

#[rt_sched::test]
async fn smuggling_framing_gets_400() {
    for bad in [
        &b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"[..],
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    ] {
        rejects(bad, 400).await;
    }
}

#[rt_sched::test]
async fn agreeing_content_lengths_are_one_length() {
    let out = serve(b"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\n\r\nhello").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].body_str(), "POST /p hello");
}

#[rt_sched::test]
async fn bad_chunked_bodies_get_400() {
    rejects(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        400,
    )
    .await;
    rejects(
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        400,
    )
    .await;
}

#[rt_sched::test]
async fn oversized_heads_get_431() {
    let mut big = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70 * 1024));
    // Incomplete but already over the limit.
    rejects(&big, 431).await;
    big.extend_from_slice(b"\r\n\r\n");
    rejects(&big, 431).await;
    let mut many = b"GET / HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..120 {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    rejects(&many, 431).await;
}

#[rt_sched::test]
async fn the_head_limit_is_configurable() {
    let input = b"GET / HTTP/1.1\r\nHost: x\r\nX-Long: 0123456789012345678901234567890123456789\r\n\r\n".to_vec();
    let out = serve_with(vec![input], echo(), Config::new().max_head_size(40)).await;
    assert_eq!(parse_responses(&out)[0].status, 431);
}

#[rt_sched::test]
async fn oversized_bodies_get_413() {
    let config = Config::new().max_body_size(4);
    let cl = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".to_vec();
    let out = serve_with(vec![cl], echo(), config).await;
    let res = parse_responses(&out);
    assert_eq!((res.len(), res[0].status), (1, 413));
    let chunked =
        b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n".to_vec();
    let out = serve_with(vec![chunked], echo(), config).await;
    let res = parse_responses(&out);
    assert_eq!((res.len(), res[0].status), (1, 413));
    assert_eq!(res[0].header("connection"), Some("close"));
}

#[rt_sched::test(start_paused = true)]
async fn a_slow_head_gets_408_after_the_header_timeout() {
    let config = Config::new().header_timeout(Duration::from_secs(5));
    let io = MockIo::new(vec![b"GET / HTTP/1.1\r\nHo".to_vec()], true);
    let out = io.output.clone();
    let start = rt_core::time::Instant::now();
    svc_http::server::serve_connection(io, echo(), config).await.unwrap();
    assert!(start.elapsed() >= Duration::from_secs(5), "{:?}", start.elapsed());
    let res = parse_responses(&out.lock().unwrap());
    assert_eq!((res.len(), res[0].status), (1, 408));
}

#[rt_sched::test(start_paused = true)]
async fn an_idle_keep_alive_connection_closes_after_its_timeout() {
    let config = Config::new()
        .keep_alive_timeout(Duration::from_secs(7))
        .header_timeout(Duration::from_secs(100));
    let io = MockIo::new(vec![b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()], true);
    let (out, closed) = (io.output.clone(), io.closed.clone());
    let start = rt_core::time::Instant::now();
    svc_http::server::serve_connection(io, echo(), config).await.unwrap();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(100),
        "{waited:?}"
    );
    assert!(*closed.lock().unwrap());
    let res = parse_responses(&out.lock().unwrap());
    assert_eq!((res.len(), res[0].status), (1, 200));
}

#[rt_sched::test]
async fn connection_close_ends_the_connection_after_the_response() {
    let out = serve(b"GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].header("connection"), Some("close"));
}

#[rt_sched::test]
async fn http10_closes_unless_keep_alive_is_asked() {
    let out = serve(b"GET /1 HTTP/1.0\r\n\r\nGET /2 HTTP/1.0\r\n\r\n").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].header("connection"), Some("close"));
    let out = serve(b"GET /1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 2);
    assert_eq!(res[0].header("connection"), Some("keep-alive"));
    assert_eq!(res[1].body_str(), "GET /2 ");
}

#[rt_sched::test]
async fn streamed_responses_are_chunked_for_http11_and_close_delimited_for_http10() {
    let svc = service_fn(|_req: http::Request<Body>| async {
        let chunks = futures::stream::iter(["ab", "", "cd"].map(|s| Ok::<_, std::io::Error>(Bytes::from(s))));
        Ok::<_, std::convert::Infallible>(http::Response::new(Body::from_stream(chunks)))
    });
    let out = serve_with(vec![b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()], svc, Config::new()).await;
    let res = parse_responses(&out);
    assert_eq!(res[0].header("transfer-encoding"), Some("chunked"));
    assert_eq!(res[0].body_str(), "abcd");
    let out = serve_with(
        vec![b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n".to_vec()],
        svc,
        Config::new(),
    )
    .await;
    let res = parse_responses(&out);
    assert_eq!(res[0].header("connection"), Some("close"));
    assert_eq!(res[0].body_str(), "abcd");
}

#[rt_sched::test]
async fn expect_continue_is_answered_when_the_handler_reads_the_body() {
    let out = serve(b"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 2, "{}", String::from_utf8_lossy(&out));
    assert_eq!(res[0].status, 100);
    assert_eq!(res[1].body_str(), "POST /e abc");
}

#[rt_sched::test]
async fn expect_continue_unanswered_closes_the_connection() {
    let svc = service_fn(|_req: http::Request<Body>| async {
        let res = http::Response::builder().status(417).body(Body::empty()).unwrap();
        Ok::<_, std::convert::Infallible>(res)
    });
    let input = b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let out = serve_with(vec![input.to_vec()], svc, Config::new()).await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!((res[0].status, res[0].header("connection")), (417, Some("close")));
}

#[rt_sched::test]
async fn an_unread_body_is_drained_and_the_connection_kept() {
    let svc = service_fn(|_req: http::Request<Body>| async {
        Ok::<_, std::convert::Infallible>(http::Response::new(Body::from("ok")))
    });
    let input = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let out = serve_with(vec![input.to_vec()], svc, Config::new()).await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 2);
    assert_eq!(res[0].header("connection"), None);
}

#[rt_sched::test]
async fn head_responses_advertise_the_length_without_a_body() {
    let out = serve(b"HEAD /h HTTP/1.1\r\nHost: x\r\n\r\nGET /g HTTP/1.1\r\nHost: x\r\n\r\n").await;
    // The HEAD response has content-length 8 but no body: the GET response follows.
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("content-length: 8"), "{head}");
    assert!(rest.starts_with("HTTP/1.1 200 OK"), "{rest}");
    assert_eq!(parse_responses(rest.as_bytes())[0].body_str(), "GET /g ");
}

#[rt_sched::test]
async fn a_failing_service_gets_500_and_a_closed_connection() {
    let svc = service_fn(|_req: http::Request<Body>| async { Err::<http::Response<Body>, _>("boom") });
    let out = serve_with(
        vec![b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()],
        svc,
        Config::new(),
    )
    .await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert_eq!((res[0].status, res[0].header("connection")), (500, Some("close")));
}

#[rt_sched::test]
async fn a_body_cut_short_gives_the_handler_an_error_and_closes() {
    let out = serve(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello").await;
    let res = parse_responses(&out);
    assert_eq!(res.len(), 1);
    assert!(
        res[0].body_str().starts_with("POST / error: connection closed"),
        "{}",
        res[0].body_str()
    );
    assert_eq!(res[0].header("connection"), Some("close"));
}
