//! `Body`: size hints, collecting, and making a streamed body replayable.

use bytes::Bytes;
use svc_http::Body;

fn stream(parts: &'static [&'static str]) -> Body {
    Body::from_stream(futures::stream::iter(
        parts
            .iter()
            .map(|s| Ok::<_, std::io::Error>(Bytes::from_static(s.as_bytes()))),
    ))
}

#[rt_sched::test]
async fn a_streamed_body_becomes_replayable_within_its_limit() {
    let body = stream(&["ab", "cd"]);
    assert!(body.try_clone().is_none());
    let body = body.replayable(4).await.unwrap();
    let copy = body.try_clone().unwrap();
    assert_eq!(copy.size_hint().exact(), Some(4));
    assert_eq!(&copy.collect(4).await.unwrap()[..], b"abcd");
    assert_eq!(&body.collect(4).await.unwrap()[..], b"abcd");
}

#[rt_sched::test]
async fn a_body_over_the_limit_is_too_large() {
    assert!(stream(&["ab", "cde"]).replayable(4).await.unwrap_err().is_too_large());
    assert!(Body::from("hello").collect(4).await.unwrap_err().is_too_large());
}

#[rt_sched::test]
async fn a_stream_error_is_a_user_error() {
    let failing = futures::stream::iter([Ok(Bytes::from("a")), Err(std::io::Error::other("boom"))]);
    let err = Body::from_stream(failing).collect(100).await.unwrap_err();
    assert!(err.is_user(), "{err}");
    assert!(err.to_string().contains("boom"));
}

#[rt_sched::test]
async fn size_hints() {
    assert_eq!(Body::empty().size_hint().exact(), Some(0));
    assert!(Body::empty().is_end_stream());
    assert_eq!(Body::from(vec![1u8, 2, 3]).size_hint().exact(), Some(3));
    assert_eq!(stream(&["x"]).size_hint().exact(), None);
    let sized = Body::from_stream_with_len(futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from("xy"))]), 2);
    assert_eq!(sized.size_hint().exact(), Some(2));
}

#[test]
fn types_are_send() {
    fn send<T: Send>() {}
    send::<Body>();
    send::<svc_http::Error>();
    send::<svc_http::client::Pool>();
    send::<svc_http::client::ResponseFuture>();
    fn sync<T: Sync>() {}
    sync::<svc_http::Error>();
    sync::<svc_http::client::Pool>();
}
