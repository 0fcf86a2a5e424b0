//! `TimeoutError`: predicates, Display, the source chain and the `BoxError` paths.

use std::error::Error as _;
use std::time::Duration;

use svc_layers::timeout::{Elapsed, Timeout, TimeoutError};
use svc_trait::{service_fn, BoxError, Service, ServiceExt};

const SECOND: Duration = Duration::from_secs(1);

/// A timed-out request over a mock.
async fn elapsed() -> TimeoutError<svc_mock::Error> {
    let (mock, mut handle) = svc_mock::pair::<(), ()>();
    let mut svc = Timeout::new(mock, SECOND);
    let response = svc.ready().await.unwrap().call(());
    let _pending_answer = handle.next_request().await.unwrap();
    response.await.unwrap_err()
}

/// A request the mock answered with an error.
async fn failed() -> TimeoutError<svc_mock::Error> {
    let (mock, mut handle) = svc_mock::pair::<(), ()>();
    let mut svc = Timeout::new(mock, SECOND);
    let response = svc.ready().await.unwrap().call(());
    let (_, send) = handle.next_request().await.unwrap();
    send.send_error("boom");
    response.await.unwrap_err()
}

#[rt_sched::test(start_paused = true)]
async fn predicates_and_display() {
    let err = elapsed().await;
    assert!(err.is_elapsed());
    assert!(!err.is_inner());
    assert!(err.inner().is_none());
    assert_eq!(err.to_string(), "request timed out");
    assert!(format!("{err:?}").contains("Elapsed"));
    assert!(err.into_inner().is_none());

    let err = failed().await;
    assert!(!err.is_elapsed());
    assert!(err.is_inner());
    assert!(err.inner().unwrap().is_injected());
    assert_eq!(err.to_string(), "inner service failed");
    assert!(err.into_inner().unwrap().is_injected());
}

#[rt_sched::test(start_paused = true)]
async fn the_source_chain_reaches_the_inner_error() {
    let err = elapsed().await;
    let source = err.source().expect("an elapsed error has a source");
    assert!(source.is::<Elapsed>());
    assert_eq!(source.to_string(), "deadline elapsed");

    let err = failed().await;
    let source = err.source().expect("an inner error is the source");
    let mock_err = source.downcast_ref::<svc_mock::Error>().expect("the mock's error");
    assert!(mock_err.is_injected());
    // ... and the chain goes on to what was injected.
    assert_eq!(source.source().expect("the injected error").to_string(), "boom");
}

#[rt_sched::test(start_paused = true)]
async fn into_box_error_flattens() {
    let boxed: BoxError = elapsed().await.into_box_error();
    assert!(boxed.is::<Elapsed>());

    let boxed: BoxError = failed().await.into_box_error();
    let mock_err = boxed
        .downcast_ref::<svc_mock::Error>()
        .expect("the inner error, unwrapped");
    assert!(mock_err.is_injected());
}

#[rt_sched::test(start_paused = true)]
async fn box_error_from_keeps_the_typed_error() {
    let boxed = BoxError::from(elapsed().await);
    let typed = boxed
        .downcast_ref::<TimeoutError<svc_mock::Error>>()
        .expect("the whole error");
    assert!(typed.is_elapsed());

    // `?` into a `BoxError` works the same way.
    async fn question_mark() -> Result<(), BoxError> {
        Err(failed().await)?
    }
    let boxed = question_mark().await.unwrap_err();
    assert!(boxed
        .downcast_ref::<TimeoutError<svc_mock::Error>>()
        .unwrap()
        .is_inner());
}

#[rt_sched::test(start_paused = true)]
async fn a_box_error_inner_goes_through_map_err() {
    // `BoxError` is not an `Error`, so only the flattening path applies.
    let failing = service_fn(|fail: bool| async move {
        rt_core::time::sleep(if fail { Duration::ZERO } else { 2 * SECOND }).await;
        if fail {
            Err::<(), BoxError>("inner".into())
        } else {
            Ok(())
        }
    });
    let svc = Timeout::new(failing, SECOND).map_err(TimeoutError::into_box_error);
    let err: BoxError = svc.clone().oneshot(true).await.unwrap_err();
    assert_eq!(err.to_string(), "inner");
    let err: BoxError = svc.oneshot(false).await.unwrap_err();
    assert!(err.is::<Elapsed>());
}

#[test]
fn errors_are_send_sync_static() {
    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<TimeoutError<svc_mock::Error>>();
    assert_error::<TimeoutError<std::io::Error>>();
    assert_error::<Elapsed>();
}
