//! Pipelined requests answered in order, and request bodies split at every byte boundary.

mod support;

use support::{echo, parse_responses, parse_responses_with, serve, serve_with};
use svc_http::server::Config;

const PIPELINE: &[u8] = b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n\
POST /2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: t\r\n\r\n\
POST /3 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nwxyz\
HEAD /4 HTTP/1.1\r\nHost: x\r\n\r\n\
GET /5 HTTP/1.1\r\nHost: x\r\n\r\n";

fn check(out: &[u8]) {
    let res = parse_responses_with(out, &[3]);
    let bodies: Vec<String> = res.iter().map(|r| r.body_str()).collect();
    assert_eq!(
        bodies,
        ["GET /1 ", "POST /2 abcde", "POST /3 wxyz", "", "GET /5 "],
        "{}",
        String::from_utf8_lossy(out)
    );
    assert_eq!(res[3].header("content-length"), Some("8"));
}

#[rt_sched::test]
async fn pipelined_requests_are_answered_in_order() {
    check(&serve(PIPELINE).await);
}

#[rt_sched::test]
async fn pipelined_requests_split_at_every_byte_boundary() {
    for cut in 0..=PIPELINE.len() {
        let pieces = vec![PIPELINE[..cut].to_vec(), PIPELINE[cut..].to_vec()];
        check(&serve_with(pieces, echo(), Config::new()).await);
    }
}

#[rt_sched::test]
async fn pipelined_requests_fed_one_byte_at_a_time() {
    let pieces = PIPELINE.iter().map(|&b| vec![b]).collect();
    check(&serve_with(pieces, echo(), Config::new()).await);
}

#[rt_sched::test]
async fn a_chunked_body_split_at_every_pair_of_boundaries() {
    let req: &[u8] = b"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;a=b\r\n \r\nA\r\n0123456789\r\n0\r\nx: y\r\n\r\n";
    let start = req.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    for i in start..=req.len() {
        for j in i..=req.len() {
            let pieces = vec![req[..i].to_vec(), req[i..j].to_vec(), req[j..].to_vec()];
            let out = serve_with(pieces, echo(), Config::new()).await;
            let res = parse_responses(&out);
            assert_eq!(res.len(), 1);
            assert_eq!(res[0].body_str(), "POST /c hello 0123456789", "cuts {i} {j}");
        }
    }
}
