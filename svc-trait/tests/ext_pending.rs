//! `ready`, `reserve` and `oneshot` against a service that is pending or has failed.

mod support;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use support::{poll_once, Gate};
use svc_trait::ServiceExt;

#[test]
fn ready_waits_while_pending() {
    let mut gate = Gate::default();
    assert!(poll_once(ServiceExt::<u8>::ready(&mut gate)).is_pending());
    gate.open = true;
    assert!(matches!(
        poll_once(ServiceExt::<u8>::ready(&mut gate)),
        Poll::Ready(Ok(_))
    ));
}

#[test]
fn reserve_waits_while_pending_and_reports_errors() {
    let mut gate = Gate::default();
    assert!(poll_once(ServiceExt::<u8>::reserve(&mut gate)).is_pending());
    gate.failed = true;
    match poll_once(ServiceExt::<u8>::reserve(&mut gate)) {
        Poll::Ready(Err(e)) => assert_eq!(e, "failed"),
        other => panic!("expected the readiness error, got {other:?}"),
    };
}

#[test]
fn oneshot_polls_until_ready_then_calls() {
    let waker = futures::task::noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut gate = Gate::default();
    {
        let mut fut = pin!((&mut gate).oneshot(9u8));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
    }
    assert_eq!(gate.polls, 2);
    gate.open = true;
    assert_eq!(poll_once((&mut gate).oneshot(9u8)), Poll::Ready(Ok(9)));
}

#[test]
fn oneshot_returns_the_readiness_error_without_calling() {
    let gate = Gate {
        failed: true,
        ..Gate::default()
    };
    assert_eq!(poll_once(gate.oneshot(1u8)), Poll::Ready(Err("failed")));
}

#[test]
fn ready_oneshot_reports_errors() {
    let gate = Gate {
        failed: true,
        ..Gate::default()
    };
    assert!(matches!(
        poll_once(ServiceExt::<u8>::ready_oneshot(gate)),
        Poll::Ready(Err("failed"))
    ));
}

#[test]
fn map_err_maps_readiness_errors() {
    let gate = Gate {
        failed: true,
        ..Gate::default()
    };
    let svc = ServiceExt::<u8>::map_err(gate, |e: &'static str| e.len());
    assert_eq!(poll_once(svc.oneshot(1u8)), Poll::Ready(Err(6)));
}
