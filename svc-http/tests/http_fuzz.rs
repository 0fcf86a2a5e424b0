//! Arbitrary bytes never make the server panic, and whatever it writes is a sequence of
//! well-formed responses. `PROPTEST_CASES` raises the number of cases for a long run.

mod support;

use proptest::prelude::*;
use support::{echo, parse_responses, serve_with};
use svc_http::server::Config;

fn run(pieces: Vec<Vec<u8>>) {
    let rt = rt_sched::Builder::new_current_thread().enable_all().build().unwrap();
    let out = rt.block_on(serve_with(
        pieces,
        echo(),
        Config::new().max_body_size(1024).max_head_size(2048),
    ));
    for res in parse_responses(&out) {
        assert!((100..600).contains(&res.status));
    }
}

/// Bytes that look like HTTP often enough to reach the deeper states.
fn httpish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b"GET / HTTP/1.1\r\n".to_vec()),
        Just(b"POST /p HTTP/1.0\r\n".to_vec()),
        Just(b"Host: x\r\n".to_vec()),
        Just(b"Content-Length: 3\r\n".to_vec()),
        Just(b"Transfer-Encoding: chunked\r\n".to_vec()),
        Just(b"Expect: 100-continue\r\n".to_vec()),
        Just(b"Connection: close\r\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"5\r\nhello\r\n".to_vec()),
        Just(b"0\r\n\r\n".to_vec()),
        Just(b" \t:;,".to_vec()),
        prop::collection::vec(any::<u8>(), 0..16),
    ];
    prop::collection::vec(token, 0..24).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn arbitrary_bytes_get_well_formed_answers(input in prop::collection::vec(any::<u8>(), 0..512), cut in any::<prop::sample::Index>()) {
        let at = cut.index(input.len() + 1);
        run(vec![input[..at].to_vec(), input[at..].to_vec()]);
    }

    #[test]
    fn httpish_bytes_get_well_formed_answers(input in httpish(), cut in any::<prop::sample::Index>()) {
        let at = cut.index(input.len() + 1);
        run(vec![input[..at].to_vec(), input[at..].to_vec()]);
    }
}
